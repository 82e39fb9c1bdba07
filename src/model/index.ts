export * from './errors.js';
export * from './manifest.js';
export * from './verify.js';
export * from './bundle.js';
export * from './expert-compute.js';
export type { OnnxSession, TensorInput, TensorOutput } from './onnx.js';
