// The names of the files in a run folder (`runs/<id>/`), in one place; docs/records.md describes each.
// Used by bench (writers) and report (readers).

export const RUN_FILES = {
  meta: 'run.json',             // format versions + what was run (records/run-meta.ts)
  testbed: 'testbed.yaml',      // the testbed as resolved
  manifest: 'manifest.json',    // the model bundle's manifest
  policies: 'policies.json',    // resolved policy parameters
  results: 'results.jsonl',     // one line per item × policy (records/records.ts)
  scores: 'scores.jsonl',       // per-choice log-likelihoods, acc_norm prediction (records/item-scores.ts)
  generations: 'generations.jsonl', // generated text, TTFT and TPOT per item (records/generations.ts; --task generate)
  layers: 'layers.jsonl',       // one line per item × forward step × layer (records/layer-log.ts)
  summary: 'summary.json',      // per (dataset, policy) aggregates (records/summary.ts)
  simulation: 'simulation.json', // wdmoe simulate --out: the synthetic run's report (sim/write-run.ts)
  sweep: 'sweep.json',          // wdmoe simulate --sweep --out: one row per value × policy (sim/sweep.ts)
  sweepCsv: 'sweep.csv',        // the same rows as CSV
  deviceEvents: 'device-events.jsonl', // devices down, failovers, skipped experts, failed items, reconnections (records/device-events.ts)
  devices: 'devices.jsonl',     // per session × device: runtime info, telemetry at start and end (records/device-setup.ts)
  energy: 'energy.jsonl',       // per item × policy: joules per device over the item's window (records/device-setup.ts)
  linkCheck: 'link-check.json', // the brief link check bench runs before its items (bench/profile-links.ts)
} as const;
