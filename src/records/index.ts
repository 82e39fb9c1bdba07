// The run folder's formats (runs/<id>/: run.json, results/scores/generations/layers JSONL, summary.json):
// bench writes through this piece, report and the simulator read through it. No model runtime, transport
// or tokenizer here (test/report/imports.test.ts keeps it so).
export * from './records.js';
export * from './item-scores.js';
export * from './generations.js';
export * from './layer-log.js';
export * from './device-events.js';
export * from './summary.js';
export * from './run-meta.js';
export * from './device-setup.js';
export { RUN_FILES } from './run-files.js';
export { RecordsError } from './errors.js';
export { openJsonlAppender, openRecordWriter, type JsonlAppender, type RecordWriter } from './jsonl-append.js';
export { readJsonlTolerant, type TolerantRead } from './jsonl-read.js';
export { pruneUnfinished } from './prune-unfinished.js';
export * from './sweep-file.js';
