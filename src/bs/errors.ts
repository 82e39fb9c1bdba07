// Errors of the bs piece: DeviceLossError, a device lost in the middle of an item whose experts no other
// device that is up holds, under --on-device-loss fail (the default). Names the device, the layer and
// why it was lost; bench records the item as failed and stops. Imports only core.
import { EXIT_RUN_FAILED, WdmoeError } from '../core/index.js';

export interface DeviceLossInit {
  device: string;
  layer: number;
  reason: string; // why the device went down, without its name
  experts: readonly string[]; // ExpertKeys left without a device
  cause?: unknown;
}

// A device was lost and its experts have no replica that is up.
export class DeviceLossError extends WdmoeError {
  readonly device: string;
  readonly layer: number;
  readonly reason: string;
  readonly experts: readonly string[];

  constructor(init: DeviceLossInit) {
    const shown = init.experts.slice(0, 8).join(', ') + (init.experts.length > 8 ? ', …' : '');
    super('device-loss', `device ${init.device}: ${init.reason}; layer ${init.layer}: expert(s) ${shown} are on no other device that is up (--on-device-loss fail)`, {
      exitCode: EXIT_RUN_FAILED,
      hint: 'restart the agent and carry on with `wdmoe bench --resume`; or place replicas of every expert (testbeds/loopback-replicas.yaml), or skip lost experts with --on-device-loss skip',
      cause: init.cause,
    });
    this.device = init.device;
    this.layer = init.layer;
    this.reason = init.reason;
    this.experts = init.experts;
  }
}
