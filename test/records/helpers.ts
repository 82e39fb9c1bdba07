// Shared by the records tests: temp run folders and a valid result record to vary.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ResultRecord } from '../../src/records/records.js';

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'wdmoe-records-'));
}

// A valid results line; `overrides` replace top-level keys.
export function makeResult(overrides: Partial<ResultRecord> = {}): ResultRecord {
  return {
    dataset: 'add',
    id: 'add-0',
    policy: 'topk',
    prediction: 0,
    gold: 0,
    correct: true,
    n_tokens: 24,
    latency_ms: { total: 10, breakdown: { bs_compute: 4, uplink: 2, device_compute: 1, downlink: 2, other: 1 } },
    experts: { used: 48, dropped: 0 },
    ...overrides,
  };
}
