export * from './score.js';
export { runBench, type BenchOptions, type BenchEvent, type BenchResult } from './run.js';
export { connectDevices, resolveShaping, type Placement, type ShapingChoice, type ConnectedDevices } from './connect-devices.js';
export { loadTokenizer, decodeTokenizerJson, TokenizerLoadError, type TextTokenizer } from './tokenizer.js';
export { runProfile, describeOffLink, LINK_TOLERANCE, type ProfileOptions, type ProfileEvent, type ProfileResult } from './profile-run.js';
export { checkLinks, type LinkCheck } from './profile-links.js';
export { fitComputeModel, type ComputeFit, type ComputeSample } from './profile-fit.js';
