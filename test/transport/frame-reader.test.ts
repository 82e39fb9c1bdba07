// FrameReader: whole frames out of arbitrary chunking, zero-copy when a frame lies in one aligned
// chunk, correct copies when it does not (into pooled buffers with a lease when given a pool), and
// rejection of a bad header before its payload arrives.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { FrameReader } from '../../src/transport/frame-reader.js';
import { encodeFrame, type Frame, type RunFrame } from '../../src/transport/frame.js';
import { resolveFrameLimits } from '../../src/transport/frame-header.js';
import { ProtocolError } from '../../src/transport/errors.js';
import { PayloadPool, type PayloadLease } from '../../src/transport/payload-pool.js';

const limits = resolveFrameLimits();
const run = (requestId: number, hidden: number): RunFrame => ({
  type: 'run', requestId, layer: 1, dtype: 'fp32', rows: 2, hidden, k: 1, deadlineMs: 100,
  states: Float32Array.from({ length: 2 * hidden }, (_, i) => i + requestId), weights: new Float32Array([0.5, 1]), experts: new Uint16Array([0, 1]),
});
const frames: Frame[] = [run(1, 3), { type: 'ping', requestId: 2 }, run(3, 1000), { type: 'error', requestId: 4, code: 'deadline', message: 'late' }, run(5, 1)];
const stream = Buffer.concat(frames.map(encodeFrame));

function summarize(frame: Frame): unknown {
  return frame.type === 'run' ? { id: frame.requestId, states: Array.from(frame.states), experts: Array.from(frame.experts) } : frame;
}

test('frames come out whole and in order whatever the chunking', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 1, max: stream.length }), { maxLength: 20 }), (cuts) => {
      const points = [...new Set([0, ...cuts, stream.length])].sort((a, b) => a - b);
      const reader = new FrameReader(limits);
      const out: Frame[] = [];
      for (let i = 0; i + 1 < points.length; i++) {
        // Copy each chunk to a fresh buffer at an odd offset, like a pooled socket buffer might be.
        const backing = Buffer.alloc(points[i + 1]! - points[i]! + 1);
        stream.copy(backing, 1, points[i], points[i + 1]);
        out.push(...reader.push(backing.subarray(1)).map((r) => r.frame));
      }
      assert.deepEqual(out.map(summarize), frames.map(summarize));
      assert.equal(reader.bufferedBytes, 0);
    }),
  );
});

test('a frame inside one aligned chunk is decoded without copying its states', () => {
  const bytes = encodeFrame(run(1, 64));
  const chunk = Buffer.from(new ArrayBuffer(bytes.length));
  bytes.copy(chunk);
  const [received] = new FrameReader(limits).push(chunk);
  assert.ok(received !== undefined && received.frame.type === 'run');
  assert.equal(received.frame.states.buffer, chunk.buffer);
  assert.equal(received.wireBytes, bytes.length);
});

test('byte-by-byte feeding yields the same frames', () => {
  const reader = new FrameReader(limits);
  const out: Frame[] = [];
  for (const byte of stream) out.push(...reader.push(Buffer.from([byte])).map((r) => r.frame));
  assert.deepEqual(out.map(summarize), frames.map(summarize));
});

test('an oversized header is rejected as soon as its 16 bytes arrive, and the reader then stays closed', () => {
  const reader = new FrameReader(resolveFrameLimits({ maxPayloadBytes: 1024 }));
  const bytes = encodeFrame(run(1, 1000));
  assert.deepEqual(reader.push(bytes.subarray(0, 10)), []);
  assert.throws(() => reader.push(bytes.subarray(10, 16)), (e: unknown) => e instanceof ProtocolError && e.reason === 'too-large');
  assert.deepEqual(reader.push(encodeFrame({ type: 'ping', requestId: 1 })), []);
});

test('garbage is rejected with bad-magic', () => {
  assert.throws(() => new FrameReader(limits).push(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n')), (e: unknown) => e instanceof ProtocolError && e.reason === 'bad-magic');
});

test('with a pool, a large frame that spans chunks comes with a lease, and its buffer is reused once released', () => {
  const pool = new PayloadPool();
  const reader = new FrameReader(limits, pool);
  const bytes = encodeFrame(run(1, 8192)); // 64 KiB of states
  const feed = (): { frame: Frame; lease: PayloadLease | undefined } => {
    const got: Array<{ frame: Frame; lease: PayloadLease | undefined }> = [];
    for (let at = 0; at < bytes.length; at += 10_000) reader.read(bytes.subarray(at, at + 10_000), (frame, _wireBytes, lease) => got.push({ frame, lease }));
    assert.equal(got.length, 1);
    return got[0]!;
  };
  const first = feed();
  assert.ok(first.lease !== undefined && first.frame.type === 'run');
  assert.equal(first.frame.states.buffer, first.lease, 'states view the pooled payload');
  assert.deepEqual(Array.from(first.frame.states.subarray(0, 3)), [1, 2, 3]);
  const second = feed();
  assert.notEqual(second.lease, first.lease, 'a buffer still held by its consumer is not reused');
  pool.release(first.lease);
  const third = feed();
  assert.equal(third.lease, first.lease);
  assert.deepEqual(summarize(third.frame), summarize(run(1, 8192)));
});

test('small frames and frames inside one chunk carry no lease', () => {
  const reader = new FrameReader(limits, new PayloadPool());
  const leases: Array<PayloadLease | undefined> = [];
  const big = encodeFrame(run(1, 8192));
  reader.read(big, (_frame, _wireBytes, lease) => leases.push(lease));
  const small = encodeFrame(run(2, 3));
  for (const byte of small) reader.read(Buffer.from([byte]), (_frame, _wireBytes, lease) => leases.push(lease));
  assert.deepEqual(leases, [undefined, undefined]);
});

// A pool that records every size it was asked for: what the reader would have allocated.
function recordingPool(): { pool: PayloadPool; asked: number[] } {
  const asked: number[] = [];
  const pool = new PayloadPool();
  const take = pool.take.bind(pool);
  pool.take = (bytes: number) => {
    asked.push(bytes);
    return take(bytes);
  };
  return { pool, asked };
}

test('a RUN whose fixed part implies another length is refused before its payload is allocated', () => {
  const bytes = encodeFrame(run(9, 60_000)); // 480 KB of states
  bytes.writeUInt32LE(bytes.readUInt32LE(12) + 4, 12); // header claims 4 more bytes than rows × hidden × k imply
  const { pool, asked } = recordingPool();
  const reader = new FrameReader(limits, pool);
  assert.throws(() => reader.push(bytes.subarray(0, 16 + 20)), (e: unknown) => e instanceof ProtocolError && e.reason === 'bad-length');
  assert.deepEqual(asked, []);
});

test('a frame type with a fixed payload size and another length in its header is refused from the header alone', () => {
  const ping = encodeFrame({ type: 'ping', requestId: 1 });
  ping.writeUInt32LE(1_000_000, 12);
  assert.throws(() => new FrameReader(limits).push(ping), (e: unknown) => e instanceof ProtocolError && e.reason === 'bad-length');
  const hello = encodeFrame({ type: 'hello', requestId: 0, nonce: Buffer.alloc(32), clientName: 'x' });
  hello.writeUInt32LE(10, 12);
  assert.throws(() => new FrameReader(limits).push(hello.subarray(0, 16)), (e: unknown) => e instanceof ProtocolError && e.reason === 'truncated');
});

test('the inspect hook sees header and fixed part before the payload and can refuse the frame', () => {
  const seen: string[] = [];
  const { pool, asked } = recordingPool();
  const reader = new FrameReader(limits, pool, (header, fixed) => {
    seen.push(`${header.type}:${fixed.length}`);
    if (header.type === 'run' && fixed.readUInt32LE(8) !== 3) throw new ProtocolError('bad-shape', 'hidden must be 3');
  });
  const good = encodeFrame(run(1, 3));
  const bad = encodeFrame(run(2, 60_000));
  assert.equal(reader.push(Buffer.concat([good, encodeFrame({ type: 'ping', requestId: 5 })])).length, 2);
  assert.throws(() => reader.push(bad.subarray(0, 1000)), (e: unknown) => e instanceof ProtocolError && e.reason === 'bad-shape');
  assert.deepEqual(seen, ['run:20', 'ping:0', 'run:20']);
  assert.deepEqual(asked, []);
});

test('bufferedBytes counts a header whose payload has not arrived yet', () => {
  const reader = new FrameReader(limits);
  const bytes = encodeFrame(run(1, 3));
  reader.push(bytes.subarray(0, 16));
  assert.equal(reader.bufferedBytes, 16);
  reader.push(bytes.subarray(16, 30));
  assert.equal(reader.bufferedBytes, 30);
  reader.push(bytes.subarray(30, 60));
  assert.equal(reader.bufferedBytes, 60);
  assert.equal(reader.push(bytes.subarray(60)).length, 1);
  assert.equal(reader.bufferedBytes, 0);
});
