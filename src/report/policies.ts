// The policies of each series as the run resolved them (policies.json: label → {policy, params, source,
// …}), so a table says which parameters produced which numbers. Older runs whose policies.json lacks
// these keys (or have none) show "–". Pure; called by build-report.ts.

import type { PolicyRow } from './report-types.js';
import type { Series } from './series.js';

const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);

// "theta=0.3, rounds=5" from a parameter object; null when empty.
function parametersText(params: Readonly<Record<string, unknown>> | null): string | null {
  if (params === null || Object.keys(params).length === 0) return null;
  return Object.entries(params).map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`).join(', ');
}

// One row per series whose run's policies.json says what its label resolved to.
export function policyRows(series: readonly Series[]): PolicyRow[] {
  return series.flatMap((one) => {
    const entry = one.folder.policyParams?.[one.ref.policy];
    if (entry === null || typeof entry !== 'object') return [];
    const fields = entry as Record<string, unknown>;
    const params = fields['params'] !== null && typeof fields['params'] === 'object' ? (fields['params'] as Record<string, unknown>) : null;
    const row = { ...one.ref, definition: text(fields['policy']), parameters: parametersText(params), source: text(fields['source']), params };
    return row.definition === null && row.source === null && row.parameters === null ? [] : [row]; // an older policies.json says nothing of these
  });
}
