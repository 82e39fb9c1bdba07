// Runs one async job per device with bounded concurrency; a failing device does not stop the others.
// Collects each device's result or DeployError. Called by deploy, status and teardown.
import { DeployError } from './errors.js';

export type DeviceOutcome<T> = { readonly device: string; readonly ok: true; readonly value: T } | { readonly device: string; readonly ok: false; readonly error: DeployError };

// Runs `job` for every device, at most `limit` at once, in the devices' order in the result.
export async function forEachDevice<D extends { readonly device: string }, T>(devices: readonly D[], limit: number, job: (device: D) => Promise<T>): Promise<DeviceOutcome<T>[]> {
  const outcomes: DeviceOutcome<T>[] = new Array(devices.length);
  let next = 0;
  const worker = async () => {
    while (next < devices.length) {
      const index = next++;
      const device = devices[index]!;
      try {
        outcomes[index] = { device: device.device, ok: true, value: await job(device) };
      } catch (error) {
        const failure = error instanceof DeployError ? error : new DeployError('device-failed', device.device, 'connect', error instanceof Error ? error.message : String(error), { cause: error });
        outcomes[index] = { device: device.device, ok: false, error: failure };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, devices.length)) }, worker));
  return outcomes;
}
