// Turns a testbed into one job per device (ssh target, agent directory and port, its experts, the
// bundle and token). Called by deploy, status and teardown.
import type { Testbed } from '../testbed/index.js';
import type { DeviceJob } from './deploy-device.js';
import { resolveSshTargets, type SshConfigSource } from './ssh-config.js';

// The expert keys the placement gives `device`.
export function expertsOf(testbed: Testbed, device: string): string[] {
  const keys: string[] = [];
  for (const [key, devices] of testbed.placement) if (devices.some((name) => name === device)) keys.push(key);
  return keys;
}

// One job per device, in the testbed's order.
export function planJobs(testbed: Testbed, sshConfig: SshConfigSource): DeviceJob[] {
  const targets = resolveSshTargets(testbed, sshConfig);
  return testbed.devices.map((device, index) => ({
    device: device.name,
    target: targets[index]!,
    agentDir: device.agentDir,
    agentHost: device.host, // the agent listens on the address the BS connects to, not on every interface
    agentPort: device.port,
    experts: expertsOf(testbed, device.name),
    modelDir: testbed.modelDir,
    token: testbed.auth.token,
    runtime: device.runtime,
    python: device.python,
    expectations: { runtime: device.runtime, executionProvider: device.executionProvider, isCpuFallbackAllowed: device.isCpuFallbackAllowed, powerMode: device.powerMode },
  }));
}
