import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openLayerLog, readLayerLog, type LayerRecord } from '../../src/records/layer-log.js';
import { tempDir } from './helpers.js';

const record: LayerRecord = {
  dataset: 'add', id: 'add-0', policy: 'topk', step: 0, layer: 2, tokens: 30,
  experts: { kept: 60, dropped: 0 }, bs_compute_ms: 1.25, latency_ms: 9.5, critical_device: 'jetson-1',
  devices: [{
    device: 'jetson-1', experts: ['2.0', '2.4'], rows: 17, downlink_bytes: 17408, uplink_bytes: 17408,
    downlink_rate_bits_per_sec: 20e6, uplink_rate_bits_per_sec: null, downlink_ms: 7, device_compute_ms: 0.5, uplink_ms: 0.75, total_ms: 8.25,
  }],
};

test('layer log lines round-trip with the documented keys', () => {
  const file = join(tempDir(), 'layers.jsonl');
  const writer = openLayerLog(file, { durable: false });
  writer.append(record);
  writer.append({ ...record, layer: 3, devices: [], critical_device: null });
  writer.close();
  assert.deepEqual(readLayerLog(file), [record, { ...record, layer: 3, devices: [], critical_device: null }]);
  assert.equal(Object.keys(JSON.parse(readFileSync(file, 'utf8').split('\n')[0]!) as object).join(','),
    'dataset,id,policy,step,layer,tokens,experts,bs_compute_ms,latency_ms,critical_device,devices');
});

const invalidRecords = [
  { name: 'a zero link rate', record: { ...record, devices: [{ ...record.devices[0]!, uplink_rate_bits_per_sec: 0 }] }, error: /uplink_rate_bits_per_sec/ },
  { name: 'fractional bytes', record: { ...record, devices: [{ ...record.devices[0]!, downlink_bytes: 1.5 }] }, error: /downlink_bytes/ },
  { name: 'a negative layer', record: { ...record, layer: -1 }, error: /layer/ },
];
for (const bad of invalidRecords) {
  test(`layer log refuses ${bad.name}`, () => {
    const writer = openLayerLog(join(tempDir(), 'layers.jsonl'), { durable: false });
    assert.throws(() => writer.append(bad.record), bad.error);
    writer.close();
  });
}
