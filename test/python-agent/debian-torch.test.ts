// The Python agent on Debian's own PyTorch (python3-torch 1.13 and python3-onnx from the distribution, the
// system /usr/bin/python3, not .venv's PyPI torch 2.x): the same expert outputs as the Node agent (fp32 within
// 1e-4, fp16 within one half-precision step) through the real DeviceClient, both as real `wdmoe agent`
// processes. .ci/run installs the two Debian packages; without them this is skipped with a visible reason.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { DeviceClient } from '../../src/transport/index.js';
import { TOKEN, seededRequest as request, startAgentProcess, type AgentProcess } from './agents.js';

const SYSTEM_PYTHON = '/usr/bin/python3';

// Debian's torch version, or why it cannot be used here.
function debianTorch(): { version: string } | { skip: string } {
  if (!existsSync(SYSTEM_PYTHON)) return { skip: `SKIPPED: no ${SYSTEM_PYTHON}` };
  try {
    const out = execFileSync(SYSTEM_PYTHON, ['-c', 'import torch, onnx, numpy; print(torch.__file__); print(torch.__version__)'], { encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'pipe'] });
    const [file, version] = out.trim().split('\n');
    if (!file?.startsWith('/usr/lib/python3/dist-packages/')) return { skip: `SKIPPED: ${SYSTEM_PYTHON}'s torch is not Debian's python3-torch (${file})` };
    return { version: version ?? '' };
  } catch {
    return { skip: `SKIPPED: ${SYSTEM_PYTHON} cannot import torch, onnx and numpy (apt-get install python3-torch python3-onnx) — the Python agent is not checked on Debian's torch` };
  }
}

const found = debianTorch();
const skip = 'skip' in found ? found.skip : undefined;
if (skip !== undefined) console.log(`# python-agent on Debian torch ${skip}`);

describe('the Python agent on Debian\'s python3-torch gives the Node agent\'s expert outputs', { skip }, () => {
  const agents: Partial<Record<'node' | 'debian', AgentProcess>> = {};
  before(async () => {
    [agents.node, agents.debian] = await Promise.all([
      startAgentProcess('node', { device: 'dev-deb', experts: '0.0,0.1,0.2,3.6,3.7' }),
      startAgentProcess('python', { device: 'dev-deb', experts: '0.0,0.1,0.2,3.6,3.7', python: SYSTEM_PYTHON }),
    ]);
  });
  after(async () => {
    await Promise.all(Object.values(agents).map((agent) => agent.stop()));
  });

  test('fp32 within 1e-4 and fp16 within 4e-3, on layers 0 and 3, 1 to 96 rows', async () => {
    assert.equal(agents.debian!.ready['runtime'], 'python');
    assert.equal(agents.debian!.ready['backend'], 'torch');
    const requests = [request(1, 3, 0, [0, 1, 2]), request(17, 5, 0, [0, 1, 2]), request(96, 7, 0, [0, 1, 2]), request(9, 9, 3, [6, 7])];
    for (const dtype of ['fp32', 'fp16'] as const) {
      const outputs: Record<string, Float32Array[]> = {};
      for (const name of ['node', 'debian'] as const) {
        const client = await DeviceClient.connect({ device: 'dev-deb', host: '127.0.0.1', port: agents[name]!.port, token: TOKEN, connectTimeoutMs: 5000, dtype });
        try {
          if (name === 'debian') {
            const runtime = client.info.runtime as unknown as Record<string, unknown>;
            assert.equal(runtime['engine'], 'torch');
            assert.equal(runtime['engineVersion'], 'version' in found ? found.version : '', 'the agent reports the torch it runs: Debian\'s');
            assert.equal(runtime['executionProvider'], 'cpu');
          }
          outputs[name] = [];
          for (const item of requests) outputs[name].push(Float32Array.from((await client.run(item, { deadlineMs: 20_000 })).output));
        } finally {
          await client.close();
        }
      }
      const tolerance = dtype === 'fp32' ? 1e-4 : 4e-3;
      let worstAll = 0;
      outputs['node']!.forEach((expected, i) => {
        let worst = 0;
        expected.forEach((value, j) => (worst = Math.max(worst, Math.abs(value - outputs['debian']![i]![j]!))));
        worstAll = Math.max(worstAll, worst);
        assert.ok(expected.some((value) => value !== 0), 'the experts produced something');
        assert.ok(worst <= tolerance, `${dtype} request ${i}: max |node − debian torch| = ${worst} > ${tolerance}`);
      });
      console.log(`Debian torch ${'version' in found ? found.version : ''}, ${dtype}: max |node − python| = ${worstAll.toExponential(2)} (tolerance ${tolerance})`);
    }
  });
});
