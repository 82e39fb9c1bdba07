// How an agent is started and how its starter knows it is up, in one place for every starter:
// loopback/start-agents.ts (local processes), deploy/remote-scripts.ts and deploy/python-runtime.ts (detached
// on a device, through a shell script), and run-python-agent.ts (the Python child of `wdmoe agent --runtime
// python`). The flags below mean the same to `wdmoe agent` and to `python -m wdmoe_agent`; once listening, both
// print one JSON line starting with READY_LINE_PREFIX (run-agent.ts's AgentReady), and a start that fails prints
// `error[code]: message`. Strings only; imports nothing.

// What every starter says about the agent it starts.
export interface AgentLaunchSpec {
  readonly modelDir: string;
  readonly device: string;
  readonly experts: readonly string[] | 'all';
  readonly host: string;
  readonly port: number;
  readonly tokenFile?: string; // absent: the token comes through $WDMOE_TOKEN (never argv)
  readonly threads?: number;
  readonly parentPid?: number; // the agent exits when this process is gone
}

// The flags of `spec`, in one order, for either runtime.
export function agentLaunchFlags(spec: AgentLaunchSpec): string[] {
  return [
    '--model', spec.modelDir,
    '--device', spec.device,
    '--experts', spec.experts === 'all' ? 'all' : spec.experts.join(','),
    '--host', spec.host,
    '--port', String(spec.port),
    ...(spec.tokenFile === undefined ? [] : ['--token-file', spec.tokenFile]),
    ...(spec.threads === undefined ? [] : ['--threads', String(spec.threads)]),
    ...(spec.parentPid === undefined ? [] : ['--parent-pid', String(spec.parentPid)]),
  ];
}

// The start of the line an agent prints once it listens (the rest is its AgentReady JSON).
export const READY_LINE_PREFIX = '{"event":"ready"';

// True when `text` (an agent's output or log) holds its ready line.
export function hasReadyLine(text: string): boolean {
  return text.split('\n').some((line) => line.startsWith(READY_LINE_PREFIX));
}

// The first `error[code]: message` line in `text`, without a repeated `device <name>: ` prefix (the caller
// names the device itself); undefined when the agent printed none.
export function agentErrorLine(text: string, device: string): { code: string; message: string } | undefined {
  for (const line of text.split('\n')) {
    const match = /^error\[([^\]]*)\]:\s*(.*)$/.exec(line);
    if (match === null) continue;
    const prefix = `device ${device}: `;
    return { code: match[1]!, message: match[2]!.startsWith(prefix) ? match[2]!.slice(prefix.length) : match[2]! };
  }
  return undefined;
}
