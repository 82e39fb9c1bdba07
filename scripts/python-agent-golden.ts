// Writes golden expert outputs of the Node agent for the Python agent's CUDA check
// (scripts/python_agent_check.py): fixed pseudo-random RUN requests on layers 0 and 3 of a bundle, sent
// through the real DeviceClient to a real Node agent server, saved with the replies as JSON (float32
// arrays as base64). Usage: npx tsx scripts/python-agent-golden.ts [model dir] [out.json]
import { writeFileSync } from 'node:fs';
import { startAgentServer } from '../src/agent/index.js';
import { loadExpertCompute, ONNX_ENGINE } from '../src/model/index.js';
import { DeviceClient, NO_EXPERT, type RunRequest } from '../src/transport/index.js';

const modelDir = process.argv[2] ?? 'models/tiny-mixtral';
const out = process.argv[3] ?? 'golden-experts.json';
const TOKEN = 'golden-token';

function request(layer: number, rows: number, seed: number): RunRequest {
  let x = seed;
  const random = () => ((x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const k = 2;
  const experts = Uint16Array.from({ length: rows * k }, (_, i) => (i % 7 === 6 ? NO_EXPERT : Math.floor(random() * 8)));
  const weights = Float32Array.from({ length: rows * k }, (_, i) => (i % 2 === 0 ? 0.625 : 0.375));
  return { layer, rows, hidden: 256, k, states: Float32Array.from({ length: rows * 256 }, () => random() * 4 - 2), weights, experts };
}

const b64 = (array: Float32Array | Uint16Array) => Buffer.from(array.buffer, array.byteOffset, array.byteLength).toString('base64');

const compute = await loadExpertCompute(modelDir, 'all', { intraOpThreads: 1 });
const server = await startAgentServer({ host: '127.0.0.1', port: 0, token: TOKEN, device: 'golden', compute, engine: ONNX_ENGINE });
const client = await DeviceClient.connect({ device: 'golden', host: '127.0.0.1', port: server.port, token: TOKEN, connectTimeoutMs: 5000 });
const cases = [];
for (const [layer, rows, seed] of [[0, 1, 1], [0, 16, 2], [0, 256, 3], [3, 7, 4], [3, 1024, 5]] as const) {
  const work = request(layer, rows, seed);
  const reply = await client.run(work, { deadlineMs: 30_000 });
  cases.push({ layer, rows, k: work.k, hidden: work.hidden, states: b64(work.states), weights: b64(work.weights), experts: b64(work.experts), output: b64(Float32Array.from(reply.output)) });
}
await client.close();
await server.close();
await compute.release();
writeFileSync(out, `${JSON.stringify({ source: `Node agent (${client.info.runtime.engine} ${client.info.runtime.engineVersion ?? ''}, ${client.info.runtime.executionProvider})`, modelDir, cases })}\n`);
console.log(`wrote ${cases.length} golden cases to ${out}`);
