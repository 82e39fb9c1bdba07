// Protocol fuzzer (issue 11 item 7): at least 10,000 random and mutated frames (valid HELLO / AUTH / RUN /
// PING / STATS-REQUEST / BYE frames with bit flips, truncation, rewritten length and count fields, huge
// lengths, wrong dtype, type, version or hidden width, random bytes, several frames in one stream cut into
// random chunks) against a live agent process on a real socket. Each fast-check case is one connection
// in one handshake state. An oracle (a reference FrameReader over the same bytes plus the agent's rules)
// says what the agent must answer; the agent must answer exactly that: the replies to every complete
// valid frame, in order, then ERROR with a connection-level code and a close where the stream went bad
// (or, for a stream ending in an incomplete frame, nothing or such an ERROR). Afterwards the same
// process serves a normal RUN correctly and its memory (after GC) grew less than a bound.
// WDMOE_FUZZ_SEED=<n> replays a run; the seed is printed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect as connectTcp, type Socket } from 'node:net';
import fc from 'fast-check';
import {
  DeviceClient, FrameReader, NO_EXPERT, ProtocolError, computeProof, createNonce, encodeFrame, encodeRun, resolveFrameLimits,
  type Frame, type RunFrame,
} from '../../src/transport/index.js';
import { float16ToFloat32, float32ToFloat16 } from '../../src/transport/dtype.js';
import { expectedOutput } from '../fixtures/agents/fake-compute.js';
import { LIVE_AGENT_EXPERTS, LIVE_AGENT_HIDDEN, LIVE_AGENT_TOKEN } from '../fixtures/agents/live-agent.js';
import { spawnLiveAgent, type LiveAgent } from '../fixtures/agents/spawn-live-agent.js';

const FRAMES_WANTED = Number(process.env['WDMOE_FUZZ_FRAMES'] ?? 10_000);
const MEMORY_BOUND_BYTES = 64 * 1024 * 1024;
const LIMITS = resolveFrameLimits();
const HELD = new Set(LIVE_AGENT_EXPERTS);
// Codes after which the agent closes the connection (docs/protocol.md "Error codes").
const CONNECTION_LEVEL = new Set(['bad-magic', 'bad-version', 'bad-type', 'bad-flags', 'bad-length', 'too-large', 'bad-dtype', 'bad-shape', 'truncated', 'unexpected-frame', 'bad-info', 'auth-failed', 'timeout', 'busy']);

type Phase = 'hello' | 'auth' | 'ready';
type Base = 'hello' | 'auth' | 'run' | 'run-fp16' | 'run-wrong-hidden' | 'ping' | 'stats-request' | 'bye' | 'garbage';
type Mutation =
  | { kind: 'none' }
  | { kind: 'flip'; bits: number[] }
  | { kind: 'truncate'; keep: number }
  | { kind: 'payload-length'; value: number }
  | { kind: 'field'; offset: number; value: number; width: 1 | 2 | 4 }
  | { kind: 'header-byte'; offset: 4 | 5 | 6 | 7; value: number }
  | { kind: 'extend'; bytes: Uint8Array };
interface FrameSpec { base: Base; mutation: Mutation; seed: number; garbage: Uint8Array }
interface FuzzCase { phase: Phase; frames: FrameSpec[]; cuts: number[] }

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ kind: 'none' as const }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('flip' as const), bits: fc.array(fc.nat(), { minLength: 1, maxLength: 4 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('truncate' as const), keep: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('payload-length' as const),
      value: fc.oneof(fc.nat({ max: 200 }), fc.constantFrom(0xffff_ffff, 0x8000_0000, LIMITS.maxPayloadBytes, LIMITS.maxPayloadBytes + 1, 4130, 4131), fc.nat()),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('field' as const), offset: fc.nat({ max: 40 }),
      value: fc.oneof(fc.nat({ max: 10 }), fc.constantFrom(0xffff, 0xffff_ffff, 65_536, 65_537, 4097), fc.nat()), width: fc.constantFrom(1 as const, 2 as const, 4 as const),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('header-byte' as const), offset: fc.constantFrom(4 as const, 5 as const, 6 as const, 7 as const), value: fc.nat({ max: 255 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('extend' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 40 }) }) },
);
const frameArb: fc.Arbitrary<FrameSpec> = fc.record({
  base: fc.constantFrom<Base>('hello', 'auth', 'run', 'run', 'run', 'run-fp16', 'run-wrong-hidden', 'ping', 'ping', 'stats-request', 'bye', 'garbage'),
  mutation: mutationArb,
  seed: fc.nat(),
  garbage: fc.uint8Array({ minLength: 1, maxLength: 64 }),
});
const caseArb: fc.Arbitrary<FuzzCase> = fc.record({
  phase: fc.constantFrom<Phase>('hello', 'auth', 'ready', 'ready', 'ready'),
  frames: fc.array(frameArb, { minLength: 1, maxLength: 6 }),
  cuts: fc.array(fc.nat(), { maxLength: 4 }),
});

// A valid RUN drawn from `seed`: 1–3 rows of the agent's hidden width (or another), k 1–2, held experts or empty slots.
function runFrame(seed: number, requestId: number, dtype: 'fp32' | 'fp16', hidden: number): Buffer {
  const rows = 1 + (seed % 3);
  const k = 1 + ((seed >> 2) % 2);
  const layer = (seed >> 3) % 3;
  const held = LIVE_AGENT_EXPERTS.filter((key) => key.startsWith(`${layer}.`)).map((key) => Number(key.split('.')[1]));
  const experts = Uint16Array.from({ length: rows * k }, (_, i) => (i % 3 === 2 ? NO_EXPERT : held[(seed + i) % held.length]!));
  return encodeRun({
    requestId, layer, dtype, rows, hidden, k, deadlineMs: (seed >> 5) % 2 === 0 ? 0 : 10_000,
    states: Float32Array.from({ length: rows * hidden }, (_, i) => ((seed + i) % 17) - 8), weights: Float32Array.from({ length: rows * k }, (_, i) => 0.25 * (i + 1)), experts,
  });
}

function baseFrame(spec: FrameSpec, requestId: number, proof: Buffer): Buffer {
  switch (spec.base) {
    case 'hello': return encodeFrame({ type: 'hello', requestId: 0, nonce: createNonce(), clientName: 'fuzz' });
    case 'auth': return encodeFrame({ type: 'auth', requestId: 0, proof });
    case 'run': return runFrame(spec.seed, requestId, 'fp32', LIVE_AGENT_HIDDEN);
    case 'run-fp16': return runFrame(spec.seed, requestId, 'fp16', LIVE_AGENT_HIDDEN);
    case 'run-wrong-hidden': return runFrame(spec.seed, requestId, 'fp32', LIVE_AGENT_HIDDEN + 1 + (spec.seed % 5));
    case 'garbage': return Buffer.from(spec.garbage);
    default: return encodeFrame({ type: spec.base, requestId });
  }
}

function mutate(bytes: Buffer, mutation: Mutation): Buffer {
  const out = Buffer.from(bytes);
  switch (mutation.kind) {
    case 'none': return out;
    case 'flip':
      for (const bit of mutation.bits) out[Math.floor(bit / 8) % out.length]! ^= 1 << (bit % 8);
      return out;
    case 'truncate': return out.subarray(0, mutation.keep % out.length);
    case 'payload-length':
      if (out.length >= 16) out.writeUInt32LE(mutation.value >>> 0, 12);
      return out;
    case 'field': {
      const at = 16 + mutation.offset;
      if (at + mutation.width > out.length) return out;
      if (mutation.width === 1) out.writeUInt8(mutation.value & 0xff, at);
      else if (mutation.width === 2) out.writeUInt16LE(mutation.value & 0xffff, at);
      else out.writeUInt32LE(mutation.value >>> 0, at);
      return out;
    }
    case 'header-byte':
      if (out.length > mutation.offset) out[mutation.offset] = mutation.value;
      return out;
    case 'extend': return Buffer.concat([out, Buffer.from(mutation.bytes)]);
  }
}

// What the agent must answer to a frame that decoded, given the connection state (the oracle's rules).
// An ERROR expectation lists the codes allowed (a RUN with a short deadline may miss it first) and, for
// a deadline the agent may still meet, the RUN whose RESULT is the alternative.
type Expected = { type: 'challenge' } | { type: 'welcome' } | { type: 'result' | 'pong' | 'stats'; requestId: number; run?: RunFrame } | { type: 'error'; requestId: number; codes: string[]; orResult?: RunFrame };
type Verdict = { replies: Expected[]; end: 'open' | 'refused' | 'incomplete' | 'bye' };

function predict(stream: Buffer, phase: Phase, proofFor: (frame: Frame) => boolean): Verdict {
  const replies: Expected[] = [];
  const reader = new FrameReader(LIMITS);
  let frames: Frame[];
  let isBad = false;
  try {
    frames = reader.push(stream).map((r) => r.frame);
  } catch (error) {
    assert.ok(error instanceof ProtocolError, String(error));
    isBad = true;
    frames = [];
    // Frames before the bad one were delivered: decode them again, one at a time.
    const again = new FrameReader(LIMITS);
    for (let at = 0; at < stream.length; at++) {
      try {
        frames.push(...again.push(stream.subarray(at, at + 1)).map((r) => r.frame));
      } catch {
        break;
      }
    }
  }
  let state = phase;
  for (const frame of frames) {
    if (state === 'hello') {
      if (frame.type !== 'hello') return { replies, end: 'refused' };
      replies.push({ type: 'challenge' });
      state = 'auth';
    } else if (state === 'auth') {
      if (frame.type !== 'auth' || !proofFor(frame)) return { replies, end: 'refused' };
      replies.push({ type: 'welcome' });
      state = 'ready';
    } else if (frame.type === 'run') {
      if (frame.hidden !== LIVE_AGENT_HIDDEN) return { replies, end: 'refused' };
      const missing = Array.from(frame.experts).some((expert) => expert !== NO_EXPERT && !HELD.has(`${frame.layer}.${expert}`));
      const isShort = frame.deadlineMs > 0 && frame.deadlineMs < 2000;
      if (missing) replies.push({ type: 'error', requestId: frame.requestId, codes: isShort ? ['unknown-expert', 'deadline'] : ['unknown-expert'] });
      else if (isShort) replies.push({ type: 'error', requestId: frame.requestId, codes: ['deadline'], orResult: frame });
      else replies.push({ type: 'result', requestId: frame.requestId, run: frame });
    } else if (frame.type === 'ping') {
      replies.push({ type: 'pong', requestId: frame.requestId });
    } else if (frame.type === 'stats-request') {
      replies.push({ type: 'stats', requestId: frame.requestId });
    } else if (frame.type === 'bye') {
      return { replies, end: 'bye' };
    } else {
      return { replies, end: 'refused' };
    }
  }
  if (isBad) return { replies, end: 'refused' };
  return { replies, end: reader.bufferedBytes > 0 ? 'incomplete' : 'open' };
}

// Bitwise equality of two float arrays, NaN equal to NaN.
function sameValues(a: Float32Array, b: Float32Array): boolean {
  return a.length === b.length && a.every((value, i) => Object.is(value, b[i]) || (Number.isNaN(value) && Number.isNaN(b[i]!)));
}

function checkReply(got: Frame, want: Expected, index: number): void {
  const where = `reply ${index}: expected ${JSON.stringify({ ...want, run: undefined, orResult: undefined })}, got ${got.type} ${JSON.stringify({ id: got.requestId, code: (got as { code?: string }).code, message: (got as { message?: string }).message })}`;
  if (want.type === 'error' && want.orResult !== undefined && got.type === 'result') return checkReply(got, { type: 'result', requestId: want.requestId, run: want.orResult }, index);
  assert.equal(got.type, want.type, where);
  if ('requestId' in want) assert.equal(got.requestId, want.requestId, where);
  if (want.type === 'error') assert.ok(want.codes.includes((got as { code: string }).code), where);
  if (want.type === 'result' && got.type === 'result') {
    const run = want.run!;
    let expected = expectedOutput(run);
    if (run.dtype === 'fp16') expected = float16ToFloat32(float32ToFloat16(expected));
    assert.ok(sameValues(got.output, expected), `${where}: output differs`);
  }
}

// One connection to the agent that collects frames and can wait for a count or the close.
class FuzzPeer {
  readonly frames: Frame[] = [];
  isClosed = false;
  readonly socket: Socket;
  #reader = new FrameReader(LIMITS);
  #wake: (() => void) | undefined;
  #badBytes: Error | undefined;

  constructor(port: number) {
    this.socket = connectTcp({ host: '127.0.0.1', port, noDelay: true });
    this.socket.on('data', (chunk: Buffer) => {
      try {
        this.frames.push(...this.#reader.push(chunk).map((r) => r.frame));
      } catch (error) {
        this.#badBytes = error as Error; // the agent must never send a bad frame
      }
      this.#wake?.();
    });
    this.socket.on('error', () => undefined);
    this.socket.on('close', () => {
      this.isClosed = true;
      this.#wake?.();
    });
  }

  get badBytes(): Error | undefined {
    return this.#badBytes;
  }

  // Resolves once `count` frames arrived, or the connection closed, or after timeoutMs.
  async waitFor(count: number, timeoutMs = 3000): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (this.frames.length < count && !this.isClosed && performance.now() < deadline) {
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        setTimeout(resolve, 50);
      });
    }
  }

  async waitClosed(timeoutMs = 3000): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (!this.isClosed && performance.now() < deadline) await new Promise<void>((resolve) => {
      this.#wake = resolve;
      setTimeout(resolve, 50);
    });
  }
}

async function runCase(agent: LiveAgent, fuzz: FuzzCase, counter: { frames: number }): Promise<void> {
  const peer = new FuzzPeer(agent.port);
  try {
    await new Promise<void>((resolve, reject) => peer.socket.once('connect', resolve).once('error', reject));
    const bsNonce = createNonce();
    let agentNonce: Buffer = Buffer.alloc(32);
    let frames = fuzz.frames;
    let skip = 0;
    if (fuzz.phase !== 'hello') {
      peer.socket.write(encodeFrame({ type: 'hello', requestId: 0, nonce: bsNonce, clientName: 'fuzz' }));
      await peer.waitFor(1);
      const challenge = peer.frames[0];
      assert.equal(challenge?.type, 'challenge', `HELLO answered with ${challenge?.type}`);
      agentNonce = (challenge as Extract<Frame, { type: 'challenge' }>).nonce;
      skip = 1;
      if (fuzz.phase === 'ready') {
        peer.socket.write(encodeFrame({ type: 'auth', requestId: 0, proof: computeProof(LIVE_AGENT_TOKEN, 'bs', bsNonce, agentNonce) }));
        await peer.waitFor(2);
        assert.equal(peer.frames[1]?.type, 'welcome');
        skip = 2;
      } else {
        frames = [{ ...frames[0]!, base: 'auth' }, ...frames.slice(1)]; // the frame after HELLO is an AUTH, maybe mutated
      }
    }
    const proof = computeProof(LIVE_AGENT_TOKEN, 'bs', bsNonce, agentNonce);
    const stream = Buffer.concat(frames.map((spec, i) => mutate(baseFrame(spec, 100 + i, proof), spec.mutation)));
    counter.frames += frames.length;
    // A HELLO inside the stream gets a CHALLENGE with a fresh agent nonce: an AUTH after it can only be right if
    // it was computed over that nonce, which a pre-written stream cannot be; the oracle knows the one nonce it saw.
    const verdict = predict(stream, fuzz.phase, (frame) => frame.type === 'auth' && frame.proof.equals(proof) && fuzz.phase === 'auth');
    const points = [...new Set([0, ...fuzz.cuts.map((cut) => cut % (stream.length + 1)), stream.length])].sort((a, b) => a - b);
    for (let i = 0; i + 1 < points.length; i++) peer.socket.write(stream.subarray(points[i], points[i + 1]));
    const wanted = skip + verdict.replies.length;
    await peer.waitFor(wanted);
    if (verdict.end === 'refused' || verdict.end === 'bye') await peer.waitClosed();
    else if (verdict.end === 'open') {
      // Prove nothing else is coming and the connection still works.
      if (fuzz.phase === 'ready' || verdict.replies.some((reply) => reply.type === 'welcome')) {
        peer.socket.write(encodeFrame({ type: 'ping', requestId: 0xfffffff0 }));
        await peer.waitFor(wanted + 1);
      }
    }
    assert.equal(peer.badBytes, undefined, `the agent sent bytes that are not a frame: ${peer.badBytes?.message}`);
    const got = peer.frames.slice(skip);
    const describe = `case ${JSON.stringify({ phase: fuzz.phase, bases: frames.map((f) => `${f.base}/${f.mutation.kind}`), end: verdict.end })}; got ${got.map((f) => `${f.type}${'code' in f ? `:${f.code}` : ''}`).join(', ')}`;
    const replies = verdict.replies;
    const isClosing = verdict.end === 'refused' || verdict.end === 'incomplete';
    // RUN replies come in RUN order, control replies (CHALLENGE, WELCOME, PONG, STATS) in theirs, at once,
    // so the two streams interleave freely. When the connection ends in a refusal, RUNs still queued or
    // computing get no answer (docs/protocol.md: the BS fails them when the connection closes).
    const isRunWant = (want: Expected) => want.type === 'result' || want.type === 'error';
    const isEnd = (frame: Frame) => frame.type === 'error' && CONNECTION_LEVEL.has(frame.code);
    const isRunGot = (frame: Frame) => frame.type === 'result' || (frame.type === 'error' && !CONNECTION_LEVEL.has(frame.code));
    const endAt = got.findIndex(isEnd);
    const isProbe = (frame: Frame) => frame.type === 'pong' && frame.requestId === 0xfffffff0;
    const probes = got.filter(isProbe);
    const body = (endAt < 0 ? got : got.slice(0, endAt)).filter((frame) => !isProbe(frame));
    const rest = endAt < 0 ? [] : got.slice(endAt);
    for (const [name, wants, gots] of [
      ['RUN', replies.filter(isRunWant), body.filter(isRunGot)],
      ['control', replies.filter((want) => !isRunWant(want)), body.filter((frame) => !isRunGot(frame))],
    ] as const) {
      assert.ok(gots.length <= wants.length, `${describe}: ${gots.length} ${name} replies, ${wants.length} expected`);
      gots.forEach((frame, i) => checkReply(frame, wants[i]!, i));
      if (gots.length < wants.length) assert.ok(isClosing && name === 'RUN', `${describe}: ${name} reply ${gots.length} missing`);
    }
    if (verdict.end === 'refused') {
      assert.ok(rest.length === 1 && rest[0]!.type === 'error' && CONNECTION_LEVEL.has((rest[0] as { code: string }).code), `${describe}: expected one connection-level ERROR`);
      assert.ok(peer.isClosed, `${describe}: connection still open after a connection-level ERROR`);
    } else if (verdict.end === 'bye') {
      assert.deepEqual(rest, [], describe);
      assert.ok(peer.isClosed, `${describe}: connection still open after BYE`);
    } else if (verdict.end === 'incomplete') {
      // A frame cut short: no reply is possible, unless its header or fixed part already gave it away.
      assert.ok(rest.length === 0 || (rest.length === 1 && rest[0]!.type === 'error' && CONNECTION_LEVEL.has((rest[0] as { code: string }).code)), describe);
    } else {
      const canPing = fuzz.phase === 'ready' || replies.some((reply) => reply.type === 'welcome');
      assert.deepEqual(rest, [], describe);
      assert.equal(probes.length, canPing ? 1 : 0, `${describe}: the PONG after the case`);
      assert.equal(peer.isClosed, false, describe);
    }
  } finally {
    peer.socket.destroy();
  }
}

test('10,000 fuzzed frames: the agent answers each as the protocol says, stays up, keeps its memory, then serves a normal RUN', async (t) => {
  const agent = await spawnLiveAgent();
  try {
    const seed = Number(process.env['WDMOE_FUZZ_SEED'] ?? Date.now() % 2 ** 31);
    t.diagnostic(`fast-check seed ${seed} (replay: WDMOE_FUZZ_SEED=${seed})`);
    // Warm up (JIT, pools, the first connections), then measure.
    const counter = { frames: 0 };
    await fc.assert(fc.asyncProperty(caseArb, (fuzz) => runCase(agent, fuzz, counter)), { seed, numRuns: 100, includeErrorInReport: true });
    const before = await agent.memory();
    const started = performance.now();
    let batch = 0;
    while (counter.frames < FRAMES_WANTED + 100) {
      await fc.assert(fc.asyncProperty(caseArb, (fuzz) => runCase(agent, fuzz, counter)), { seed: seed + ++batch, numRuns: 500, endOnFailure: true, includeErrorInReport: true });
      assert.ok(agent.isAlive(), 'the agent process died');
    }
    const seconds = (performance.now() - started) / 1000;
    const after = await agent.memory();
    const growth = { rss: after.rss - before.rss, heapUsed: after.heapUsed - before.heapUsed, arrayBuffers: after.arrayBuffers - before.arrayBuffers };
    const mb = (bytes: number) => (bytes / 1048576).toFixed(1);
    const figure = `${counter.frames} frames in ${seconds.toFixed(1)} s; agent RSS ${mb(before.rss)} → ${mb(after.rss)} MiB, heap ${mb(before.heapUsed)} → ${mb(after.heapUsed)} MiB, array buffers ${mb(before.arrayBuffers)} → ${mb(after.arrayBuffers)} MiB`;
    t.diagnostic(figure);
    console.log(`fuzz: ${figure}`);
    assert.ok(growth.heapUsed + growth.arrayBuffers < MEMORY_BOUND_BYTES, `agent memory grew beyond ${mb(MEMORY_BOUND_BYTES)} MiB: ${figure}`);
    assert.ok(growth.rss < 2 * MEMORY_BOUND_BYTES, `agent RSS grew beyond ${mb(2 * MEMORY_BOUND_BYTES)} MiB: ${figure}`);
    // Still serving: a normal client, a normal RUN, the right answer.
    const client = await DeviceClient.connect({ device: 'live', host: '127.0.0.1', port: agent.port, token: LIVE_AGENT_TOKEN, connectTimeoutMs: 3000 });
    const request = { layer: 1, rows: 2, hidden: LIVE_AGENT_HIDDEN, k: 1, states: Float32Array.from({ length: 16 }, (_, i) => i), weights: new Float32Array([1, 0.5]), experts: new Uint16Array([0, 1]) };
    const reply = await client.run(request, { deadlineMs: 3000 });
    assert.deepEqual(Array.from(reply.output), Array.from(expectedOutput(request)));
    const stats = await client.stats({ deadlineMs: 3000 });
    assert.ok(stats.runServed > 100, `agent served ${stats.runServed} RUNs`);
    await client.close();
  } finally {
    await agent.stop();
  }
});
