export * from './score.js';
export { runBench, type BenchOptions, type BenchEvent, type BenchResult } from './run.js';
export { connectDevices, resolveShaping, type Placement, type ShapingChoice, type ConnectedDevices } from './connect-devices.js';
export { loadTokenizer, decodeTokenizerJson, TokenizerLoadError, type TextTokenizer } from './tokenizer.js';
