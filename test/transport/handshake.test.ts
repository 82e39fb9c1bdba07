// The handshake proves the token without sending it (docs/protocol.md "Handshake"): a TCP proxy between
// a real BS client and a real agent captures every byte of a whole session, both ways, and neither the
// token nor an obvious encoding of it appears; peers with a wrong token, or none, are refused by both sides.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, connect as connectTcp, type Server } from 'node:net';
import { startAgentServer } from '../../src/agent/server.js';
import { DeviceClient, DeviceError, computeProof, createNonce, encodeFrame, encodeRun, verifyProof } from '../../src/transport/index.js';
import { RawPeer } from '../helpers/raw-peer.js';
import { createFakeCompute } from '../fixtures/agents/fake-compute.js';

const TOKEN = 'secret-Token-for-the-wire-test-0123456789';

// A TCP proxy to 127.0.0.1:`target` that records every byte it forwards, per direction.
async function startRecordingProxy(target: number): Promise<{ port: number; toAgent: Buffer[]; toBs: Buffer[]; close: () => Promise<void> }> {
  const toAgent: Buffer[] = [];
  const toBs: Buffer[] = [];
  const server: Server = createServer((bs) => {
    const agent = connectTcp({ host: '127.0.0.1', port: target });
    bs.on('data', (chunk: Buffer) => {
      toAgent.push(Buffer.from(chunk));
      agent.write(chunk);
    });
    agent.on('data', (chunk: Buffer) => {
      toBs.push(Buffer.from(chunk));
      bs.write(chunk);
    });
    bs.on('end', () => agent.end()).on('error', () => agent.destroy());
    agent.on('end', () => bs.end()).on('error', () => bs.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return { port, toAgent, toBs, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

// The token as a careless implementation might put it on the wire.
function encodingsOf(token: string): Array<{ name: string; bytes: Buffer }> {
  const utf8 = Buffer.from(token, 'utf8');
  return [
    { name: 'utf8', bytes: utf8 },
    { name: 'utf16le', bytes: Buffer.from(token, 'utf16le') },
    { name: 'hex', bytes: Buffer.from(utf8.toString('hex')) },
    { name: 'HEX', bytes: Buffer.from(utf8.toString('hex').toUpperCase()) },
    { name: 'base64', bytes: Buffer.from(utf8.toString('base64').replace(/=+$/, '')) },
    { name: 'base64url', bytes: Buffer.from(utf8.toString('base64url')) },
    { name: 'reversed', bytes: Buffer.from(utf8).reverse() },
    // A 12-byte window would catch a token split across fields or frames only partly.
    { name: 'utf8 prefix', bytes: utf8.subarray(0, 12) },
    { name: 'utf8 suffix', bytes: utf8.subarray(utf8.length - 12) },
  ];
}

test('a whole session through a recording proxy never carries the token, in any obvious encoding', async () => {
  const agent = await startAgentServer({ host: '127.0.0.1', port: 0, token: TOKEN, device: 'dev-w', compute: createFakeCompute() });
  const proxy = await startRecordingProxy(agent.port);
  try {
    const client = await DeviceClient.connect({ device: 'dev-w', host: '127.0.0.1', port: proxy.port, token: TOKEN, connectTimeoutMs: 3000 });
    const states = new Float32Array([1, 2, 3, 4]);
    const reply = await client.run({ layer: 0, rows: 1, hidden: 4, k: 1, states, weights: new Float32Array([1]), experts: new Uint16Array([0]) }, { deadlineMs: 2000 });
    assert.deepEqual(Array.from(reply.output), [2, 4, 6, 8]);
    await client.ping({ deadlineMs: 2000 });
    await client.stats({ deadlineMs: 2000 });
    await client.close();
    const wire = { 'BS → agent': Buffer.concat(proxy.toAgent), 'agent → BS': Buffer.concat(proxy.toBs) };
    for (const [direction, bytes] of Object.entries(wire)) {
      assert.ok(bytes.length > 64, `${direction}: only ${bytes.length} bytes captured`);
      for (const { name, bytes: needle } of encodingsOf(TOKEN)) {
        assert.equal(bytes.indexOf(needle), -1, `${direction}: the token appears on the wire (${name})`);
      }
    }
    // What did cross: the proofs, each valid only for this session's nonces.
    const hello = wire['BS → agent'].subarray(16, 48);
    const agentNonce = wire['agent → BS'].subarray(16, 48);
    const agentProof = wire['agent → BS'].subarray(48, 80);
    assert.ok(verifyProof(TOKEN, 'agent', hello, agentNonce, agentProof));
    assert.equal(verifyProof(TOKEN, 'agent', createNonce(), agentNonce, agentProof), false, 'a proof replayed with another BS nonce must not verify');
  } finally {
    await proxy.close();
    await agent.close();
  }
});

test('an agent refuses a BS with the wrong token, or one that skips AUTH; the BS refuses an agent with the wrong token', async () => {
  const agent = await startAgentServer({ host: '127.0.0.1', port: 0, token: TOKEN, device: 'dev-w', compute: createFakeCompute() });
  try {
    // Wrong token: the BS already sees that the agent's proof does not match and never sends its own.
    await assert.rejects(
      DeviceClient.connect({ device: 'dev-w', host: '127.0.0.1', port: agent.port, token: `${TOKEN}x`, connectTimeoutMs: 3000 }),
      (e: unknown) => e instanceof DeviceError && e.failure === 'auth-failed' && /does not know the auth token/.test(e.message),
    );
    // A peer that answers the challenge with a wrong proof is refused by the agent.
    const wrong = new RawPeer(agent.port, 'not-the-token');
    const answer = await wrong.handshake();
    assert.deepEqual({ type: answer.type, code: (answer as { code?: string }).code }, { type: 'error', code: 'auth-failed' });
    await wrong.closed;
    // No token at all: HELLO, then straight to RUN, PING or an empty AUTH.
    for (const skip of [
      encodeRun({ requestId: 1, layer: 0, dtype: 'fp32', rows: 1, hidden: 1, k: 1, deadlineMs: 0, states: new Float32Array([1]), weights: new Float32Array([1]), experts: new Uint16Array([0]) }),
      encodeFrame({ type: 'ping', requestId: 2 }),
      encodeFrame({ type: 'auth', requestId: 0, proof: Buffer.alloc(32) }),
    ]) {
      const peer = new RawPeer(agent.port, TOKEN);
      peer.socket.write(encodeFrame({ type: 'hello', requestId: 0, nonce: createNonce(), clientName: 'no-token' }));
      assert.equal((await peer.next()).type, 'challenge');
      peer.socket.write(skip);
      const refusal = await peer.next();
      assert.equal(refusal.type, 'error');
      assert.ok(['unexpected-frame', 'auth-failed'].includes((refusal as { code: string }).code), (refusal as { code: string }).code);
      await peer.closed;
    }
    // A peer that never says HELLO cannot get a proof it could replay either: RUN first is refused.
    const first = new RawPeer(agent.port, TOKEN);
    first.socket.write(encodeFrame({ type: 'auth', requestId: 0, proof: computeProof(TOKEN, 'bs', Buffer.alloc(32), Buffer.alloc(32)) }));
    assert.equal(((await first.next()) as { code?: string }).code, 'unexpected-frame');
    await first.closed;
    assert.equal(agent.stats().connections, 0, 'no connection authenticated');
  } finally {
    await agent.close();
  }
});

test('a BS refuses an agent that does not know the token', async () => {
  const impostor = await startAgentServer({ host: '127.0.0.1', port: 0, token: 'the-impostor-has-another-token', device: 'dev-w', compute: createFakeCompute() });
  try {
    await assert.rejects(
      DeviceClient.connect({ device: 'dev-w', host: '127.0.0.1', port: impostor.port, token: TOKEN, connectTimeoutMs: 3000 }),
      (e: unknown) => e instanceof DeviceError && e.failure === 'auth-failed' && e.phase === 'handshake',
    );
  } finally {
    await impostor.close();
  }
});
