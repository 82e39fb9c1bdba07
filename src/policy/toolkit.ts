// The building blocks a custom policy module receives as create's second argument, so a module anywhere on
// disk can reuse what the built-in policies are made of without importing wdmoe (docs/policies.md).
// The same functions the package exports as `wdmoe/policy`.
import { allocateBandwidth } from './bandwidth.js';
import { equalShares, workOfSlots } from './device-work.js';
import { topKOfRow } from './gate.js';
import { computeMs, estimateDeviceMs, linkTransferMs, transferMs } from './latency.js';
import { assignReplicas } from './replicas.js';
import { availableMask, decisionFromMask, keepFirst, topKCandidates } from './selection.js';
import { NO_EXPERT_SLOT } from './slots.js';
import { deviceLatencies, selectByWlr } from './wlr.js';
import { rateAtShare } from '../channel/index.js';

export const POLICY_TOOLKIT = Object.freeze({
  NO_EXPERT_SLOT, topKOfRow, topKCandidates, availableMask, keepFirst, decisionFromMask, assignReplicas,
  workOfSlots, equalShares, allocateBandwidth, estimateDeviceMs, computeMs, transferMs, linkTransferMs, rateAtShare,
  selectByWlr, deviceLatencies,
});

export type PolicyToolkit = typeof POLICY_TOOLKIT;
