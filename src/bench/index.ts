export * from './score.js';
export * from './records.js';
export * from './item-scores.js';
export * from './layer-log.js';
export * from './summary.js';
export * from './run-meta.js';
export { RUN_FILES } from './run-files.js';
export { RecordsError } from './errors.js';
export { runBench, resolvePolicies, type BenchOptions, type BenchEvent, type BenchResult } from './run.js';
