// Public API of the policy piece: the registry of pure policy functions that bench and sim both use,
// the --policy resolver (built-ins and custom modules), and the building blocks a custom policy may reuse.
export * from './types.js';
export { POLICIES, POLICY_NAMES, type PolicyName } from './registry.js';
export { resolvePolicies, type ResolvedPolicy } from './resolve.js';
export { parsePolicySpecs, isModuleTarget, type PolicySpec } from './spec.js';
export { resolveParams } from './params.js';
export { PolicyError, PolicyDecisionError } from './errors.js';
export { findDecisionProblem } from './check-decision.js';
export { softmaxRows, topKOfRow } from './gate.js';
export { transferMs, linkTransferMs, estimateDeviceMs, computeMs, dependsOnShare, type DeviceWork } from './latency.js';
export { workOfSlots, equalShares } from './device-work.js';
export { allocateBandwidth } from './bandwidth.js';
export { topKCandidates, availableMask, decisionFromMask, keepFirst, type Candidates } from './selection.js';
export { selectByWlr, deviceLatencies } from './wlr.js';
export { jointSelection } from './wdmoe.js';
export { selectTopExperts } from './topk.js';
export { assignReplicas } from './replicas.js';
export { buildDeviceEstimates, UNLIMITED_LINK, type EstimateSource } from './estimates.js';
export { NO_EXPERT_SLOT } from './slots.js';
export { POLICY_TOOLKIT, type PolicyToolkit } from './toolkit.js';
