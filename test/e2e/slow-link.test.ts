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
    for (const layer of layers) {
      for (const device of layer.devices) {
        const where = `item ${layer.id} layer ${layer.layer} ${device.device} (${device.downlink_bytes} B down at 8mbit+15ms, ${device.uplink_bytes} B up at 4mbit+10ms)`;
        within(device.downlink_ms, (device.downlink_bytes * 8 * 1000) / DOWN.rateBitsPerSec + DOWN.delayMs, 0.1, `downlink ${where}`);
        within(device.uplink_ms, (device.uplink_bytes * 8 * 1000) / UP.rateBitsPerSec + UP.delayMs, 0.1, `uplink ${where}`);
        assert.equal(device.downlink_rate_bits_per_sec, DOWN.rateBitsPerSec);
      }
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
