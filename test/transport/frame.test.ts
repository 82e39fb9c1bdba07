// Pins the bytes of every frame type (hex fixtures), round-trips frames (table + fast-check), rejects
// bad input before allocating, and checks docs/protocol.md's tables against the code's constants.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import {
  DEFAULT_FRAME_LIMITS, FRAME_TYPES, HEADER_FIELDS, HEADER_BYTES, MAGIC, PROTOCOL_VERSION, WIRE_ERROR_CODES,
  decodeHeader, resolveFrameLimits,
} from '../../src/transport/frame-header.js';
import { decodeFrame, encodeFrame, type Frame } from '../../src/transport/frame.js';
import { ProtocolError } from '../../src/transport/errors.js';

const nonce = Buffer.alloc(32, 0xaa);
const proof = Buffer.alloc(32, 0xbb);

// Decodes one complete frame buffer.
function decodeOne(bytes: Buffer, limits = DEFAULT_FRAME_LIMITS): Frame {
  const header = decodeHeader(bytes, 0, limits);
  return decodeFrame(header, bytes.subarray(HEADER_BYTES), limits);
}

const H = (type: string, id: string, len: string) => `57444d4f0200${type}00${id}${len}`;
// The JSON documents of WELCOME and STATS, pinned as text (keys in the decoder's order, so they round-trip).
const telemetryJson = '{"schema":1,"uptimeMs":12,"temperaturesC":{"CPU-therm":41.5},"powerMode":"MAXN","clocks":{"cpuCurKHz":1190400,' +
  '"cpuMaxKHz":1420800,"gpuCurHz":null,"gpuMaxHz":null,"emcCurHz":null,"isJetsonClocksOn":false},"isThrottled":false,' +
  '"energy":{"source":"ina3221","totalRail":"VDD_IN","rails":{"VDD_IN":{"microjoules":5000,"milliwatts":2500}},"sampleCount":3}}';
const infoJson = '{"schema":1,"runtime":"node","runtimeVersion":"20.11.0","engine":"onnxruntime-node","engineVersion":"1.30.0",' +
  '"executionProvider":"cpu","os":"Linux 5.10.120-tegra","distro":null,"arch":"arm64","glibc":"2.31","jetson":{"model":"NVIDIA Jetson Xavier NX","l4t":"R35.4.1"},' +
  `"telemetry":${telemetryJson}}`;
const hexOf = (text: string) => Buffer.from(text, 'utf8').toString('hex');
const u32 = (n: number) => { const b = Buffer.alloc(4); b.writeUInt32LE(n); return b.toString('hex'); };
const fixtures: Array<{ name: string; frame: Frame; hex: string }> = [
  { name: 'hello', frame: { type: 'hello', requestId: 0, nonce, clientName: 'bs' },
    hex: H('01', '00000000', '24000000') + 'aa'.repeat(32) + '0200' + '6273' },
  { name: 'challenge', frame: { type: 'challenge', requestId: 0, nonce, proof },
    hex: H('02', '00000000', '40000000') + 'aa'.repeat(32) + 'bb'.repeat(32) },
  { name: 'auth', frame: { type: 'auth', requestId: 0, proof }, hex: H('03', '00000000', '20000000') + 'bb'.repeat(32) },
  { name: 'welcome', frame: { type: 'welcome', requestId: 0, device: 'dev-1', experts: [{ layer: 0, expert: 1 }, { layer: 3, expert: 7 }],
      limits: { maxPayloadBytes: 1024, maxRows: 8, maxHidden: 4, maxK: 2 }, info: JSON.parse(infoJson) },
    hex: H('04', '00000000', u32(41 + infoJson.length)) + '00040000' + '08000000' + '04000000' + '02000000' + '02000000' + '0500' + '0000' +
      u32(infoJson.length) + '00000100' + '03000700' + '6465762d31' + hexOf(infoJson) },
  { name: 'run fp32', frame: { type: 'run', requestId: 7, layer: 2, dtype: 'fp32', rows: 1, hidden: 2, k: 2, deadlineMs: 2000,
      states: new Float32Array([1, -2]), weights: new Float32Array([0.75, 0.25]), experts: new Uint16Array([3, 0xffff]) },
    hex: H('10', '07000000', '28000000') + '0200' + '01' + '00' + '01000000' + '02000000' + '0200' + '0000' + 'd0070000' +
      '0000803f' + '000000c0' + '0000403f' + '0000803e' + '0300' + 'ffff' },
  { name: 'run fp16 (padded)', frame: { type: 'run', requestId: 8, layer: 2, dtype: 'fp16', rows: 1, hidden: 3, k: 1, deadlineMs: 0,
      states: new Float32Array([1, -2, 0.5]), weights: new Float32Array([1]), experts: new Uint16Array([5]) },
    hex: H('10', '08000000', '22000000') + '0200' + '02' + '00' + '01000000' + '03000000' + '0100' + '0000' + '00000000' +
      '003c' + '00c0' + '0038' + '0000' + '0000803f' + '0500' },
  { name: 'result', frame: { type: 'result', requestId: 7, dtype: 'fp32', rows: 1, hidden: 2, computeMicros: 1234, output: new Float32Array([0.5, 1]) },
    hex: H('11', '07000000', '18000000') + '01000000' + '02000000' + 'd2040000' + '01000000' + '0000003f' + '0000803f' },
  { name: 'error', frame: { type: 'error', requestId: 7, code: 'deadline', message: 'late' },
    hex: H('7e', '07000000', '08000000') + '1e00' + '0400' + '6c617465' },
  { name: 'ping', frame: { type: 'ping', requestId: 9 }, hex: H('20', '09000000', '00000000') },
  { name: 'pong', frame: { type: 'pong', requestId: 9 }, hex: H('21', '09000000', '00000000') },
  { name: 'stats-request', frame: { type: 'stats-request', requestId: 10 }, hex: H('22', '0a000000', '00000000') },
  { name: 'stats', frame: { type: 'stats', requestId: 10, stats: { connections: 1, runRequests: 2, runServed: 3, runErrors: 4,
      deadlineMisses: 5, computeMicrosTotal: 6, bytesReceived: 7, bytesSent: 8 }, telemetry: JSON.parse(telemetryJson) },
    hex: H('23', '0a000000', u32(68 + telemetryJson.length)) + [1, 2, 3, 4, 5, 6, 7, 8].map((n) => `0${n}00000000000000`).join('') +
      u32(telemetryJson.length) + hexOf(telemetryJson) },
  { name: 'bye', frame: { type: 'bye', requestId: 0 }, hex: H('7f', '00000000', '00000000') },
];

// Typed arrays compare by value.
function plain(frame: Frame): unknown {
  return JSON.parse(JSON.stringify(frame, (_, v) => (ArrayBuffer.isView(v) && !(v instanceof Buffer) ? Array.from(v as Float32Array) : v)));
}

describe('frame bytes are pinned', () => {
  for (const { name, frame, hex } of fixtures) {
    test(`${name} encodes to its fixture and decodes back`, () => {
      assert.equal(encodeFrame(frame).toString('hex'), hex);
      assert.deepEqual(plain(decodeOne(Buffer.from(hex, 'hex'))), plain(frame));
    });
  }
  test('every frame type has a fixture', () => {
    const covered = new Set(fixtures.map((f) => f.frame.type));
    assert.deepEqual([...covered].sort(), Object.keys(FRAME_TYPES).sort());
  });
});

function expectProtocolError(fn: () => unknown, reason: string): void {
  assert.throws(fn, (error: unknown) => error instanceof ProtocolError && error.reason === reason, `expected ProtocolError ${reason}`);
}

describe('bad frames are rejected before allocation', () => {
  const run = Buffer.from(fixtures[4]!.hex, 'hex');
  const cases: Array<{ name: string; mutate: (b: Buffer) => Buffer; reason: string; limits?: Partial<typeof DEFAULT_FRAME_LIMITS> }> = [
    { name: 'bad magic', mutate: (b) => (b.write('XDMO', 0, 'latin1'), b), reason: 'bad-magic' },
    { name: 'bad version (v1 peer)', mutate: (b) => (b.writeUInt16LE(1, 4), b), reason: 'bad-version' },
    { name: 'unknown type', mutate: (b) => (b.writeUInt8(0x55, 6), b), reason: 'bad-type' },
    { name: 'non-zero flags', mutate: (b) => (b.writeUInt8(1, 7), b), reason: 'bad-flags' },
    { name: 'payload length over the limit', mutate: (b) => (b.writeUInt32LE(0xffff_fff0, 12), b), reason: 'too-large' },
    { name: 'bad dtype', mutate: (b) => (b.writeUInt8(9, HEADER_BYTES + 2), b), reason: 'bad-dtype' },
    { name: 'rows 0', mutate: (b) => (b.writeUInt32LE(0, HEADER_BYTES + 4), b), reason: 'bad-shape' },
    { name: 'rows over maxRows', mutate: (b) => (b.writeUInt32LE(0xffff_ffff, HEADER_BYTES + 4), b), reason: 'bad-shape' },
    { name: 'hidden over maxHidden', mutate: (b) => (b.writeUInt32LE(1 << 30, HEADER_BYTES + 8), b), reason: 'bad-shape' },
    { name: 'k over maxK', mutate: (b) => (b.writeUInt16LE(1000, HEADER_BYTES + 12), b), reason: 'bad-shape' },
    { name: 'shape disagrees with payload length', mutate: (b) => (b.writeUInt32LE(3, HEADER_BYTES + 8), b), reason: 'bad-length' },
    { name: 'truncated payload (header says shorter)', mutate: (b) => (b.writeUInt32LE(10, 12), b.subarray(0, HEADER_BYTES + 10)), reason: 'truncated' },
    { name: 'payload longer than fields', mutate: (b) => (b.writeUInt32LE(b.length - HEADER_BYTES + 4, 12), Buffer.concat([b, Buffer.alloc(4)])), reason: 'bad-length' },
    { name: 'run larger than a small agent limit', mutate: (b) => b, reason: 'too-large', limits: { maxPayloadBytes: 16 } },
  ];
  for (const c of cases) {
    test(`${c.name} → ${c.reason}`, () => {
      const limits = resolveFrameLimits(c.limits);
      expectProtocolError(() => decodeOne(c.mutate(Buffer.from(run)), limits), c.reason);
    });
  }
  test('error message longer than maxStringBytes → too-large', () => {
    const bytes = encodeFrame({ type: 'error', requestId: 1, code: 'compute-failed', message: 'x'.repeat(100) });
    expectProtocolError(() => decodeOne(bytes, resolveFrameLimits({ maxStringBytes: 10 })), 'too-large');
  });
  test('welcome listing more experts than maxExperts → bad-shape', () => {
    const bytes = encodeFrame(fixtures[3]!.frame);
    expectProtocolError(() => decodeOne(bytes, resolveFrameLimits({ maxExperts: 1 })), 'bad-shape');
  });
  const welcomeWithInfo = (info: string) => {
    const fixture = Buffer.from(fixtures[3]!.hex, 'hex');
    const head = fixture.subarray(0, fixture.length - infoJson.length);
    const bytes = Buffer.concat([head, Buffer.from(info, 'utf8')]);
    bytes.writeUInt32LE(bytes.length - HEADER_BYTES, 12);
    bytes.writeUInt32LE(Buffer.byteLength(info), HEADER_BYTES + 24);
    return bytes;
  };
  const badInfo: Array<{ name: string; info: string; reason: string }> = [
    { name: 'not JSON', info: '{"schema":1,', reason: 'bad-info' },
    { name: 'a JSON array', info: '[1]', reason: 'bad-info' },
    { name: 'runtime neither node nor python', info: infoJson.replace('"runtime":"node"', '"runtime":"java"'), reason: 'bad-info' },
    { name: 'executionProvider missing', info: infoJson.replace('"executionProvider":"cpu",', ''), reason: 'bad-info' },
    { name: 'a temperature that is a string', info: infoJson.replace('41.5', '"hot"'), reason: 'bad-info' },
    { name: 'totalRail naming no rail', info: infoJson.replace('"totalRail":"VDD_IN"', '"totalRail":"POM_5V_IN"'), reason: 'bad-info' },
  ];
  for (const c of badInfo) {
    test(`welcome info ${c.name} → ${c.reason}`, () => expectProtocolError(() => decodeOne(welcomeWithInfo(c.info)), c.reason));
  }
  test('welcome info with unknown keys decodes (later schemas may add some)', () => {
    const frame = decodeOne(welcomeWithInfo(infoJson.replace('{"schema":1,', '{"schema":1,"future":true,'))) as Extract<Frame, { type: 'welcome' }>;
    assert.equal(frame.info.executionProvider, 'cpu');
  });
  test('welcome info longer than maxInfoBytes → too-large', () => {
    expectProtocolError(() => decodeOne(Buffer.from(fixtures[3]!.hex, 'hex'), resolveFrameLimits({ maxInfoBytes: 64 })), 'too-large');
  });
  test('stats telemetry longer than maxInfoBytes → too-large; bad JSON → bad-info', () => {
    expectProtocolError(() => decodeOne(Buffer.from(fixtures[11]!.hex, 'hex'), resolveFrameLimits({ maxInfoBytes: 64 })), 'too-large');
    const bytes = Buffer.from(fixtures[11]!.hex, 'hex');
    bytes.write('[', HEADER_BYTES + 68, 'utf8');
    expectProtocolError(() => decodeOne(bytes), 'bad-info');
  });
  test('non-empty ping → bad-length', () => {
    const bytes = Buffer.concat([Buffer.from(fixtures[8]!.hex, 'hex'), Buffer.alloc(1)]);
    bytes.writeUInt32LE(1, 12);
    expectProtocolError(() => decodeOne(bytes), 'bad-length');
  });
  test('unknown error codes decode as unknown', () => {
    const bytes = Buffer.from(fixtures[7]!.hex, 'hex');
    bytes.writeUInt16LE(777, HEADER_BYTES);
    assert.equal((decodeOne(bytes) as { code: string }).code, 'unknown');
  });
  test('encoding a run whose arrays disagree with its shape throws bad-shape', () => {
    const frame = { ...(fixtures[4]!.frame as Extract<Frame, { type: 'run' }>), states: new Float32Array(3) };
    expectProtocolError(() => encodeFrame(frame), 'bad-shape');
  });
});

describe('round trips', () => {
  test('random RUN and RESULT frames survive encode → decode (fp32 exact)', () => {
    const shape = fc.record({ rows: fc.integer({ min: 1, max: 6 }), hidden: fc.integer({ min: 1, max: 9 }), k: fc.integer({ min: 1, max: 3 }) });
    fc.assert(
      fc.property(shape, fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 0xffff_ffff }), fc.nat(), ({ rows, hidden, k }, layer, requestId, seed) => {
        const f32 = (n: number, s: number) => Float32Array.from({ length: n }, (_, i) => Math.fround(Math.sin(s + i) * 1e3));
        const run: Frame = { type: 'run', requestId, layer, dtype: 'fp32', rows, hidden, k, deadlineMs: seed % 10_000,
          states: f32(rows * hidden, seed), weights: f32(rows * k, seed + 1), experts: Uint16Array.from({ length: rows * k }, (_, i) => (seed + i) % 0x10000) };
        assert.deepEqual(plain(decodeOne(encodeFrame(run))), plain(run));
        const result: Frame = { type: 'result', requestId, dtype: 'fp32', rows, hidden, computeMicros: seed, output: f32(rows * hidden, seed + 2) };
        assert.deepEqual(plain(decodeOne(encodeFrame(result))), plain(result));
      }),
    );
  });
  test('fp16 RUN states round-trip within fp16 precision', () => {
    fc.assert(
      fc.property(fc.array(fc.float({ min: -60000, max: 60000, noNaN: true, noDefaultInfinity: true }), { minLength: 1, maxLength: 40 }), (values) => {
        const states = Float32Array.from(values);
        const run: Frame = { type: 'run', requestId: 1, layer: 0, dtype: 'fp16', rows: 1, hidden: states.length, k: 1, deadlineMs: 0,
          states, weights: new Float32Array([1]), experts: new Uint16Array([0]) };
        const back = decodeOne(encodeFrame(run)) as Extract<Frame, { type: 'run' }>;
        states.forEach((v, i) => assert.ok(Math.abs(back.states[i]! - v) <= Math.max(Math.abs(v) * 2 ** -11, 2 ** -24) + 1e-12, `${v} → ${back.states[i]}`));
      }),
    );
  });
  test('random strings and ids survive hello, welcome and error', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), fc.integer({ min: 0, max: 0xffff_ffff }), (text, requestId) => {
        for (const frame of [
          { type: 'hello', requestId, nonce, clientName: text },
          { type: 'welcome', requestId, device: text, experts: [{ layer: 1, expert: 2 }], limits: { maxPayloadBytes: 1, maxRows: 2, maxHidden: 3, maxK: 4 },
            info: { ...JSON.parse(infoJson), distro: text } },
          { type: 'error', requestId, code: 'compute-failed', message: text },
        ] as Frame[]) {
          assert.deepEqual(plain(decodeOne(encodeFrame(frame))), plain(frame));
        }
      }),
    );
  });
  test('decoding never throws anything but ProtocolError on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 200 }), fc.constantFrom(...Object.values(FRAME_TYPES)), (bytes, type) => {
        const buffer = Buffer.from(bytes);
        MAGIC.copy(buffer, 0);
        buffer.writeUInt16LE(PROTOCOL_VERSION, 4);
        buffer.writeUInt8(type, 6);
        buffer.writeUInt8(0, 7);
        buffer.writeUInt32LE(buffer.length - HEADER_BYTES, 12);
        try {
          decodeOne(buffer);
        } catch (error) {
          assert.ok(error instanceof ProtocolError, String(error));
        }
      }),
    );
  });
});

// Rows of the first markdown table after `heading` in docs/protocol.md.
function docTable(heading: string): string[][] {
  const text = readFileSync(new URL('../../docs/protocol.md', import.meta.url), 'utf8');
  const start = text.indexOf(`\n${heading}\n`);
  assert.ok(start >= 0, `docs/protocol.md has no "${heading}" section`);
  const lines = text.slice(start).split('\n');
  const first = lines.findIndex((l) => l.startsWith('|'));
  const rows: string[][] = [];
  for (const line of lines.slice(first + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(line.split('|').slice(1, -1).map((cell) => cell.trim()));
  }
  return rows;
}

describe('docs/protocol.md matches the code', () => {
  test('header table: offsets, sizes and names', () => {
    const rows = docTable('## Header').map(([offset, size, name]) => ({ offset: Number(offset), size: Number(size), name }));
    assert.deepEqual(rows, HEADER_FIELDS);
    assert.equal(HEADER_FIELDS.reduce((sum, f) => sum + f.size, 0), HEADER_BYTES);
    assert.match(docTable('## Header')[0]![4]!, /"WDMO"/);
    assert.equal(docTable('## Header')[1]![4], String(PROTOCOL_VERSION));
  });
  test('frame type table: codes and names', () => {
    const rows = Object.fromEntries(docTable('## Frame types').map(([code, name]) => [name, Number(code)]));
    assert.deepEqual(rows, FRAME_TYPES);
  });
  test('error code table: codes and names', () => {
    const rows = Object.fromEntries(docTable('## Error codes').map(([code, name]) => [name, Number(code)]));
    assert.deepEqual(rows, WIRE_ERROR_CODES);
  });
  test('limits table: defaults', () => {
    const rows = Object.fromEntries(docTable('## Limits').map(([name, value]) => [name, Number(value!.split(' ')[0])]));
    assert.deepEqual(rows, { ...DEFAULT_FRAME_LIMITS });
  });
});
