// Link times read off the bytes (links shaped outside the BS, as tc does): the pure split, and a
// DeviceClient with isTimedOnWire talking to an agent behind a paced TCP relay on 127.0.0.1 (a child
// process, test/fixtures/paced-agent.ts) that stands in for the kernel's htb — the measured downlink and uplink follow the relay's rates, at two rates, and the
// device's compute time stays out of both.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { UplinkRate, measureWireTimes } from '../../src/transport/client-wire-timing.js';
import { DeviceClient, type RunRequest } from '../../src/transport/index.js';

const TOKEN = 'wire-timing-token';
const RELAY = fileURLToPath(new URL('../fixtures/paced-agent.ts', import.meta.url));

test('the split: the RESULT\'s spread is extrapolated to its first chunk; the rest before it, less compute, is downlink', () => {
  // 10 000 B RESULT, 1 000 B in its first chunk, 9 ms from first to last chunk: 1 ms for the first chunk.
  const times = measureWireTimes(100, { firstByteMs: 130, lastByteMs: 139, firstChunkBytes: 1000 }, 10_000, 5);
  assert.deepEqual(times, { downlinkMs: 24, uplinkMs: 10 });
  // One chunk shows no rate: uplink 0, and everything before the byte that compute does not explain is downlink.
  assert.deepEqual(measureWireTimes(100, { firstByteMs: 110, lastByteMs: 110, firstChunkBytes: 500 }, 500, 4), { downlinkMs: 6, uplinkMs: 0 });
  // The first chunk's share never exceeds the time there is (a clock that says otherwise gives downlink 0).
  assert.deepEqual(measureWireTimes(100, { firstByteMs: 101, lastByteMs: 111, firstChunkBytes: 5000 }, 10_000, 0), { downlinkMs: 0, uplinkMs: 11 });
  // A RESULT read in one go (the BS was busy) borrows the rate earlier RESULTs showed: 1 000 B/ms here.
  const rate = new UplinkRate();
  measureWireTimes(0, { firstByteMs: 30, lastByteMs: 39, firstChunkBytes: 1000 }, 10_000, 5, rate);
  assert.equal(rate.bytesPerMs, 1000);
  assert.deepEqual(measureWireTimes(100, { firstByteMs: 130, lastByteMs: 130, firstChunkBytes: 8000 }, 8000, 5, rate), { downlinkMs: 17, uplinkMs: 8 });
  // Compute longer than the gap (the device's clock ran ahead): downlink 0, never negative.
  assert.equal(measureWireTimes(100, { firstByteMs: 105, lastByteMs: 105, firstChunkBytes: 64 }, 64, 9).downlinkMs, 0);
});

// The paced link and the agent behind it run in a child process of their own (as a device's agent
// would), so their timers and compute do not share, and skew, the event loop of the client under test.
async function startPacedAgent(bitsPerSec: number, computeDelayMs: number): Promise<{ port: number; close(): Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', RELAY, String(bitsPerSec), String(computeDelayMs), TOKEN], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    let text = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes('\n')) resolve((JSON.parse(text.split('\n')[0]!) as { port: number }).port);
    });
    child.once('exit', (code) => reject(new Error(`paced agent fixture exited with ${code}`)));
  });
  return { port, close: async () => { child.kill('SIGTERM'); await exited; } };
}

function request(rows: number, hidden: number): RunRequest {
  const k = 1;
  return {
    layer: 0, rows, hidden, k,
    states: Float32Array.from({ length: rows * hidden }, (_, i) => (i % 7) - 3),
    weights: new Float32Array(rows * k).fill(1),
    experts: new Uint16Array(rows * k),
  };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

test('behind a paced link, the client times downlink and uplink at the link\'s rate (two rates), compute excluded', async (t) => {
  const perRate: Record<string, { downlinkMs: number; uplinkMs: number; computeMs: number }> = {};
  const [slow, fast] = await Promise.all([startPacedAgent(4e6, 15), startPacedAgent(8e6, 15)]);
  try {
    for (const [bitsPerSec, link] of [[4e6, slow], [8e6, fast]] as const) {
      const client = await DeviceClient.connect({ device: 'dev-1', host: '127.0.0.1', port: link.port, token: TOKEN, connectTimeoutMs: 5000, isTimedOnWire: true });
      try {
        await client.run(request(1, 256), { deadlineMs: 10_000 }); // warm up the connection
        const runs = [];
        for (let i = 0; i < 5; i++) {
          const { timing } = await client.run(request(32, 256), { deadlineMs: 10_000 }); // 32 KB each way
          assert.ok(timing.sendStartMs <= timing.downlinkDoneMs && timing.downlinkDoneMs <= timing.resultReceivedMs && timing.resultReceivedMs <= timing.deliveredMs, JSON.stringify(timing));
          runs.push(timing);
        }
        // The median of five: a stall of the (shared) machine only ever adds time to a run or two.
        const down = median(runs.map((r) => r.downlinkDoneMs - r.sendStartMs));
        const up = median(runs.map((r) => r.deliveredMs - r.resultReceivedMs));
        perRate[bitsPerSec] = { downlinkMs: down, uplinkMs: up, computeMs: median(runs.map((r) => r.deviceComputeMs)) };
        const expectedDown = (runs[0]!.downlinkBytes * 8) / bitsPerSec * 1000;
        const expectedUp = (runs[0]!.uplinkBytes * 8) / bitsPerSec * 1000;
        const config = `${bitsPerSec / 1e6} mbit link, RUN ${runs[0]!.downlinkBytes} B, RESULT ${runs[0]!.uplinkBytes} B, compute ${perRate[bitsPerSec]!.computeMs.toFixed(1)} ms`;
        // The link's burst (sent at once after idle) blurs the split a little; the sum is tighter.
        assert.ok(Math.abs(down - expectedDown) <= 0.25 * expectedDown, `${config}: downlink ${down.toFixed(2)} ms, expected ${expectedDown.toFixed(2)} ms ±25%`);
        assert.ok(Math.abs(up - expectedUp) <= 0.25 * expectedUp, `${config}: uplink ${up.toFixed(2)} ms, expected ${expectedUp.toFixed(2)} ms ±25%`);
        assert.ok(Math.abs(down + up - expectedDown - expectedUp) <= 0.2 * (expectedDown + expectedUp), `${config}: downlink + uplink ${(down + up).toFixed(2)} ms, expected ${(expectedDown + expectedUp).toFixed(2)} ms ±20%`);
      } finally {
        await client.close();
      }
    }
  } finally {
    await Promise.all([slow.close(), fast.close()]);
  }
  t.diagnostic(`measured: ${JSON.stringify(perRate)}`);
  // Half the rate, twice the time, in both directions.
  const down = perRate[4e6]!.downlinkMs / perRate[8e6]!.downlinkMs;
  const up = perRate[4e6]!.uplinkMs / perRate[8e6]!.uplinkMs;
  assert.ok(down > 1.6 && down < 2.4 && up > 1.6 && up < 2.4, `4 vs 8 mbit: downlink ×${down.toFixed(2)}, uplink ×${up.toFixed(2)} (expected ×2): ${JSON.stringify(perRate)}`);
});

test('without isTimedOnWire the same paced link shows as no link time (the transport shapes nothing and times nothing)', async () => {
  const link = await startPacedAgent(8e6, 0);
  const client = await DeviceClient.connect({ device: 'dev-1', host: '127.0.0.1', port: link.port, token: TOKEN, connectTimeoutMs: 5000 });
  try {
    const { timing } = await client.run(request(16, 256), { deadlineMs: 10_000 });
    assert.ok(timing.downlinkDoneMs - timing.sendStartMs < 2 && timing.deliveredMs - timing.resultReceivedMs < 2, JSON.stringify(timing));
  } finally {
    await client.close();
    await link.close();
  }
});
