// Public API of the sim piece: the papers' latency model fed by recorded runs (replay) — the same policy
// registry and channel model as bench.
export { replayRun, MEAN_TOLERANCE, P90_TOLERANCE, type ReplayOptions, type ReplayReport, type ReplayPolicy, type ReplayItem } from './replay.js';
export { latencyFigures, type LatencyFigures } from './latency-figures.js';
export { predictLayer, expectedMaxMs, residualQuantiles, NO_OVERHEADS, type Overheads, type LayerPrediction } from './layer-latency.js';
export { fitCalibration, NO_CALIBRATION, type Calibration } from './calibrate.js';
export { loadReplayRun, type ReplayRun, type ReplayDevice } from './replay-run.js';
export { contextOfRecord, gateProbsOfRouting, linkStateOfRecord } from './replay-context.js';
export { SimError } from './errors.js';
export { simulateSynthetic, type SyntheticOptions, type SyntheticReport, type SyntheticPolicy, type SyntheticBatch } from './synthetic.js';
export { resolveModelShape, MODEL_SHAPES, type ModelShape } from './model-shape.js';
export { synthesizeDevices, type SyntheticDevices } from './synth-devices.js';
export { fillGateProbs, layerPopularity } from './synth-routing.js';
export { parseSweep, runSweep, runSweepPoints, sweepPointLabel, encodeSweepCsv, SWEEP_PARAMETERS, type Sweep, type SweepRow, type SweepParameter, type SweepPoint } from './sweep.js';
export { assertNewRunDir, writeSyntheticRun, writeSweepRun, resultRecordsOf, SYNTHETIC_DATASET } from './write-run.js';
export { proposePlacement, placementSpecs, type PlaceOptions, type PlaceReport, type PlacementPrediction } from './place.js';
export { writePlacementYaml } from './place-yaml.js';
