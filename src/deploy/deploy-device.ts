// Deploys one device: probe → preflight → plan (remote manifest vs local sha256s) → upload changed
// files to temp names over SFTP → verify sha256 on the device and rename into place → start the agent
// detached (unless the same agent is already running). With dryRun it stops after the plan.
// Called by deploy/deploy.ts for each device.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { listAgentFiles, listModelFiles, PROJECT_ROOT, type BundleFile, type DeviceArch } from './bundle.js';
import { connectDevice, type ConnectDeviceOptions } from './connect-device.js';
import type { HashCache } from './hash-cache.js';
import { DeployError } from './errors.js';
import { manifestOf, planUpload, type UploadPlan } from './plan.js';
import { checkPreflight, parseProbe, resolveDeviceArch, type DeviceProbe } from './preflight.js';
import { commitCommand, mkdirScript, probeScript, startScript, TEMP_SUFFIX } from './remote-scripts.js';
import type { SshSession } from './ssh.js';
import type { SshTarget } from './ssh-config.js';

export interface DeviceJob {
  readonly device: string;
  readonly target: SshTarget;
  readonly agentDir: string;
  readonly agentPort: number;
  readonly experts: readonly string[];
  readonly modelDir: string;
  readonly token: string;
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
}

const EXEC_TIMEOUT_MS = 30_000;
const PUT_CONCURRENCY = 8;

// Deploys (or with dryRun, plans) one device.
export async function deployDevice(job: DeviceJob, options: DeployDeviceOptions): Promise<DeviceDeployResult> {
  const started = performance.now();
  const say = (text: string) => options.onEvent?.({ kind: 'phase', device: job.device, text });
  const session = await connectDevice(job.target, options);
  try {
    const probe = parseProbe(await run(session, job, probeScript(job.agentDir, job.device), 'preflight'));
    const arch = resolveDeviceArch(probe, job.device);
    const files = [...(await listAgentFiles(PROJECT_ROOT, arch, options.hashes)), ...(await listModelFiles(job.modelDir, job.experts, options.hashes))];
    const plan = planUpload(files, probe.manifest);
    const shardBytes = files.filter((file) => file.remote.startsWith('model/')).reduce((total, file) => total + file.bytes, 0);
    const problem = checkPreflight(probe, job.device, { uploadBytes: plan.uploadBytes, shardBytes });
    if (problem !== undefined) throw problem;
    say(`${probe.nodeVersion} ${probe.arch}: upload ${plan.upload.length} file(s) (${plan.uploadBytes} B), skip ${plan.skip.length}`);
    const fingerprint = fingerprintOf(job, files, probe.node!);
    const isRunning = probe.agent !== undefined && probe.agent.fingerprint === fingerprint && plan.upload.length === 0 && plan.stale.length === 0;
    const result = (state: DeviceDeployResult['agent']['state'], pid: number | null): DeviceDeployResult => ({
      device: job.device,
      host: job.target.host,
      arch,
      dir: probe.dir,
      plan: summarize(plan),
      agent: { state, pid },
      ms: Math.round(performance.now() - started),
    });
    if (options.dryRun) return result(isRunning ? 'running' : 'not-started', probe.agent?.pid ?? null);
    if (plan.upload.length > 0 || plan.stale.length > 0) await uploadPlan(session, job, probe, plan, files, options.signal);
    if (isRunning) {
      say(`agent already running (pid ${probe.agent!.pid}), nothing changed`);
      return result('running', probe.agent!.pid);
    }
    const sftp = await session.sftp();
    await sftp.writeFile(path.posix.join(probe.dir, 'run', 'token'), `${job.token}\n`, 0o600);
    const out = await session.exec(startScript({ agentDir: job.agentDir, node: probe.node!, device: job.device, experts: job.experts, port: job.agentPort, fingerprint, readyTimeoutMs: options.readyTimeoutMs }), {
      timeoutMs: options.readyTimeoutMs + EXEC_TIMEOUT_MS,
    });
    const pid = /^ready (\d+)$/m.exec(out.stdout)?.[1];
    if (out.code !== 0 || pid === undefined) throw startFailure(job, out.code, out.stdout, probe.dir);
    say(`agent started (pid ${pid}, port ${job.agentPort})`);
    return result('started', Number(pid));
  } finally {
    session.close();
  }
}

// Uploads the plan's files to temp names, then verifies and renames them on the device in one step.
// An abort stops it between files: what arrived stays under temp names, unused (the next deploy sends it again).
async function uploadPlan(session: SshSession, job: DeviceJob, probe: DeviceProbe, plan: UploadPlan, files: readonly BundleFile[], signal?: AbortSignal): Promise<void> {
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
  const jobText = JSON.stringify({ dir: probe.dir, files: plan.upload.map((file) => ({ remote: file.remote, sha256: file.sha256 })), stale: plan.stale, manifest: manifestOf(files) });
  const out = await session.exec(commitCommand(probe.node!), { timeoutMs: EXEC_TIMEOUT_MS * 4, stdin: jobText });
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
  hash.update(JSON.stringify({ experts: job.experts, port: job.agentPort, node, files: files.map((file) => [file.remote, file.sha256]) }));
  hash.update(createHash('sha256').update(`wdmoe-token\0${job.token}`).digest());
  return hash.digest('hex');
}

function startFailure(job: DeviceJob, code: number, stdout: string, dir: string): DeployError {
  const detail = stdout.split('\n').slice(1).join('\n').trim().slice(-600);
  const agentError = /^error\[[^\]]*\]:\s*(.*)$/m.exec(detail)?.[1];
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
