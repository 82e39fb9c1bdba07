// The Python agent (python/wdmoe_agent) against the Node agent, both as real `wdmoe agent` processes on
// the real model: every bad frame gets the same ERROR (code, requestId, message) and the same close-or-keep,
// the handshake proofs verify both ways, PING/STATS/BYE and deadlines behave alike, and the real TS
// DeviceClient gets the same expert outputs (1e-4) from both, fp32 and fp16, torch and onnxruntime.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  DeviceClient, HEADER_BYTES, encodeFrame, encodeRun, type Frame,
} from '../../src/transport/index.js';
import { RawPeer, TOKEN, VENV_PYTHON, pythonSkipReason, seededRequest, startAgentProcess, type AgentProcess, type Runtime } from './agents.js';
import { MODEL_DIR, hasStackTrace, runWdmoe } from '../e2e/helpers.js';

const skip = pythonSkipReason();
if (skip !== undefined) console.log(`# python-agent conformance ${skip}`);
const HIDDEN = 256;

const runBytes = (requestId: number, over: Partial<Parameters<typeof encodeRun>[0]> = {}) =>
  encodeRun({ requestId, layer: 0, dtype: 'fp32', rows: 1, hidden: HIDDEN, k: 1, deadlineMs: 0, states: new Float32Array(HIDDEN).fill(0.5), weights: new Float32Array([1]), experts: new Uint16Array([0]), ...over });

// Writes a header byte or field into a copy of a frame.
function patched(frame: Buffer, patch: (b: Buffer) => void): Buffer {
  const copy = Buffer.from(frame);
  patch(copy);
  return copy;
}

const request = seededRequest;

interface Outcome { frames: Array<{ type: string; requestId: number; code?: string; message?: string }>; closed: boolean }

// Sends `bytes` (after the handshake when `authenticated`), collects what comes back until close or quiet.
async function probe(port: number, bytes: Buffer[], authenticated: boolean, expectFrames: number): Promise<Outcome> {
  const peer = new RawPeer(port);
  if (authenticated) assert.equal((await peer.handshake()).type, 'welcome');
  for (const chunk of bytes) peer.socket.write(chunk);
  const frames: Outcome['frames'] = [];
  for (let i = 0; i < expectFrames; i++) {
    const frame: Frame = await peer.next();
    frames.push(frame.type === 'error' ? { type: 'error', requestId: frame.requestId, code: frame.code, message: frame.message } : { type: frame.type, requestId: frame.requestId });
  }
  const closed = await peer.waitClosed(frames.some((f) => f.type === 'error' && f.requestId === 0) || expectFrames === 0 ? 3000 : 300);
  peer.socket.destroy();
  return { frames, closed };
}

const RUN = runBytes(5);
const PROBES: Array<{ name: string; bytes: Buffer[]; authenticated: boolean; frames: number }> = [
  { name: 'garbage bytes (bad-magic)', bytes: [Buffer.from('GET / HTTP/1.1\r\n\r\n')], authenticated: false, frames: 1 },
  { name: 'a protocol v1 frame', bytes: [patched(RUN, (b) => b.writeUInt16LE(1, 4))], authenticated: true, frames: 1 },
  { name: 'an unknown frame type', bytes: [patched(RUN, (b) => (b[6] = 0x55))], authenticated: true, frames: 1 },
  { name: 'non-zero flags', bytes: [patched(RUN, (b) => (b[7] = 1))], authenticated: true, frames: 1 },
  { name: 'a payload over maxPayloadBytes, refused from its header', bytes: [patched(RUN.subarray(0, HEADER_BYTES), (b) => b.writeUInt32LE(64 * 1024 * 1024 + 1, 12))], authenticated: true, frames: 1 },
  { name: 'RUN before the handshake', bytes: [RUN], authenticated: false, frames: 1 },
  { name: 'a wrong HELLO length', bytes: [patched(encodeFrame({ type: 'hello', requestId: 0, nonce: Buffer.alloc(32), clientName: 'x' }), (b) => b.writeUInt16LE(9, HEADER_BYTES + 32))], authenticated: false, frames: 1 },
  { name: 'a RUN with dtype 9', bytes: [patched(RUN, (b) => (b[HEADER_BYTES + 2] = 9))], authenticated: true, frames: 1 },
  { name: 'a RUN with rows 0', bytes: [patched(RUN, (b) => b.writeUInt32LE(0, HEADER_BYTES + 4))], authenticated: true, frames: 1 },
  { name: 'a RUN with k over maxK', bytes: [patched(RUN, (b) => b.writeUInt16LE(65, HEADER_BYTES + 12))], authenticated: true, frames: 1 },
  { name: 'a RUN payload shorter than its fields', bytes: [patched(RUN, (b) => b.writeUInt32LE(b.readUInt32LE(12) - 2, 12)).subarray(0, RUN.length - 2)], authenticated: true, frames: 1 },
  { name: 'a RUN shorter than its fixed part', bytes: [Buffer.concat([patched(RUN.subarray(0, HEADER_BYTES), (b) => b.writeUInt32LE(10, 12)), Buffer.alloc(10)])], authenticated: true, frames: 1 },
  { name: 'a PING with a payload', bytes: [patched(Buffer.concat([encodeFrame({ type: 'ping', requestId: 3 }), Buffer.alloc(2)]), (b) => b.writeUInt32LE(2, 12))], authenticated: true, frames: 1 },
  { name: 'a second HELLO after the handshake', bytes: [encodeFrame({ type: 'hello', requestId: 4, nonce: Buffer.alloc(32), clientName: 'again' })], authenticated: true, frames: 1 },
  { name: 'a RESULT sent to the agent', bytes: [encodeFrame({ type: 'result', requestId: 6, dtype: 'fp32', rows: 1, hidden: 1, computeMicros: 0, output: new Float32Array(1) })], authenticated: true, frames: 1 },
  { name: 'a RUN naming an expert the device does not hold, then PING', bytes: [runBytes(7, { experts: new Uint16Array([6]) }), encodeFrame({ type: 'ping', requestId: 8 })], authenticated: true, frames: 2 },
  { name: 'a RUN whose hidden size is not the model\'s (refused before its payload is read)', bytes: [runBytes(9, { hidden: 4, states: new Float32Array(4) }), encodeFrame({ type: 'ping', requestId: 10 })], authenticated: true, frames: 1 },
  { name: 'a PING after BYE', bytes: [Buffer.concat([encodeFrame({ type: 'bye', requestId: 0 }), encodeFrame({ type: 'ping', requestId: 14 })])], authenticated: true, frames: 0 },
  { name: 'pipelined RUNs then BYE: every RESULT, then close', bytes: [Buffer.concat([runBytes(11), runBytes(12, { layer: 1, experts: new Uint16Array([5]) }), runBytes(13), encodeFrame({ type: 'bye', requestId: 0 })])], authenticated: true, frames: 3 },
];

describe('the Python agent speaks the protocol exactly as the Node agent', { skip }, () => {
  const agents = {} as Record<Runtime | 'onnxruntime', AgentProcess>;
  before(async () => {
    [agents.node, agents.python, agents.onnxruntime] = await Promise.all([
      startAgentProcess('node'), startAgentProcess('python'), startAgentProcess('python', { extra: ['--backend', 'onnxruntime'] }),
    ]);
  });
  after(async () => {
    await Promise.all(Object.values(agents).map((agent) => agent.stop()));
  });

  test('the ready line has the Node agent\'s fields, plus runtime, backend and execution provider', () => {
    const { node, python } = agents;
    for (const key of Object.keys(node.ready)) assert.equal(typeof python.ready[key], typeof node.ready[key], `ready.${key}`);
    assert.equal(python.ready['experts'], 5);
    assert.equal(python.ready['runtime'], 'python');
    assert.equal(python.ready['backend'], 'torch');
    assert.equal(python.ready['executionProvider'], 'cpu');
  });

  for (const { name, bytes, authenticated, frames } of PROBES) {
    test(`${name}: same answer and same close as the Node agent`, async () => {
      const [node, python] = await Promise.all([probe(agents.node.port, bytes, authenticated, frames), probe(agents.python.port, bytes, authenticated, frames)]);
      assert.deepEqual(python, node);
    });
  }

  test('a wrong token: the agent\'s proof does not verify for the BS, and a wrong AUTH gets auth-failed from both', async () => {
    for (const runtime of ['node', 'python'] as const) {
      await assert.rejects(DeviceClient.connect({ device: 'dev-p', host: '127.0.0.1', port: agents[runtime].port, token: 'not-the-token', connectTimeoutMs: 5000 }), /token|proof|auth/i, runtime);
      const peer = new RawPeer(agents[runtime].port);
      const reply = await peer.handshake('not-the-token').catch((error: Error) => error);
      assert.ok(!(reply instanceof Error), String(reply));
      assert.deepEqual(reply.type === 'error' && [reply.code, reply.requestId, reply.message], ['auth-failed', 0, 'the BS\'s auth proof does not match device dev-p\'s token'], runtime);
      assert.ok(await peer.waitClosed(), `${runtime} closed the connection`);
    }
  });

  test('the DeviceClient gets the same WELCOME, the same expert outputs (fp32 and fp16, within 1e-4) and STATS from both', async () => {
    const replies: Record<string, Float32Array[]> = {};
    const stats: Record<string, unknown> = {};
    const infos: Record<string, unknown> = {};
    for (const runtime of ['node', 'python', 'onnxruntime'] as const) {
      for (const dtype of ['fp32', 'fp16'] as const) {
        const client = await DeviceClient.connect({ device: 'dev-p', host: '127.0.0.1', port: agents[runtime].port, token: TOKEN, connectTimeoutMs: 5000, dtype });
        infos[runtime] = client.info;
        const outputs = await Promise.all([1, 7, 64].map((rows, i) => client.run(request(rows, 11 + i), { deadlineMs: 20_000 }).then((reply) => Float32Array.from(reply.output))));
        outputs.push(Float32Array.from((await client.run(request(3, 5, 1, [5]), { deadlineMs: 20_000 })).output));
        assert.ok((await client.ping({ deadlineMs: 5000 })) >= 0);
        stats[`${runtime}/${dtype}`] = await client.stats({ deadlineMs: 5000 });
        replies[`${runtime}/${dtype}`] = outputs;
        await client.close();
      }
    }
    // WELCOME: the same limits and experts; the runtime info says what really runs, with the Node agent's host facts.
    type Info = { runtime: Record<string, unknown> & { telemetry: Record<string, unknown> } };
    const withoutRuntime = (info: unknown) => ({ ...(info as Info), runtime: undefined });
    assert.deepEqual(withoutRuntime(infos['python']), withoutRuntime(infos['node']));
    assert.deepEqual(withoutRuntime(infos['onnxruntime']), withoutRuntime(infos['node']));
    const runtimeOf = (name: string) => (infos[name] as Info).runtime;
    assert.deepEqual(
      ['runtime', 'engine', 'executionProvider'].map((key) => runtimeOf('python')[key]), ['python', 'torch', 'cpu']);
    assert.deepEqual(
      ['runtime', 'engine', 'executionProvider'].map((key) => runtimeOf('onnxruntime')[key]), ['python', 'onnxruntime', 'cpu']);
    assert.match(String(runtimeOf('python')['engineVersion']), /^2\.\d+/);
    for (const key of ['os', 'distro', 'arch', 'glibc', 'jetson']) assert.deepEqual(runtimeOf('python')[key], runtimeOf('node')[key], `runtime.${key}`);
    assert.deepEqual(Object.keys(runtimeOf('python')).sort(), Object.keys(runtimeOf('node')).sort());
    const telemetryOf = (name: string) => (stats[`${name}/fp32`] as { telemetry: Record<string, unknown> }).telemetry;
    assert.deepEqual(Object.keys(telemetryOf('python')).sort(), Object.keys(telemetryOf('node')).sort());
    for (const key of ['temperaturesC', 'isThrottled', 'powerMode']) {
      assert.equal(telemetryOf('python')[key] === null, telemetryOf('node')[key] === null, `telemetry.${key} present on both or neither`);
    }
    assert.equal(agents.onnxruntime.ready['backend'], 'onnxruntime');
    for (const [dtype, backend] of [['fp32', 'python'], ['fp16', 'python'], ['fp32', 'onnxruntime'], ['fp16', 'onnxruntime']] as const) {
      const node = replies[`node/${dtype}`]!;
      const python = replies[`${backend}/${dtype}`]!;
      node.forEach((expected, i) => {
        let worst = 0;
        expected.forEach((value, j) => (worst = Math.max(worst, Math.abs(value - python[i]![j]!))));
        // fp16 outputs are rounded to half precision on the wire: allow one half-precision step of |y| ≲ 4.
        const tolerance = dtype === 'fp32' ? 1e-4 : 4e-3;
        assert.ok(worst <= tolerance, `${backend} ${dtype} request ${i}: max |node − python| = ${worst} > ${tolerance}`);
        assert.ok(expected.some((value) => value !== 0), 'the experts produced something');
      });
    }
    const python = stats['python/fp16'] as Record<string, number>;
    const node = stats['node/fp16'] as Record<string, number>;
    for (const key of ['runRequests', 'runServed', 'runErrors', 'connections']) {
      assert.ok(python[key]! > 0 || key === 'runErrors', `python stats.${key} = ${python[key]}`);
      assert.equal(typeof python[key], typeof node[key]);
    }
    assert.ok(python['bytesReceived']! > 0 && python['bytesSent']! > 0 && python['computeMicrosTotal']! > 0);
  });

  test('queued RUNs whose deadline passed before they could start get ERROR deadline from both', async () => {
    for (const runtime of ['node', 'python'] as const) {
      const peer = new RawPeer(agents[runtime].port);
      assert.equal((await peer.handshake()).type, 'welcome');
      const big = request(4096, 3);
      const frames = Array.from({ length: 6 }, (_, i) => encodeRun({ ...big, requestId: 20 + i, dtype: 'fp32', deadlineMs: 1 }));
      peer.socket.write(Buffer.concat(frames));
      const answers: Frame[] = [];
      for (let i = 0; i < frames.length; i++) answers.push(await peer.next(30_000));
      assert.deepEqual(answers.map((frame) => frame.requestId), [20, 21, 22, 23, 24, 25], `${runtime}: replies in arrival order`);
      const late = answers.filter((frame) => frame.type === 'error' && frame.code === 'deadline');
      assert.ok(late.length >= 1, `${runtime}: ${answers.map((frame) => frame.type).join(',')}`);
      assert.match(late[0]!.type === 'error' ? late[0]!.message : '', /^RUN \d+ for layer 0 waited past its 1 ms deadline before it could start$/);
      peer.socket.destroy();
    }
  });

  test('a peer that never finishes the handshake gets ERROR timeout from both and is dropped', async () => {
    const peers = [new RawPeer(agents.node.port), new RawPeer(agents.python.port)];
    const answers = await Promise.all(peers.map(async (peer) => {
      const frame = await peer.next(8000);
      return { frame: frame.type === 'error' ? [frame.code, frame.requestId, frame.message] : frame.type, closed: await peer.waitClosed(3000) };
    }));
    assert.deepEqual(answers[0], { frame: ['timeout', 0, 'no complete handshake within 5000 ms'], closed: true });
    assert.deepEqual(answers[1], answers[0]);
  });
});

describe('the Python agent starts, refuses and stops like the Node agent', { skip }, () => {
  test('SIGTERM sends shutting-down to a connected BS and exits 143, like the Node agent', async () => {
    for (const runtime of ['node', 'python'] as const) {
      const agent = await startAgentProcess(runtime, { device: `stop-${runtime}`, experts: '0.0' });
      const peer = new RawPeer(agent.port);
      assert.equal((await peer.handshake()).type, 'welcome');
      const { exitCode } = await agent.stop();
      const frame = await peer.next();
      assert.deepEqual(frame.type === 'error' && [frame.code, frame.requestId, frame.message], ['shutting-down', 0, `agent stop-${runtime} is shutting down`], runtime);
      assert.equal(exitCode, 143, `${runtime} exit code`);
    }
  });
});

// Startup mistakes: the same error code and exit code from either runtime, and no stack trace.
const STARTUP_CASES: Array<{ name: string; args: string[]; env?: Record<string, string>; code: string; exitCode: number; runtimes: Runtime[] }> = [
  { name: 'an unreadable token file', args: ['--token-file', '/nonexistent/token'], code: 'agent-no-token', exitCode: 2, runtimes: ['node', 'python'] },
  { name: 'an expert key that is not layer.expert', args: ['--experts', '0.1,x'], code: 'agent-bad-experts', exitCode: 2, runtimes: ['node', 'python'] },
  { name: 'a model directory without a bundle', args: ['--model', '/nonexistent/model'], code: 'bundle-missing', exitCode: 2, runtimes: ['node', 'python'] },
  { name: 'a python interpreter that does not exist', args: ['--python', '/nonexistent/python3'], code: 'agent-no-python', exitCode: 2, runtimes: ['python'] },
  { name: 'a python-only flag on the Node runtime', args: ['--backend', 'onnxruntime'], code: 'agent-bad-flags', exitCode: 2, runtimes: ['node'] },
];

describe('bad flags and files fail the Python agent like the Node agent', { skip }, () => {
  for (const { name, args, code, exitCode, runtimes } of STARTUP_CASES) {
    test(`${name}: error[${code}], exit ${exitCode}`, async () => {
      const said: string[][] = [];
      for (const runtime of runtimes) {
        const result = await runWdmoe(['agent', '--model', MODEL_DIR, '--device', 'dev-bad', '--port', '0',
          ...(runtime === 'python' ? ['--runtime', 'python', '--python', VENV_PYTHON] : []), ...args], { env: { WDMOE_TOKEN: TOKEN, NO_COLOR: '1' } });
        const stderr = String(result.stderr);
        assert.equal(result.exitCode, exitCode, `${runtime}: ${stderr}`);
        assert.match(stderr.split('\n')[0]!, new RegExp(`^error\\[${code}\\]: device dev-bad|^error\\[${code}\\]: model file`), `${runtime}: ${stderr}`);
        assert.ok(!hasStackTrace(stderr) && !/Traceback/.test(stderr), `${runtime} printed a stack trace:\n${stderr}`);
        const lines = stderr.split('\n');
        said.push([lines[0]!, String((lines[1] ?? '').startsWith('hint: '))]);
      }
      if (said.length === 2) assert.deepEqual(said[1], said[0], 'the Python agent says what the Node agent says');
    });
  }

  test('a port in use: error[port-in-use], exit 1, from both runtimes', async () => {
    const holder = await startAgentProcess('node', { device: 'holder', experts: '0.0' });
    try {
      for (const runtime of ['node', 'python'] as const) {
        const result = await runWdmoe(['agent', '--model', MODEL_DIR, '--device', 'dev-bad', '--experts', '0.0', '--port', String(holder.port),
          ...(runtime === 'python' ? ['--runtime', 'python', '--python', VENV_PYTHON] : [])], { env: { WDMOE_TOKEN: TOKEN, NO_COLOR: '1' } });
        assert.equal(result.exitCode, 1, `${runtime}: ${String(result.stderr)}`);
        assert.match(String(result.stderr), new RegExp(`^error\\[port-in-use\\]: device dev-bad: 127.0.0.1:${holder.port} is already in use`), runtime);
      }
    } finally {
      await holder.stop();
    }
  });
});
