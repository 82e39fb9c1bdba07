// `wdmoe deploy`: every device of an ssh testbed gets the agent and its shards and runs its agent,
// with bounded concurrency and one progress line per device. Devices that fail are listed together
// at the end (the others are deployed). Called by cli/commands/deploy.ts.
import { EXIT_BAD_INPUT, WdmoeError } from '../core/index.js';
import type { Testbed } from '../testbed/index.js';
import { deployDevice, type DeployEvent, type DeviceDeployResult } from './deploy-device.js';
import { DeployFailedError } from './errors.js';
import { forEachDevice } from './for-each-device.js';
import { HashCache } from './hash-cache.js';
import { planJobs } from './jobs.js';
import type { SshConfigSource } from './ssh-config.js';

export interface DeployOptions {
  readonly testbed: Testbed;
  readonly dryRun: boolean;
  readonly acceptNew: boolean;
  readonly concurrency: number;
  readonly sshConfig: SshConfigSource;
  readonly connectTimeoutMs?: number;
  readonly readyTimeoutMs?: number;
  readonly hashCacheFile: string | null; // local files' sha256 by path+size+mtime, kept between deploys
  readonly verbose?: boolean; // report where each ssh setting came from
}

export interface DeployResult {
  readonly testbed: string;
  readonly dryRun: boolean;
  readonly devices: readonly DeviceDeployResult[];
  readonly uploadedBytes: number;
  readonly ms: number;
}

// Deploys every device; throws DeployFailedError listing each device that failed.
export async function deploy(options: DeployOptions, context: { signal?: AbortSignal; onEvent?: (event: DeployEvent) => void } = {}): Promise<DeployResult> {
  const started = performance.now();
  const { testbed } = options;
  assertSshTestbed(testbed, 'deploy');
  const jobs = planJobs(testbed, options.sshConfig);
  const hashes = await HashCache.load(options.hashCacheFile);
  const outcomes = await forEachDevice(jobs, options.concurrency, (job) => {
    context.onEvent?.({ kind: 'phase', device: job.device, text: `connecting to ${job.target.user}@${job.target.host}:${job.target.port}` });
    if (options.verbose === true) {
      const from = job.target.sources;
      context.onEvent?.({ kind: 'phase', device: job.device, text: `host from ${from.host}, port from ${from.port}, user from ${from.user}, key from ${from.key}, known_hosts ${job.target.knownHostsPath} from ${from.knownHosts}` });
      if (job.runtime === 'python') {
        const source = testbed.sources.get(`devices[${job.device}].python`);
        const where = source?.kind === 'yaml' ? `${source.file}:${source.line}` : 'the default';
        context.onEvent?.({ kind: 'phase', device: job.device, text: `python ${job.python ?? 'python3 on the ssh session\'s PATH'} from ${where}` });
      }
    }
    return deployDevice(job, {
      dryRun: options.dryRun,
      acceptNew: options.acceptNew,
      timeoutMs: options.connectTimeoutMs ?? testbed.timeouts.connectMs,
      readyTimeoutMs: options.readyTimeoutMs ?? 60_000,
      hashes,
      signal: context.signal,
      onEvent: context.onEvent,
      onHostKeyRecorded: (target, fingerprint) => context.onEvent?.({ kind: 'phase', device: target.device, text: `host key ${fingerprint} recorded in ${target.knownHostsPath}` }),
    });
  });
  await hashes.save();
  const failures = outcomes.flatMap((outcome) => (outcome.ok ? [] : [outcome.error]));
  if (failures.length > 0) throw new DeployFailedError(options.dryRun ? 'deploy --dry-run' : 'deploy', failures);
  const devices = outcomes.flatMap((outcome) => (outcome.ok ? [outcome.value] : []));
  const uploadedBytes = options.dryRun ? 0 : devices.reduce((total, device) => total + device.plan.uploadBytes, 0);
  return { testbed: testbed.file, dryRun: options.dryRun, devices, uploadedBytes, ms: Math.round(performance.now() - started) };
}

// deploy/status/teardown work on `mode: ssh` testbeds (loopback testbeds are run by `loopback up`).
export function assertSshTestbed(testbed: Testbed, command: string): void {
  if (testbed.mode !== 'ssh') {
    throw new WdmoeError('deploy-not-ssh', `testbed ${testbed.file} has mode ${testbed.mode}; ${command} needs mode: ssh`, {
      exitCode: EXIT_BAD_INPUT,
      hint: `for one-machine testbeds use \`wdmoe loopback up ${testbed.file}\` (or \`loopback up --netns\`, which writes an ssh testbed to deploy to)`,
    });
  }
}
