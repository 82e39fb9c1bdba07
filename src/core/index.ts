export * from './errors.js';
export * from './teardown-stack.js';
export * from './abort.js';
export * from './write-atomic.js';
export * from './units.js';
export * from './token-file.js';
