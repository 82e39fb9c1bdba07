// `wdmoe status`: each deployed agent's health — the wire protocol's handshake, PING (rtt) and STATS
// (requests served, errors), plus over ssh its pid, uptime and resident memory (STATS carries neither).
// A device that is down is reported, not thrown. Called by cli/commands/status.ts.
import type { Testbed } from '../testbed/index.js';
import { DeviceClient, type AgentStats } from '../transport/index.js';
import { connectDevice } from './connect-device.js';
import { assertSshTestbed } from './deploy.js';
import { forEachDevice } from './for-each-device.js';
import { planJobs } from './jobs.js';
import { agentProcessScript } from './remote-scripts.js';
import type { SshConfigSource } from './ssh-config.js';

export interface DeviceStatus {
  readonly device: string;
  readonly host: string;
  readonly port: number;
  readonly isUp: boolean;
  readonly error: string | null;
  readonly protocolVersion: number | null;
  readonly rttMs: number | null;
  readonly experts: number | null;
  readonly stats: AgentStats | null;
  readonly pid: number | null;
  readonly uptimeSec: number | null;
  readonly rssBytes: number | null;
}

export interface StatusOptions {
  readonly testbed: Testbed;
  readonly acceptNew: boolean;
  readonly concurrency: number;
  readonly sshConfig: SshConfigSource;
}

// The status of every device, in the testbed's order.
export async function statusOfDevices(options: StatusOptions, context: { signal?: AbortSignal } = {}): Promise<DeviceStatus[]> {
  const { testbed } = options;
  assertSshTestbed(testbed, 'status');
  const jobs = planJobs(testbed, options.sshConfig);
  const outcomes = await forEachDevice(jobs, options.concurrency, async (job) => {
    const base = { device: job.device, host: testbed.devices.find((device) => device.name === job.device)!.host, port: job.agentPort };
    let agentProcess: { pid: number; uptimeSec: number; rssBytes: number } | null = null;
    let sshError: string | null = null;
    try {
      const session = await connectDevice(job.target, { acceptNew: options.acceptNew, timeoutMs: testbed.timeouts.connectMs, signal: context.signal });
      try {
        const out = await session.exec(agentProcessScript(job.agentDir, job.device), { timeoutMs: 10_000 });
        const [pid, uptime, rss] = out.stdout.trim().split(/\s+/).map(Number);
        if (pid !== undefined && pid > 0) agentProcess = { pid, uptimeSec: uptime ?? 0, rssBytes: (rss ?? 0) * 1024 };
      } finally {
        session.close();
      }
    } catch (error) {
      sshError = error instanceof Error ? error.message : String(error);
    }
    try {
      const client = await DeviceClient.connect({ device: job.device, host: base.host, port: job.agentPort, token: testbed.auth.token, connectTimeoutMs: testbed.timeouts.connectMs, signal: context.signal });
      try {
        const rttMs = await client.ping({ deadlineMs: testbed.timeouts.connectMs, signal: context.signal });
        const stats = await client.stats({ deadlineMs: testbed.timeouts.connectMs, signal: context.signal });
        return { ...base, isUp: true, error: sshError, protocolVersion: client.info.protocolVersion, rttMs, experts: client.info.experts.length, stats, pid: agentProcess?.pid ?? null, uptimeSec: agentProcess?.uptimeSec ?? null, rssBytes: agentProcess?.rssBytes ?? null };
      } finally {
        await client.close();
      }
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return { ...base, isUp: false, error: sshError === null ? reason : `${reason}; ssh: ${sshError}`, protocolVersion: null, rttMs: null, experts: null, stats: null, pid: agentProcess?.pid ?? null, uptimeSec: agentProcess?.uptimeSec ?? null, rssBytes: agentProcess?.rssBytes ?? null };
    }
  });
  return outcomes.map((outcome) => (outcome.ok ? outcome.value : { device: outcome.device, host: '', port: 0, isUp: false, error: outcome.error.message, protocolVersion: null, rttMs: null, experts: null, stats: null, pid: null, uptimeSec: null, rssBytes: null }));
}
