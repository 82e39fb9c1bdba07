// `wdmoe teardown`: stops every device's agent (by its recorded pid, over ssh), removes the tc rules
// recorded for this testbed (tc-apply's state file), and with purge removes what deploy uploaded.
// Called by cli/commands/teardown.ts.
import { removeTcObjects } from '../links/index.js';
import type { Testbed } from '../testbed/index.js';
import { connectDevice } from './connect-device.js';
import { assertSshTestbed } from './deploy.js';
import { DeployError, DeployFailedError } from './errors.js';
import { forEachDevice } from './for-each-device.js';
import { planJobs } from './jobs.js';
import { purgeScript, stopScript } from './remote-scripts.js';
import type { SshConfigSource } from './ssh-config.js';

export interface TeardownOptions {
  readonly testbed: Testbed;
  readonly purge: boolean;
  readonly acceptNew: boolean;
  readonly concurrency: number;
  readonly sshConfig: SshConfigSource;
  readonly tcStateFile: string | null; // where tc objects for this testbed are recorded, if any
}

export interface TeardownResult {
  readonly devices: ReadonlyArray<{ device: string; stoppedPid: number | null; purged: boolean }>;
  readonly tcObjectsRemoved: number;
}

// Stops agents (and purges); throws DeployFailedError listing devices that could not be reached.
export async function teardown(options: TeardownOptions, context: { signal?: AbortSignal } = {}): Promise<TeardownResult> {
  const { testbed } = options;
  assertSshTestbed(testbed, 'teardown');
  const jobs = planJobs(testbed, options.sshConfig);
  const outcomes = await forEachDevice(jobs, options.concurrency, async (job) => {
    const session = await connectDevice(job.target, { acceptNew: options.acceptNew, timeoutMs: testbed.timeouts.connectMs, signal: context.signal });
    try {
      const script = options.purge ? `${stopScript(job.agentDir, job.device)}\n${purgeScript(job.agentDir)}` : stopScript(job.agentDir, job.device);
      const out = await session.exec(script, { timeoutMs: 20_000 });
      if (out.code !== 0) throw new DeployError('teardown-failed', job.device, 'teardown', `stopping the agent failed (exit ${out.code}): ${out.stderr.trim().slice(0, 300)}`, { hint: `stop it by hand: ssh ${job.target.user}@${job.target.host} kill $(cat ${job.agentDir}/run/agent.pid)` });
      const pid = /^stopped (\d+)$/m.exec(out.stdout)?.[1];
      return { device: job.device, stoppedPid: pid === undefined ? null : Number(pid), purged: options.purge };
    } finally {
      session.close();
    }
  });
  const tcObjectsRemoved = options.tcStateFile === null ? 0 : (await removeTcObjects(options.tcStateFile)).length;
  const failures = outcomes.flatMap((outcome) => (outcome.ok ? [] : [outcome.error]));
  if (failures.length > 0) throw new DeployFailedError('teardown', failures);
  return { devices: outcomes.flatMap((outcome) => (outcome.ok ? [outcome.value] : [])), tcObjectsRemoved };
}
