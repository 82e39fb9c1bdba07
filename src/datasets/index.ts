export * from './types.js';
export { DatasetError } from './errors.js';
export { loadMcDataset, loadGenDataset, MC_READERS, type LoadDatasetOptions } from './load-dataset.js';
export { resolveDataset, listBundledDatasets, BUNDLED_DATASETS_DIR } from './resolve-dataset.js';
export { detectFormat, FORMAT_FIELDS } from './detect-format.js';
export { preprocessHellaswagText } from './hellaswag.js';
