// `simulate --bs-compute-from runs/<id>`: the BS's per-layer compute (attention, router, policy, combine) as
// measured by a bench run, fitted to `fixed + tokens · per_token` by least squares (simple-statistics) over
// every line of its layers.jsonl, so the synthetic mode charges each layer what this BS measured for a batch
// of that size instead of a constant (`--bs-compute-ms`). It is the bundled model's BS work: the synthetic run
// must use the testbed's model (no --model-shape). Called by synthetic.ts.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { linearRegression, rSquared } from 'simple-statistics';
import { readLayerLog, RUN_FILES } from '../records/index.js';
import { SimError } from './errors.js';

export interface BsComputeFit {
  readonly fixedMs: number; // per layer
  readonly perTokenMs: number; // per token of the layer's batch
  readonly r2: number;
  readonly lines: number;
  readonly run: string;
}

// The fit of `runDir`'s layers.jsonl bs_compute_ms against tokens; a negative slope or intercept is clamped to 0.
export function fitBsCompute(runDir: string): BsComputeFit {
  const file = path.join(runDir, RUN_FILES.layers);
  if (!existsSync(file)) throw new SimError('bs-compute', `--bs-compute-from ${runDir}: no ${RUN_FILES.layers}`, 'give a run folder written by wdmoe bench (runs/<id>)');
  const points = readLayerLog(file).map((line) => [line.tokens, line.bs_compute_ms] as [number, number]);
  if (points.length < 2) throw new SimError('bs-compute', `--bs-compute-from ${runDir}: ${points.length} layer line(s), too few to fit`, 'record a run with a few items: wdmoe bench <testbed> --limit 5');
  const distinct = new Set(points.map(([tokens]) => tokens)).size;
  const { m, b } = distinct < 2 ? { m: 0, b: points.reduce((sum, [, ms]) => sum + ms, 0) / points.length } : linearRegression(points);
  const slope = Math.max(0, m);
  const intercept = Math.max(0, slope === m ? b : points.reduce((sum, [, ms]) => sum + ms, 0) / points.length);
  return { fixedMs: intercept, perTokenMs: slope, r2: distinct < 2 ? 0 : rSquared(points, (x) => intercept + slope * x), lines: points.length, run: runDir };
}
