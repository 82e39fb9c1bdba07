// On --resume: drops from the side files (scores, generations, layers) the lines of items that have no
// results.jsonl line — an item killed between its side lines and its results line runs again, and must
// not be counted twice by report or a later replay. Rewrites a file atomically (temp + rename), and only
// when it holds such lines.
import { existsSync, readFileSync } from 'node:fs';
import { writeFileAtomicSync } from '../core/index.js';
import { resultKey } from './records.js';

// Keeps only lines whose (dataset, policy, id) is in `finished`; returns how many lines were dropped.
export function pruneUnfinished(file: string, finished: ReadonlySet<string>): number {
  if (!existsSync(file)) return 0;
  const lines = readFileSync(file, 'utf8').split('\n');
  const kept: string[] = [];
  let dropped = 0;
  for (const line of lines) {
    if (line.trim() === '') continue;
    let key: string | undefined;
    try {
      const value = JSON.parse(line) as { dataset?: unknown; policy?: unknown; id?: unknown };
      if (typeof value.dataset === 'string' && typeof value.policy === 'string' && typeof value.id === 'string') key = resultKey(value.dataset, value.policy, value.id);
    } catch {
      key = undefined; // a torn last line: the writer cuts it off when it opens the file
    }
    if (key !== undefined && !finished.has(key)) dropped += 1;
    else kept.push(line);
  }
  if (dropped > 0) {
    writeFileAtomicSync(file, kept.map((line) => `${line}\n`).join(''));
  }
  return dropped;
}
