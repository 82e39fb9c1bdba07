export * from './errors.js';
export * from './teardown-stack.js';
export * from './abort.js';
