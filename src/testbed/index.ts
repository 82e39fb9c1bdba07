// Public API of the testbed piece: YAML testbed → validated, resolved, readonly `Testbed`.
export type { AgentRuntime, DeviceLink, DeviceName, DeviceProfile, DeviceSpec, DeviceSsh, ExpertKey, LinkDirection, LinkProfile, ModelShape, SettingSource, ShapingMode, Testbed, TestbedIssue, TestbedMode } from './types.js';
export type { TestbedFile } from './schema.js';
export { TestbedFileSchema } from './schema.js';
export { loadTestbed, loadTestbedText, type LoadTestbedOptions, type LoadTestbedResult } from './load.js';
export { validateTestbed, assertValidTestbed, type ValidateTestbedResult } from './validate.js';
export { renderTestbed, testbedToJson, expertsOnDevice } from './render.js';
export { TestbedError } from './errors.js';
export { formatIssue } from './locate.js';
export { expertKey, allExpertKeys } from './placement.js';
export { readModelShape } from './model-shape.js';
export { BUNDLED_PROFILES_DIR, listProfiles, findProfile, readDeviceProfile, readLinkProfile } from './profiles.js';
