// Deploys one device: probe → preflight → plan (remote manifest vs local sha256s) → upload changed
// files to temp names over SFTP → verify sha256 on the device and rename into place → start the agent
// detached (unless the same agent is already running). With dryRun it stops after the plan. A python
// device's preflight asks its interpreter for its facts after the plan, and only when the agent has to
// (re)start: that step imports torch. Called by deploy/deploy.ts for each device.
import { createHash } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import path from 'node:path';
import { listAgentFiles, listModelFiles, listPythonAgentFiles, PROJECT_ROOT, type BundleFile, type DeviceArch } from './bundle.js';
import { connectDevice, type ConnectDeviceOptions } from './connect-device.js';
import type { HashCache } from './hash-cache.js';
import { agentErrorLine } from '../agent/index.js';
import { DeployError } from './errors.js';
import { manifestOf, planUpload, type UploadPlan } from './plan.js';
import { checkPreflight, checkResources, parseProbe, resolveDeviceArch, type DeviceProbe } from './preflight.js';
import { checkJetson, jetsonProbeScript, parseJetsonProbe, type JetsonExpectations } from './jetson-preflight.js';
import { commitCommand, mkdirScript, probeScript, startScript, TEMP_SUFFIX } from './remote-scripts.js';
import {
  checkPythonPreflight, describePython, parsePythonFacts, pythonBackendOf, pythonCommitCommand, pythonFactsCommand, pythonProbeLines, pythonStartScript, type PythonFacts,
} from './python-runtime.js';
import type { SshSession } from './ssh.js';
import type { SshTarget } from './ssh-config.js';

export interface DeviceJob {
  readonly device: string;
  readonly target: SshTarget;
  readonly agentDir: string;
  readonly agentHost: string; // the testbed's host for the device: what the BS connects to
  readonly agentPort: number;
  readonly experts: readonly string[];
  readonly modelDir: string;
  readonly token: string;
  readonly runtime: 'node' | 'python'; // python: the Python agent, no node needed on the device (python-runtime.ts)
  readonly python: string | null; // runtime python: the testbed's interpreter (null: python3 on the ssh PATH)
  readonly expectations: JetsonExpectations; // runtime, execution provider, power mode the testbed names (jetson-preflight.ts)
}

export type DeployEvent = { kind: 'phase'; device: string; text: string };

export interface DeployDeviceOptions extends ConnectDeviceOptions {
  readonly dryRun: boolean;
  readonly readyTimeoutMs: number;
  readonly hashes: HashCache; // shared by every device of one deploy
  readonly onEvent?: (event: DeployEvent) => void;
}

export interface DeviceDeployResult {
  readonly device: string;
  readonly host: string;
  readonly arch: DeviceArch;
  readonly dir: string;
  readonly plan: { readonly uploadFiles: number; readonly uploadBytes: number; readonly skipFiles: number; readonly skipBytes: number; readonly staleFiles: number; readonly upload: readonly { path: string; bytes: number }[] };
  readonly agent: { readonly state: 'started' | 'running' | 'not-started'; readonly pid: number | null };
  readonly ms: number;
  // Where the time went (ms): connecting and preflight (probe, local hashing, plan), the SFTP transfer, the
  // device's sha256 check and rename, the agent's start; 0 for a phase that did not run.
  readonly phases: { readonly connect: number; readonly preflight: number; readonly transfer: number; readonly commit: number; readonly start: number };
}

const EXEC_TIMEOUT_MS = 30_000;
// Asking the interpreter what it has imports torch: ~2.5 s on a desktop core, longer on a cold Jetson.
const PYTHON_FACTS_TIMEOUT_MS = 120_000;
const PUT_CONCURRENCY = 8;

// Deploys (or with dryRun, plans) one device.
export async function deployDevice(job: DeviceJob, options: DeployDeviceOptions): Promise<DeviceDeployResult> {
  const started = performance.now();
  const phases = { connect: 0, preflight: 0, transfer: 0, commit: 0, start: 0 };
  let mark = started;
  const lap = (phase: keyof typeof phases) => {
    const now = performance.now();
    phases[phase] = Math.round(now - mark);
    mark = now;
  };
  const say = (text: string) => options.onEvent?.({ kind: 'phase', device: job.device, text });
  const session = await connectDevice(job.target, options);
  lap('connect');
  try {
    const isPython = job.runtime === 'python';
    const probe = parseProbe(await run(session, job, probeScript(job.agentDir, job.device, isPython ? pythonProbeLines(job.python) : []), 'preflight'));
    // JetPack checks first: on JetPack 4 "glibc too old, use the Python runtime" says more than "no node".
    const jetson = checkJetson(parseJetsonProbe(await run(session, job, jetsonProbeScript(), 'preflight')), job.device, job.expectations);
    if (jetson.problem !== undefined) throw jetson.problem;
    for (const warning of jetson.warnings) say(`warning: ${warning}`);
    const arch = resolveDeviceArch(probe, job.device);
    const appFiles = isPython ? await listPythonAgentFiles(PROJECT_ROOT, options.hashes) : await listAgentFiles(PROJECT_ROOT, arch, options.hashes);
    const files = [...appFiles, ...(await listModelFiles(job.modelDir, job.experts, options.hashes))];
    const plan = planUpload(files, probe.manifest);
    const shardBytes = files.filter((file) => file.remote.startsWith('model/')).reduce((total, file) => total + file.bytes, 0);
    const interpreter = (isPython ? probe.python : probe.node) ?? '';
    const fingerprint = fingerprintOf(job, files, interpreter);
    const isRunning = probe.agent !== undefined && probe.agent.fingerprint === fingerprint && plan.upload.length === 0 && plan.stale.length === 0;
    // A python device needs no node: its checks replace the node ones (disk and memory stay). Its facts
    // step (seconds: it imports torch) is skipped when the very agent this deploy would start already runs.
    const pythonFacts = isPython && probe.python !== null && !isRunning ? await askPython(session, probe.python) : undefined;
    const problem = isPython
      ? (isRunning ? undefined : checkPythonPreflight({ named: job.python, path: probe.python, ...pythonFacts }, job.device)) ?? checkResources(probe, job.device, { uploadBytes: plan.uploadBytes, shardBytes })
      : checkPreflight(probe, job.device, { uploadBytes: plan.uploadBytes, shardBytes });
    if (problem !== undefined) throw problem;
    const runtimeLine = isPython ? (pythonFacts?.facts === undefined ? `python at ${interpreter}` : `${describePython(pythonFacts.facts)} (${interpreter})`) : probe.nodeVersion;
    say(`${runtimeLine} ${probe.arch}: upload ${plan.upload.length} file(s) (${plan.uploadBytes} B), skip ${plan.skip.length}`);
    lap('preflight');
    const result = (state: DeviceDeployResult['agent']['state'], pid: number | null): DeviceDeployResult => ({
      device: job.device,
      host: job.target.host,
      arch,
      dir: probe.dir,
      plan: summarize(plan),
      agent: { state, pid },
      ms: Math.round(performance.now() - started),
      phases: { ...phases },
    });
    if (options.dryRun) return result(isRunning ? 'running' : 'not-started', probe.agent?.pid ?? null);
    if (plan.upload.length > 0 || plan.stale.length > 0) {
      await uploadPlan(session, job, probe, plan, files, () => lap('transfer'), options.signal);
      lap('commit');
      if (plan.uploadBytes > 0 && phases.transfer > 0) say(`sent ${plan.uploadBytes} B in ${(phases.transfer / 1000).toFixed(1)} s (${(plan.uploadBytes / 1e6 / (phases.transfer / 1000)).toFixed(1)} MB/s), verified and in place`);
    }
    if (isRunning) {
      say(`agent already running (pid ${probe.agent!.pid}), nothing changed`);
      return result('running', probe.agent!.pid);
    }
    const sftp = await session.sftp();
    await sftp.writeFile(path.posix.join(probe.dir, 'run', 'token'), `${job.token}\n`, 0o600);
    const host = await resolveListenAddress(job.agentHost);
    const launch = { agentDir: job.agentDir, device: job.device, experts: job.experts, host, port: job.agentPort, fingerprint, readyTimeoutMs: options.readyTimeoutMs };
    const script = isPython ? pythonStartScript({ ...launch, python: interpreter, backend: pythonBackendOf(pythonFacts!.facts!) }) : startScript({ ...launch, node: interpreter });
    const out = await session.exec(script, {
      timeoutMs: options.readyTimeoutMs + EXEC_TIMEOUT_MS,
    });
    const pid = /^ready (\d+)$/m.exec(out.stdout)?.[1];
    if (out.code !== 0 || pid === undefined) throw startFailure(job, out.code, out.stdout, probe.dir);
    lap('start');
    say(`agent started (pid ${pid}, port ${job.agentPort})`);
    return result('started', Number(pid));
  } finally {
    session.close();
  }
}

// The address the agent listens on: the testbed's host as the BS resolves it (the address the BS will
// connect to). Resolving here, not on the device, matters: a device's /etc/hosts often maps its own name
// to 127.0.1.1, which the BS cannot reach. A name the BS cannot resolve is passed on as written.
async function resolveListenAddress(host: string): Promise<string> {
  if (isIP(host) !== 0) return host;
  try {
    return (await lookup(host)).address;
  } catch {
    return host;
  }
}

// Uploads the plan's files to temp names (then calls `sent`), then verifies and renames them on the device in
// one step. An abort stops it between files: what arrived stays under temp names, unused (the next deploy
// sends it again).
async function uploadPlan(session: SshSession, job: DeviceJob, probe: DeviceProbe, plan: UploadPlan, files: readonly BundleFile[], sent: () => void, signal?: AbortSignal): Promise<void> {
  const folders = [...new Set(plan.upload.map((file) => path.posix.dirname(file.remote)))];
  await run(session, job, mkdirScript(job.agentDir, folders), 'upload');
  const sftp = await session.sftp();
  let next = 0;
  const worker = async () => {
    while (next < plan.upload.length) {
      signal?.throwIfAborted();
      const file = plan.upload[next++]!;
      await sftp.fastPut(file.local, `${path.posix.join(probe.dir, file.remote)}${TEMP_SUFFIX}`, file.mode);
    }
  };
  await Promise.all(Array.from({ length: PUT_CONCURRENCY }, worker));
  sent();
  const jobText = JSON.stringify({ dir: probe.dir, files: plan.upload.map((file) => ({ remote: file.remote, sha256: file.sha256 })), stale: plan.stale, manifest: manifestOf(files) });
  const commit = job.runtime === 'python' ? pythonCommitCommand(probe.python!) : commitCommand(probe.node!);
  const out = await session.exec(commit, { timeoutMs: EXEC_TIMEOUT_MS * 4, stdin: jobText });
  let bad: Array<{ remote: string; sha256: string }> = [];
  try {
    bad = (JSON.parse(out.stdout) as { bad: typeof bad }).bad;
  } catch {
    throw new DeployError('upload-commit-failed', job.device, 'upload', `could not verify the uploaded files (exit ${out.code}): ${out.stderr.trim().slice(0, 300)}`, { hint: 'deploy again; files already in place are skipped' });
  }
  if (bad.length > 0) {
    throw new DeployError('upload-sha256', job.device, 'upload', `${bad.length} uploaded file(s) arrived with another sha256 and were not put in place: ${bad.slice(0, 3).map((entry) => entry.remote).join(', ')}`, {
      hint: 'a local file changed during the deploy (a rebuild?) or the transfer was damaged: deploy again (only those files are sent); if it repeats, check the device\'s disk',
    });
  }
}

// The facts step: what the device's interpreter has (its stderr kept for the message when it answers nothing).
async function askPython(session: SshSession, python: string): Promise<{ facts?: PythonFacts; factsError?: string }> {
  const out = await session.exec(pythonFactsCommand(python), { timeoutMs: PYTHON_FACTS_TIMEOUT_MS });
  const facts = parsePythonFacts(out.stdout);
  return facts === undefined ? { factsError: out.stderr || `exit ${out.code}` } : { facts };
}

async function run(session: SshSession, job: DeviceJob, script: string, phase: 'preflight' | 'upload'): Promise<string> {
  const out = await session.exec(script, { timeoutMs: EXEC_TIMEOUT_MS });
  if (out.code !== 0) {
    throw new DeployError(`${phase}-command-failed`, job.device, phase, `remote command failed (exit ${out.code}): ${out.stderr.trim().slice(0, 300)}`, {
      hint: `check that ${job.target.user} can write ${job.agentDir} on the device`,
    });
  }
  return out.stdout;
}

// What identifies a running agent as the one this deploy would start.
function fingerprintOf(job: DeviceJob, files: readonly BundleFile[], node: string): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ experts: job.experts, host: job.agentHost, port: job.agentPort, node, files: files.map((file) => [file.remote, file.sha256]) }));
  hash.update(createHash('sha256').update(`wdmoe-token\0${job.token}`).digest());
  return hash.digest('hex');
}

// Exit 6 is the Node agent's onnxruntime check (the Python start script has none: its facts step checked).
function startFailure(job: DeviceJob, code: number, stdout: string, dir: string): DeployError {
  const detail = stdout.split('\n').slice(1).join('\n').trim().slice(-600);
  const agentError = agentErrorLine(detail, job.device)?.message;
  if (code === 6) {
    return new DeployError('preflight-onnxruntime', job.device, 'preflight', `onnxruntime-node does not load on the device: ${detail.split('\n').pop() ?? ''}`, {
      hint: 'check the device\'s glibc and architecture (onnxruntime-node 1.30 needs glibc ≥ 2.28 on Linux x64/arm64)',
    });
  }
  const what = code === 5 ? 'did not print its ready line in time' : 'exited before it was ready';
  return new DeployError('agent-start-failed', job.device, 'start', `agent ${what}${agentError === undefined ? '' : `: ${agentError}`}`, { hint: `see the agent log on the device: ${dir}/run/agent.log` });
}

function summarize(plan: UploadPlan): DeviceDeployResult['plan'] {
  return {
    uploadFiles: plan.upload.length,
    uploadBytes: plan.uploadBytes,
    skipFiles: plan.skip.length,
    skipBytes: plan.skipBytes,
    staleFiles: plan.stale.length,
    upload: plan.upload.map((file) => ({ path: file.remote, bytes: file.bytes })),
  };
}
