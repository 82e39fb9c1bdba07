export { runAgent, type AgentOptions, type AgentReady } from './run-agent.js';
export { startAgentServer } from './server.js';
