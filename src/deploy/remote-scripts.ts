// The shell and node snippets deploy runs on a device, one round trip each: probe (preflight facts and
// what is installed), commit (verify uploaded temp files' sha256, rename into place, write the remote
// manifest), start/wait, stop and purge. Strings only; deploy/ssh.ts runs them. Needs a POSIX sh,
// coreutils and /proc on the device (Linux, as Jetsons run).

import { READY_LINE_PREFIX, agentLaunchFlags } from '../agent/index.js';

// Layout under a device's agent directory.
export const REMOTE_MANIFEST = '.wdmoe-deploy.json';
export const TEMP_SUFFIX = '.wdmoe-tmp';
const DEVICE_MODEL_DIR = '$D/model';
const DEVICE_TOKEN_FILE = '$D/run/token';

// Single-quotes a string for sh.
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

// The command line that starts `program` on the device: the flags every starter uses (agent/launch.ts) for
// this device, its model and token under the agent directory ($D, set by the script), quoted for sh.
export function remoteAgentCommand(program: string, launch: Pick<AgentLaunch, 'device' | 'experts' | 'host' | 'port'>, extra: readonly string[] = []): string {
  const flags = agentLaunchFlags({ modelDir: DEVICE_MODEL_DIR, device: launch.device, experts: launch.experts, host: launch.host, port: launch.port, tokenFile: DEVICE_TOKEN_FILE });
  const word = (arg: string) => (/^--[a-z-]+$/.test(arg) ? arg : arg.startsWith('$D/') ? `"${arg}"` : shellQuote(arg));
  return [program, ...[...flags, ...extra].map(word)].join(' ');
}

// The agent's ready line as a grep pattern (a basic regex anchored at the line start).
export const READY_GREP = shellQuote(`^${READY_LINE_PREFIX}`);

// The agent directory as a sh expression (`~/x` becomes "$HOME"/'x').
export function agentDirExpression(agentDir: string): string {
  if (agentDir === '~') return '"$HOME"';
  return agentDir.startsWith('~/') ? `"$HOME"/${shellQuote(agentDir.slice(2))}` : shellQuote(agentDir);
}

// Prints key=value lines: home, node, nodeVersion, arch, diskFreeKb, memAvailableKb, manifest (base64),
// agent (base64 of run/agent.json) and agentPid when that agent process is alive; `extraLines` add facts
// (a python device's: python-runtime.ts pythonProbeLines).
export function probeScript(agentDir: string, device: string, extraLines: readonly string[] = []): string {
  return [
    `D=${agentDirExpression(agentDir)}`,
    'echo "home=$HOME"',
    'N=$(command -v node 2>/dev/null); echo "node=$N"',
    'if [ -n "$N" ]; then echo "nodeVersion=$("$N" -v 2>/dev/null)"; fi',
    'echo "arch=$(uname -m)"',
    'mkdir -p "$D" 2>/dev/null; echo "dir=$D"',
    'echo "diskFreeKb=$(df -Pk "$D" 2>/dev/null | awk \'NR==2{print $4}\')"',
    'echo "memAvailableKb=$(awk \'/^MemAvailable:/{print $2}\' /proc/meminfo 2>/dev/null)"',
    `if [ -f "$D/${REMOTE_MANIFEST}" ]; then echo "manifest=$(base64 -w0 "$D/${REMOTE_MANIFEST}")"; fi`,
    'if [ -f "$D/run/agent.json" ]; then echo "agent=$(base64 -w0 "$D/run/agent.json")"; fi',
    `P=$(cat "$D/run/agent.pid" 2>/dev/null); ${aliveTest(device)} && echo "agentPid=$P"`,
    ...extraLines,
    'exit 0',
  ].join('\n');
}

// True (exit 0) when $P is a live, non-zombie `wdmoe agent --device <device>` (or `python3 -m wdmoe_agent --device <device>`) process.
function aliveTest(device: string): string {
  return `[ -n "$P" ] && [ -r "/proc/$P/cmdline" ] && ! grep -q '^State:.*Z' "/proc/$P/status" 2>/dev/null && tr '\\0' '\\n' < "/proc/$P/cmdline" | grep -qxE 'agent|wdmoe_agent' && tr '\\0' '\\n' < "/proc/$P/cmdline" | grep -qx -- ${shellQuote(device)}`;
}

// Makes the folders the upload writes into.
export function mkdirScript(agentDir: string, folders: readonly string[]): string {
  return `D=${agentDirExpression(agentDir)}; cd "$D" && mkdir -p -- run ${folders.map(shellQuote).join(' ')}`;
}

// A node program (CommonJS, stdin = JSON job): checks each temp file's sha256, renames the good ones
// into place, removes stale files, writes the manifest (tmp + rename); prints {"bad":[...]}.
export const COMMIT_PROGRAM = `
const fs = require('fs'), crypto = require('crypto'), path = require('path');
let input = '';
process.stdin.on('data', (c) => (input += c)).on('end', () => {
  const job = JSON.parse(input);
  const bad = [];
  for (const file of job.files) {
    const final = path.join(job.dir, file.remote), temp = final + ${JSON.stringify(TEMP_SUFFIX)};
    let sha = '';
    try { sha = crypto.createHash('sha256').update(fs.readFileSync(temp)).digest('hex'); } catch (e) { sha = String(e.code); }
    if (sha !== file.sha256) { bad.push({ remote: file.remote, sha256: sha }); fs.rmSync(temp, { force: true }); delete job.manifest.files[file.remote]; continue; }
    fs.renameSync(temp, final);
  }
  for (const name of job.stale) fs.rmSync(path.join(job.dir, name), { force: true });
  const manifest = path.join(job.dir, ${JSON.stringify(REMOTE_MANIFEST)});
  fs.writeFileSync(manifest + '.tmp', JSON.stringify(job.manifest));
  fs.renameSync(manifest + '.tmp', manifest);
  process.stdout.write(JSON.stringify({ bad }));
});`;

export function commitCommand(node: string): string {
  return `${shellQuote(node)} -e ${shellQuote(COMMIT_PROGRAM)}`;
}

export interface AgentLaunch {
  readonly agentDir: string;
  readonly node: string;
  readonly device: string;
  readonly experts: readonly string[];
  readonly host: string; // address to listen on (the device's testbed host)
  readonly port: number;
  readonly fingerprint: string;
  readonly readyTimeoutMs: number;
}

// Stops a running agent of this device (by its pid file), checks onnxruntime loads, starts the agent
// detached (setsid + nohup, stdin from /dev/null: it survives the ssh session) with its log and pid
// files, and waits for its ready line. Exit 0 + "ready <pid>"; 6: onnxruntime fails; 4: agent died; 5: timeout.
export function startScript(launch: AgentLaunch): string {
  const node = shellQuote(launch.node);
  return launchScript(launch, {
    engineCheck: { command: `${node} -e "require('onnxruntime-node')"`, log: 'onnxruntime-check.log', failed: 'onnxruntime-failed' },
    command: remoteAgentCommand(`${node} "$D/app/bin/wdmoe" agent`, launch),
  });
}

// What differs between the runtimes' start scripts (python-runtime.ts gives the Python agent's).
export interface LaunchSteps {
  // A command that fails when the agent's compute engine does not load (exit 6, printing `failed`; its output
  // in run/<log>). Absent where preflight has just imported the engine itself (the Python facts step).
  readonly engineCheck?: { readonly command: string; readonly log: string; readonly failed: string };
  readonly environment?: string; // VAR=value words before the command
  readonly command: string; // the agent's command line (remoteAgentCommand)
}

// The start script of either runtime: stop the old agent, check the engine (when asked), start detached, record pid and
// fingerprint, wait for the ready line. Exit codes as startScript's.
export function launchScript(launch: Pick<AgentLaunch, 'agentDir' | 'device' | 'fingerprint' | 'readyTimeoutMs'>, steps: LaunchSteps): string {
  const tries = Math.ceil(launch.readyTimeoutMs / 100);
  return [
    stopScript(launch.agentDir, launch.device),
    'cd "$D/app" || exit 3',
    'chmod 600 "$D/run/token"',
    ...(steps.engineCheck === undefined ? [] : [engineCheckLine(steps.engineCheck)]),
    ': > "$D/run/agent.log"',
    `${steps.environment === undefined ? '' : `${steps.environment} `}setsid nohup ${steps.command} >> "$D/run/agent.log" 2>&1 < /dev/null &`,
    'P=$!',
    'echo "$P" > "$D/run/agent.pid"',
    `printf '{"pid":%s,"fingerprint":"%s"}\\n' "$P" ${shellQuote(launch.fingerprint)} > "$D/run/agent.json"`,
    `i=0; while [ $i -lt ${tries} ]; do`,
    `  if grep -q ${READY_GREP} "$D/run/agent.log"; then echo "ready $P"; exit 0; fi`,
    // While it starts, $P is a forked shell, then setsid, nohup and node in turn (its cmdline changes): "alive"
    // here is the process existing and not a zombie; checking the cmdline raced with the exec chain under load.
    '  if ! kill -0 "$P" 2>/dev/null || grep -q \'^State:.*Z\' "/proc/$P/status" 2>/dev/null; then echo died; tail -n 20 "$D/run/agent.log"; exit 4; fi',
    '  sleep 0.1; i=$((i+1))',
    'done',
    'echo timeout; tail -n 20 "$D/run/agent.log"; exit 5',
  ].join('\n');
}

function engineCheckLine(check: NonNullable<LaunchSteps['engineCheck']>): string {
  return `if ! ${check.command} > "$D/run/${check.log}" 2>&1; then echo ${check.failed}; tail -n 5 "$D/run/${check.log}"; exit 6; fi`;
}

// Stops this device's agent by its recorded pid (TERM, up to 5 s, then KILL) and forgets the pid.
export function stopScript(agentDir: string, device: string): string {
  return [
    `D=${agentDirExpression(agentDir)}`,
    'P=$(cat "$D/run/agent.pid" 2>/dev/null)',
    `if ${aliveTest(device)}; then`,
    '  kill "$P" 2>/dev/null; i=0',
    `  while [ $i -lt 50 ] && (${aliveTest(device)}); do sleep 0.1; i=$((i+1)); done`,
    `  if (${aliveTest(device)}); then kill -9 "$P" 2>/dev/null; sleep 0.2; fi`,
    '  echo "stopped $P"',
    'fi',
    'rm -f "$D/run/agent.pid" "$D/run/agent.json"',
  ].join('\n');
}

// Removes what deploy put in the agent directory (and the folder when it is then empty).
export function purgeScript(agentDir: string): string {
  return `D=${agentDirExpression(agentDir)}; rm -rf -- "$D/app" "$D/model" "$D/run" "$D/${REMOTE_MANIFEST}"; rmdir -- "$D" 2>/dev/null; exit 0`;
}

// Prints "<pid> <elapsed seconds> <rss kB>" of the device's agent, or nothing when it is not running.
export function agentProcessScript(agentDir: string, device: string): string {
  return `D=${agentDirExpression(agentDir)}; P=$(cat "$D/run/agent.pid" 2>/dev/null); if ${aliveTest(device)}; then echo "$P $(ps -o etimes= -p "$P" | tr -d ' ') $(ps -o rss= -p "$P" | tr -d ' ')"; fi; exit 0`;
}
