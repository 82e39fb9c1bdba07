// The model the synthetic simulator sizes: the testbed's bundled model (its manifest: compute then comes from the
// device profiles' measured compute_model), a named shape (`mixtral-8x7b`), or a JSON/YAML file of numbers. A shape
// given as numbers has expert FLOPs, so compute comes from each profile's fp32_gflops. Checked: an impossible
// shape (top-k above the experts, a zero size) is a SimError naming the field. Called by synthetic.ts.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { SimError } from './errors.js';

export interface ModelShape {
  readonly name: string;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly numExperts: number;
  readonly topK: number;
  // GFLOP per token through one expert; null: the bundled model, timed by the profiles' compute_model.
  readonly expertGflopsPerToken: number | null;
}

// A SwiGLU expert (w1, w3: H→I, w2: I→H) costs 2 FLOP per multiply-add: 6·H·I per token.
const swigluGflops = (hidden: number, intermediate: number) => (6 * hidden * intermediate) / 1e9;

export const MODEL_SHAPES: Readonly<Record<string, ModelShape>> = {
  // mistralai/Mixtral-8x7B-v0.1 config.json: hidden 4096, intermediate 14336, 32 layers, 8 experts, top-2.
  'mixtral-8x7b': { name: 'mixtral-8x7b', hiddenSize: 4096, numLayers: 32, numExperts: 8, topK: 2, expertGflopsPerToken: swigluGflops(4096, 14336) },
};

const count = z.number().int().positive();
const shapeFileSchema = z.strictObject({
  name: z.string().optional(),
  hidden_size: count,
  num_layers: count,
  num_experts: count.max(65535),
  top_k: count,
  intermediate_size: count.optional(),
  expert_gflops_per_token: z.number().positive().optional(),
});

function fromFile(file: string): ModelShape {
  if (!existsSync(file)) throw new SimError('model-shape', `--model-shape ${file}: no such file, and not a known shape (${Object.keys(MODEL_SHAPES).join(', ')})`, 'give a known shape name or a YAML/JSON file with hidden_size, num_layers, num_experts, top_k and intermediate_size or expert_gflops_per_token');
  let value: unknown;
  try {
    value = parseYaml(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new SimError('model-shape', `${file}: cannot be parsed: ${(error as Error).message}`, 'write the shape as YAML or JSON', error);
  }
  const checked = shapeFileSchema.safeParse(value);
  if (!checked.success) {
    const issue = checked.error.issues[0]!;
    throw new SimError('model-shape', `${file}: field "${issue.path.join('.')}": ${issue.message}`, 'hidden_size, num_layers, num_experts and top_k are positive integers; give intermediate_size or expert_gflops_per_token');
  }
  const shape = checked.data;
  if (shape.top_k > shape.num_experts) throw new SimError('model-shape', `${file}: top_k ${shape.top_k} is above num_experts ${shape.num_experts}`, 'a token cannot use more experts than a layer has');
  const gflops = shape.expert_gflops_per_token ?? (shape.intermediate_size === undefined ? null : swigluGflops(shape.hidden_size, shape.intermediate_size));
  if (gflops === null) throw new SimError('model-shape', `${file}: neither intermediate_size nor expert_gflops_per_token is given`, 'the expert compute is sized from one of them and each profile\'s fp32_gflops');
  return { name: shape.name ?? path.basename(file).replace(/\.[^.]+$/, ''), hiddenSize: shape.hidden_size, numLayers: shape.num_layers, numExperts: shape.num_experts, topK: shape.top_k, expertGflopsPerToken: gflops };
}

const manifestSchema = z.object({ name: z.string(), architecture: z.object({ hiddenSize: count, numLayers: count, numExperts: count, topK: count }) });

// The testbed's bundled model, from its manifest.json.
function fromBundle(modelDir: string): ModelShape {
  const file = path.join(modelDir, 'manifest.json');
  let checked;
  try {
    checked = manifestSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  } catch (error) {
    throw new SimError('model-shape', `${file}: cannot be read: ${(error as Error).message}`, 'fix the testbed\'s model path, or give --model-shape', error);
  }
  if (!checked.success) throw new SimError('model-shape', `${file}: no model architecture (${checked.error.issues[0]!.message})`, 'give --model-shape mixtral-8x7b or a shape file');
  const { architecture } = checked.data;
  return { name: checked.data.name, ...architecture, expertGflopsPerToken: null };
}

// The shape `--model-shape` names (a known name or a file), or the testbed's bundled model when none is given.
export function resolveModelShape(value: string | null, modelDir: string, cwd: string): ModelShape {
  if (value === null) return fromBundle(modelDir);
  return MODEL_SHAPES[value] ?? fromFile(path.resolve(cwd, value));
}
