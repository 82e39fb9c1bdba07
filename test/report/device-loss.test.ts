import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deviceLossNotes } from '../../src/report/device-loss.js';
import type { DeviceEventRecord } from '../../src/records/index.js';

const base = { at: '2026-12-03T00:00:00.000Z', dataset: 'add', policy: 'topk', step: 0, reason: null, experts: [], to: null, down_ms: null, attempts: null };
const event = (fields: Partial<DeviceEventRecord> & Pick<DeviceEventRecord, 'event' | 'device'>): DeviceEventRecord => ({ ...base, id: 'i1', layer: 1, ...fields });

test('a lost device gets one note: when and why it went down, where its experts went, and that it came back', () => {
  const notes = deviceLossNotes([
    event({ event: 'down', device: 'dev-3', reason: 'lost: connection to 127.0.0.1:1 lost' }),
    event({ event: 'failover', device: 'dev-3', experts: ['1.3'], to: 'dev-4' }),
    event({ event: 'failover', device: 'dev-3', experts: ['1.2'], to: 'dev-2' }),
    event({ event: 'reconnected', device: 'dev-3', dataset: null, id: null, policy: null, step: null, layer: null, down_ms: 2400, attempts: 4 }),
  ]);
  assert.deepEqual(notes, ['device dev-3: down 1× (first in layer 1 of add/i1 topk: lost: connection to 127.0.0.1:1 lost); failover: 2 experts re-dispatched to dev-4, dev-2 (2 layer calls); reconnected 1× (down at most 2.4 s)']);
});

test('skipped experts and failed items are counted per device; a run without events has no note', () => {
  const notes = deviceLossNotes([
    event({ event: 'down', device: 'dev-1', reason: 'timeout: no RESULT for layer 0 within 2000 ms', layer: 0 }),
    event({ event: 'skip', device: 'dev-1', experts: ['0.1'], layer: 0 }),
    event({ event: 'skip', device: 'dev-1', experts: ['1.1', '1.3'], id: 'i2' }),
    event({ event: 'item-failed', device: 'dev-2', reason: 'lost: connection lost', experts: ['1.2'] }),
  ]);
  assert.deepEqual(notes, [
    'device dev-1: down 1× (first in layer 0 of add/i1 topk: timeout: no RESULT for layer 0 within 2000 ms); skipped 0.1, 1.1, 1.3 in 2 layers of 2 items (weights renormalised); not reconnected before the run ended',
    'device dev-2: item add/i1 topk failed in layer 1: lost: connection lost',
  ]);
  assert.deepEqual(deviceLossNotes([]), []);
});
