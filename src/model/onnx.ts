// The one module that imports onnxruntime-node (STYLE: each heavy dependency in exactly one module).
// Wraps a session behind plain typed arrays so the BS and the agent never see ort types.
// Called by model/bundle.ts and model/expert-compute.ts only.
import * as ort from 'onnxruntime-node';
import { ModelBundleError } from './errors.js';

export type TensorInput =
  | { type: 'float32'; data: Float32Array; dims: readonly number[] }
  | { type: 'int64'; data: BigInt64Array; dims: readonly number[] };

export interface TensorOutput {
  data: Float32Array;
  dims: readonly number[];
}

export interface SessionOptions {
  // Threads for one operator; 1 on agents that share a host, more on the BS.
  intraOpThreads: number;
}

// One loaded ONNX graph.
export interface OnnxSession {
  readonly file: string;
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, TensorInput>): Promise<Record<string, TensorOutput>>;
  release(): Promise<void>;
}

// What runs the sessions: createSession asks for no execution provider, so onnxruntime's CPU one runs.
export const ONNX_ENGINE = { name: 'onnxruntime-node', version: ort.env.versions.node ?? null, executionProvider: 'cpu' } as const;

// Creates a session from the bytes of an ONNX file (already sha256-checked by the caller).
export async function createSession(bytes: Uint8Array, file: string, options: SessionOptions): Promise<OnnxSession> {
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(bytes, {
      intraOpNumThreads: options.intraOpThreads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
    });
  } catch (cause) {
    throw new ModelBundleError('bundle-corrupt', file, `is not a loadable ONNX graph (${(cause as Error).message})`, { cause });
  }
  return {
    file,
    inputNames: session.inputNames,
    outputNames: session.outputNames,
    async run(feeds) {
      const tensors: Record<string, ort.Tensor> = {};
      for (const [name, input] of Object.entries(feeds)) {
        tensors[name] = new ort.Tensor(input.type, input.data, input.dims);
      }
      const results = await session.run(tensors);
      const outputs: Record<string, TensorOutput> = {};
      for (const [name, tensor] of Object.entries(results)) {
        if (tensor.type !== 'float32') throw new ModelBundleError('bundle-invalid', file, `output ${name} is ${tensor.type}, expected float32`);
        outputs[name] = { data: tensor.data as Float32Array, dims: tensor.dims };
      }
      return outputs;
    },
    release: () => session.release(),
  };
}
