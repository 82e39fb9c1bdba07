export * from './errors.js';
export * from './manifest.js';
export * from './verify.js';
export * from './bundle.js';
export * from './expert-compute.js';
export { ONNX_ENGINE } from './onnx.js';
export type { OnnxSession, TensorInput, TensorOutput } from './onnx.js';
