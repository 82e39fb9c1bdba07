export { runAgent, type AgentOptions, type AgentReady } from './run-agent.js';
export { AGENT_DEFAULTS, startAgentServer, type AgentBounds, type AgentServer, type AgentServerOptions } from './server.js';
export type { AgentEvent, DisconnectReason, ExpertCompute } from './types.js';
export type { ComputeEngine } from './types.js';
export { startDeviceMonitor, runCommand, type DeviceDescriber, type DeviceMonitor, type DeviceMonitorOptions, type CommandRunner } from './device-monitor.js';
export { parseJetsonClocksShow, parseNvpmodelQuery, parseL4tRelease, parseTegrastatsLine, pickTotalRail, type JetsonClocksShow, type TegrastatsSample } from './jetson-parse.js';
export { startEnergySampler, discoverSysfsRails, EnergyIntegrator, type EnergySampler, type SysfsRail } from './energy-sampler.js';
export { runPythonAgent, pythonAgentArgs, PYTHON_PACKAGE_DIR, type PythonAgentOptions, type PythonBackend, type PythonAccelerator } from './run-python-agent.js';
export { agentLaunchFlags, agentErrorLine, hasReadyLine, READY_LINE_PREFIX, type AgentLaunchSpec } from './launch.js';
