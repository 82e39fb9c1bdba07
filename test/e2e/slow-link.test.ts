// A rate-limited link measurably slows the run, and the uplink/downlink parts of the breakdown follow
// bytes×8/rate + delay (the userspace shaper's model) within 10%.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { killAgents, readJsonl, runWdmoe, tempDir, waitForNoAgents, writeTestbed } from './helpers.js';

const DOWN = { rateBitsPerSec: 8e6, delayMs: 15 };
const UP = { rateBitsPerSec: 4e6, delayMs: 10 };

function within(measured: number, expected: number, tolerance: number, what: string): void {
  assert.ok(Math.abs(measured - expected) <= tolerance * expected, `${what}: measured ${measured.toFixed(3)} ms, model ${expected.toFixed(3)} ms (tolerance ${tolerance * 100}%)`);
}

test('a slow link slows the run and its breakdown follows bytes×8/rate + delay within 10%', async () => {
  const temp = tempDir();
  const marker = path.basename(temp.dir).slice(-6).toLowerCase();
  try {
    const slow = await writeTestbed(temp.dir, { devices: 2, link: '{ downlink: { rate: 8mbit, delay: 15ms }, uplink: { rate: 4mbit, delay: 10ms } }' });
    const out = path.join(temp.dir, 'slow');
    const run = await runWdmoe(['bench', slow.file, '--dataset', 'add', '--limit', '3', '--out', out]);
    assert.equal(run.exitCode, 0, String(run.stderr));
    const unshaped = await runWdmoe(['bench', slow.file, '--dataset', 'add', '--limit', '3', '--shaping', 'none', '--out', path.join(temp.dir, 'fast')]);
    assert.equal(unshaped.exitCode, 0, String(unshaped.stderr));

    const layers = readJsonl<any>(path.join(out, 'layers.jsonl'));
    assert.ok(layers.length > 0);
    // Every (layer, device) transfer against the model; judged in aggregate and by the median, so one
    // late timer on a loaded 2-core machine does not decide the test.
    const pairs = { downlink: [] as Array<[number, number]>, uplink: [] as Array<[number, number]> };
    for (const layer of layers) {
      for (const device of layer.devices) {
        pairs.downlink.push([device.downlink_ms, (device.downlink_bytes * 8 * 1000) / DOWN.rateBitsPerSec + DOWN.delayMs]);
        pairs.uplink.push([device.uplink_ms, (device.uplink_bytes * 8 * 1000) / UP.rateBitsPerSec + UP.delayMs]);
        assert.equal(device.downlink_rate_bits_per_sec, DOWN.rateBitsPerSec);
        assert.equal(device.uplink_rate_bits_per_sec, UP.rateBitsPerSec);
      }
    }
    for (const [direction, list] of Object.entries(pairs)) {
      const where = `${direction}, ${list.length} transfers (down 8mbit+15ms, up 4mbit+10ms)`;
      within(list.reduce((sum, [m]) => sum + m, 0), list.reduce((sum, [, e]) => sum + e, 0), 0.1, `total ${where}`);
      const ratios = list.map(([m, e]) => m / e).sort((a, b) => a - b);
      within(ratios[Math.floor(ratios.length / 2)]!, 1, 0.1, `median measured/model ratio, ${where}`);
    }
    // The item's breakdown is the critical path: its downlink/uplink are the critical devices' parts.
    const results = readJsonl<any>(path.join(out, 'results.jsonl'));
    for (const result of results) {
      const itemLayers = layers.filter((layer) => layer.id === result.id);
      const critical = itemLayers.map((layer) => layer.devices.find((d: any) => d.device === layer.critical_device));
      within(result.latency_ms.breakdown.downlink, critical.reduce((sum, d) => sum + d.downlink_ms, 0), 0.02, `${result.id} downlink sum`);
      within(result.latency_ms.breakdown.uplink, critical.reduce((sum, d) => sum + d.uplink_ms, 0), 0.02, `${result.id} uplink sum`);
    }
    const fast = readJsonl<any>(path.join(temp.dir, 'fast', 'results.jsonl'));
    const mean = (lines: any[]) => lines.reduce((sum, line) => sum + line.latency_ms.total, 0) / lines.length;
    assert.ok(mean(results) > mean(fast) + 4 * (DOWN.delayMs + UP.delayMs), `shaped mean ${mean(results)} ms vs unshaped ${mean(fast)} ms`);
    assert.deepEqual(await waitForNoAgents(marker), []);
  } finally {
    killAgents(marker);
    temp.dispose();
  }
});
