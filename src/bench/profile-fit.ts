// Fits the compute model the policies use — c(n) = fixed + n · per_token for one expert over n token rows —
// to measured samples by least squares (simple-statistics), with its RMS residual and R². Pure; called by
// profile-run.ts.
import { linearRegression, rSquared } from 'simple-statistics';

// One measured point: an expert run over `tokens` rows took `ms` (median of repeats).
export interface ComputeSample {
  tokens: number;
  ms: number;
}

export interface ComputeFit {
  fixedMs: number; // ≥ 0 (a negative intercept is clamped and the slope refitted through the origin)
  perTokenMs: number; // ≥ 0
  residualMs: number; // RMS of (measured − fitted)
  r2: number; // of the line; 1 when every sample is the same
}

// The least-squares line through `samples` (at least two distinct token counts).
export function fitComputeModel(samples: readonly ComputeSample[]): ComputeFit {
  const points = samples.map((s) => [s.tokens, s.ms] as [number, number]);
  let { m, b } = linearRegression(points);
  if (b < 0) {
    // Through the origin: m = Σxy / Σx².
    b = 0;
    m = points.reduce((sum, [x, y]) => sum + x * y, 0) / points.reduce((sum, [x]) => sum + x * x, 0);
  }
  m = Math.max(0, m);
  const line = (x: number) => b + m * x;
  const residualMs = Math.sqrt(points.reduce((sum, [x, y]) => sum + (y - line(x)) ** 2, 0) / points.length);
  const spread = points.some(([, y]) => y !== points[0]![1]);
  return { fixedMs: b, perTokenMs: m, residualMs, r2: spread ? rSquared(points, line) : 1 };
}
