export { loopbackUp, loopbackDown, ensureLoopbackAgents, assertLocalTestbed, type LoopbackUpResult, type LoopbackOptions } from './up.js';
export { expertsOfDevice } from './start-agents.js';
export { LoopbackError } from './errors.js';
export type { LoopbackAgentState } from './state.js';
export { netnsUp, netnsDerivedTestbed, type NetnsUpOptions, type NetnsUpResult } from './netns-up.js';
export { netnsDown, type NetnsDownResult } from './netns-down.js';
export { netnsStatePath } from './netns-state.js';
