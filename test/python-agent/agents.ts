// Shared by the Python-agent tests: start a real `bin/wdmoe agent` process of either runtime on a free
// port (the ready line says which), a raw TCP peer that speaks bytes, and the .venv interpreter check
// (missing .venv → the caller skips with a visible reason, see pythonOrSkipReason).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { NO_EXPERT, type RunRequest } from '../../src/transport/index.js';
import { RawPeer as BasePeer } from '../helpers/raw-peer.js';
import { BIN, MODEL_DIR, ROOT } from '../e2e/helpers.js';

export const TOKEN = 'python-agent-test-token';
export const VENV_PYTHON = path.join(ROOT, '.venv/bin/python');
export type Runtime = 'node' | 'python';
const HIDDEN = 256; // the bundled model's hidden size

// A top-2 RUN request on the bundled model with deterministic pseudo-random states (seeded), on the experts
// `held` of `layer`, one second slot in five empty (NO_EXPERT), weights 0.6 / 0.4.
export function seededRequest(rows: number, seed: number, layer = 0, held: readonly number[] = [0, 1, 2, 3]): RunRequest {
  let x = seed;
  const random = () => ((x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const k = 2;
  const experts = new Uint16Array(rows * k);
  const weights = new Float32Array(rows * k);
  for (let r = 0; r < rows; r++) {
    experts[r * k] = held[Math.floor(random() * held.length)]!;
    experts[r * k + 1] = r % 5 === 4 ? NO_EXPERT : held[Math.floor(random() * held.length)]!;
    weights[r * k] = 0.6;
    weights[r * k + 1] = 0.4;
  }
  return { layer, rows, hidden: HIDDEN, k, states: Float32Array.from({ length: rows * HIDDEN }, () => random() * 4 - 2), weights, experts };
}

// Why the Python tests cannot run here, or undefined when .venv has torch, onnx and onnxruntime.
export function pythonSkipReason(): string | undefined {
  if (!existsSync(VENV_PYTHON)) return `SKIPPED: no ${VENV_PYTHON} (run: bash scripts/python-env.sh) — the Python agent is not tested`;
  return undefined;
}

export interface AgentProcess {
  readonly port: number;
  readonly ready: Record<string, unknown>;
  readonly subprocess: ResultPromise;
  stop(): Promise<{ exitCode?: number; stderr: string }>;
}

// Starts `wdmoe agent` (Node, or --runtime python with the venv's interpreter or `python`) and waits for its ready line.
export async function startAgentProcess(runtime: Runtime, options: { device?: string; experts?: string; extra?: readonly string[]; env?: Record<string, string>; python?: string } = {}): Promise<AgentProcess> {
  // --parent-pid: the agents end with the test process even if it dies before its after() hook runs.
  const args = [BIN, 'agent', '--model', MODEL_DIR, '--device', options.device ?? 'dev-p', '--experts', options.experts ?? '0.0,0.1,0.2,0.3,1.5', '--port', '0', '--parent-pid', String(process.pid),
    ...(runtime === 'python' ? ['--runtime', 'python', '--python', options.python ?? VENV_PYTHON] : []), ...(options.extra ?? [])];
  const subprocess = execa(process.execPath, args, { cwd: ROOT, env: { WDMOE_TOKEN: TOKEN, NO_COLOR: '1', ...options.env }, reject: false, buffer: { stdout: false }, timeout: 120_000 });
  let stderr = '';
  subprocess.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const ready = await new Promise<Record<string, unknown>>((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`${runtime} agent not ready within 60 s: ${stderr}`)), 60_000);
    subprocess.stdout!.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const line = text.split('\n').find((candidate) => candidate.startsWith('{"event":"ready"'));
      if (line !== undefined) {
        clearTimeout(timer);
        resolve(JSON.parse(line) as Record<string, unknown>);
      }
    });
    void subprocess.then((result) => {
      clearTimeout(timer);
      reject(new Error(`${runtime} agent exited with ${result.exitCode}: ${stderr}`));
    });
  });
  return {
    port: ready['port'] as number,
    ready,
    subprocess,
    stop: async () => {
      subprocess.kill('SIGTERM');
      const result = await subprocess;
      return { exitCode: result.exitCode, stderr };
    },
  };
}

// The shared raw peer (test/helpers/raw-peer.ts) on these agents' token, checking their CHALLENGE proof too.
export class RawPeer extends BasePeer {
  constructor(port: number) {
    super(port, TOKEN, { agentToken: TOKEN, frameTimeoutMs: 5000 });
  }
}
