// Accuracy per dataset × series: acc (mean of `correct`) and acc_norm (scores.jsonl's length-normalised
// prediction; multiple choice only), each with its 95% Wilson interval; items nothing scored (correct null: a
// simulated run) are left out. Pure; called by build-report.ts.

import { resultKey } from '../records/index.js';
import type { AccuracyRow } from './report-types.js';
import { inOrder, type Series } from './series.js';
import { wilsonInterval95 } from './statistics.js';

// One row per (dataset, series), datasets in order of first appearance, series in their order.
export function accuracyRows(series: readonly Series[]): AccuracyRow[] {
  const datasets = inOrder(series.flatMap((one) => one.results.map((record) => record.dataset)));
  return datasets.flatMap((dataset) => series.flatMap((one) => {
    // Only scored items: a simulated run's lines have correct null, and give no accuracy row.
    const results = one.results.filter((record) => record.dataset === dataset && record.correct !== null);
    if (results.length === 0) return [];
    const scores = new Map(one.folder.scores.map((score) => [resultKey(score.dataset, score.policy, score.id), score]));
    const normed = results.flatMap((record) => {
      const score = scores.get(resultKey(record.dataset, record.policy, record.id));
      return score === undefined ? [] : [score.prediction_norm === score.gold];
    });
    const correct = results.filter((record) => record.correct).length;
    const correctNorm = normed.filter(Boolean).length;
    return [{
      ...one.ref,
      dataset,
      n: results.length,
      correct,
      acc: correct / results.length,
      acc_ci95: wilsonInterval95(correct, results.length),
      n_norm: normed.length,
      acc_norm: normed.length === 0 ? null : correctNorm / normed.length,
      acc_norm_ci95: normed.length === 0 ? null : wilsonInterval95(correctNorm, normed.length),
    }];
  }));
}
