export { runAgent, type AgentOptions, type AgentReady } from './run-agent.js';
export { startAgentServer, type AgentServer, type AgentServerOptions } from './server.js';
export type { AgentEvent, DisconnectReason, ExpertCompute } from './types.js';
