// The run's device-loss history (device-events.jsonl) as report notes, one line per device that was lost:
// how often it went down and first why, the failovers of its experts to replicas, the experts skipped
// (--on-device-loss skip), the items failed because of it (--on-device-loss fail) and its reconnections.
// Notes show in every rendering (table, Markdown, HTML, JSON) without a new table. Pure; called by load-run.ts.
import type { DeviceEventRecord } from '../records/index.js';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

// One note per device with events, in order of its first event.
export function deviceLossNotes(events: readonly DeviceEventRecord[]): string[] {
  const byDevice = new Map<string, DeviceEventRecord[]>();
  for (const event of events) byDevice.set(event.device, [...(byDevice.get(event.device) ?? []), event]);
  return [...byDevice].map(([device, list]) => {
    const of = (kind: DeviceEventRecord['event']) => list.filter((event) => event.event === kind);
    const parts: string[] = [];
    const downs = of('down');
    const where = (event: DeviceEventRecord) => `layer ${event.layer ?? '?'} of ${event.dataset ?? '?'}/${event.id ?? '?'} ${event.policy ?? ''}`.trim();
    if (downs.length > 0) parts.push(`down ${downs.length}× (first in ${where(downs[0]!)}: ${downs[0]!.reason ?? 'no reason recorded'})`);
    const failovers = of('failover');
    if (failovers.length > 0) {
      const targets = [...new Set(failovers.map((event) => event.to ?? '?'))].join(', ');
      const experts = new Set(failovers.flatMap((event) => event.experts));
      parts.push(`failover: ${plural(experts.size, 'expert')} re-dispatched to ${targets} (${plural(failovers.length, 'layer call')})`);
    }
    const skips = of('skip');
    if (skips.length > 0) {
      const items = new Set(skips.map((event) => `${event.dataset}\0${event.id}\0${event.policy}`));
      const experts = [...new Set(skips.flatMap((event) => event.experts))];
      parts.push(`skipped ${experts.slice(0, 6).join(', ')}${experts.length > 6 ? ', …' : ''} in ${plural(skips.length, 'layer')} of ${plural(items.size, 'item')} (weights renormalised)`);
    }
    for (const failed of of('item-failed')) parts.push(`item ${failed.dataset}/${failed.id} ${failed.policy} failed in layer ${failed.layer}: ${failed.reason}`);
    const reconnects = of('reconnected');
    if (reconnects.length > 0) {
      const longest = Math.max(...reconnects.map((event) => event.down_ms ?? 0));
      parts.push(`reconnected ${reconnects.length}× (down at most ${(longest / 1000).toFixed(1)} s)`);
    } else if (downs.length > 0) {
      parts.push('not reconnected before the run ended');
    }
    return `device ${device}: ${parts.join('; ')}`;
  });
}
