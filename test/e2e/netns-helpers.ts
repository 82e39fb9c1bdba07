// Shared by the netns end-to-end tests (netns.test.ts, netns-python.test.ts): bin/wdmoe with its output as
// text, testbed variants, and the leftover probes (our namespaces, veths/ifbs and live processes by run id
// or state folder, never by a process name).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { runWdmoe as runWdmoeRaw } from './helpers.js';

// bin/wdmoe with its output as text.
export async function runWdmoeText(args: readonly string[], options: Parameters<typeof runWdmoeRaw>[1]): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const result = await runWdmoeRaw(args, options);
  return { exitCode: result.exitCode ?? 1, stdout: String(result.stdout), stderr: String(result.stderr) };
}

// Writes `to` as `from` changed by `change`; returns `to`.
export function writeVariant(from: string, to: string, change: (text: string) => string): string {
  writeFileSync(to, change(readFileSync(from, 'utf8')));
  return to;
}

// Our network namespaces of run `run` that still exist.
export function namespacesOf(run: string): string[] {
  return execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).split('\n').map((line) => line.split(' ')[0]!).filter((name) => name.startsWith(`wdmoe-${run}-`));
}

// Our links (veths, ifbs) of run `run` that still exist.
export function linksOf(run: string): string[] {
  return execFileSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' }).split('\n').map((line) => line.split(': ')[1]?.split('@')[0] ?? '').filter((name) => name.startsWith(`wd${run}`));
}

// Live (non-zombie) processes whose command line names a path under `dir` (our sshds' configs, agents' dirs).
export function liveProcessesMentioning(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (/^State:\s+Z/m.test(readFileSync(`/proc/${entry}/status`, 'utf8'))) continue;
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cmdline.includes(dir)) found.push(`${entry}: ${cmdline}`);
    } catch {
      // ended while we looked
    }
  }
  return found;
}
