export { deploy, assertSshTestbed, type DeployOptions, type DeployResult } from './deploy.js';
export { statusOfDevices, type DeviceStatus, type StatusOptions } from './status.js';
export { teardown, type TeardownOptions, type TeardownResult } from './teardown.js';
export { defaultSshConfigSource, type SshConfigSource, type SshTarget } from './ssh-config.js';
export { formatBytes } from './preflight.js';
export { DeployError, DeployFailedError, type DeployPhase } from './errors.js';
export type { DeployEvent, DeviceDeployResult } from './deploy-device.js';
