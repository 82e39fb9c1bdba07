export { loopbackUp, loopbackDown, ensureLoopbackAgents, assertLocalTestbed, type LoopbackUpResult, type LoopbackOptions } from './up.js';
export { expertsOfDevice } from './start-agents.js';
export { LoopbackError } from './errors.js';
export type { LoopbackAgentState } from './state.js';
