// A worked example of a custom wdmoe policy (docs/policies.md "Custom policies"):
//   wdmoe bench testbeds/loopback-wireless.yaml --policy topk,./examples/policies/latency-budget.mjs:budget_ms=15
// Every token keeps its gate's best expert; a further top-k expert is kept only when the device holding it
// is estimated to finish this layer within `budget_ms` (an equal bandwidth split among the devices in use).
// It reuses the building blocks the built-in policies are made of, which create() receives as its second
// argument (`toolkit`), so the file needs no import and can live anywhere. The TypeScript types of the
// interface come from the package's `wdmoe/policy` export (checked here with // @ts-check + JSDoc; a type-only
// import, so it needs wdmoe installed only for the check, never to run).
// @ts-check

/** @type {import('wdmoe/policy').PolicyDefinition} */
export default {
  name: 'latency-budget',
  description: 'the best expert always; further top-k experts only on devices estimated to finish within budget_ms',
  params: {
    budget_ms: { type: 'number', default: 20, min: 0, description: 'estimated finish time a device may take to get a second expert' },
  },
  create(params, toolkit) {
    const { decisionFromMask, equalShares, estimateDeviceMs, keepFirst, topKCandidates, workOfSlots } = toolkit;
    const budgetMs = /** @type {number} */ (params.budget_ms);
    return (ctx) => {
      const candidates = topKCandidates(ctx);
      // Price every device as if the whole top-k ran, with equal shares among the devices used.
      const all = decisionFromMask(ctx, candidates, keepFirst(ctx, candidates, candidates.k));
      const work = workOfSlots(all.experts, all.slotDevice, all.k, ctx.devices.length);
      const shares = equalShares(work);
      const rowBytes = ctx.hiddenSize * ctx.bytesPerValue;
      const finishMs = ctx.devices.map((device, d) => estimateDeviceMs(device, work[d], shares[d], rowBytes));
      const keep = keepFirst(ctx, candidates, 1);
      for (let token = 0; token < ctx.tokens; token++) {
        for (let j = 1; j < candidates.k; j++) {
          const slot = token * candidates.k + j;
          const holders = ctx.expertDevices[candidates.experts[slot]] ?? [];
          if (holders.some((d) => ctx.devices[d].available && finishMs[d] <= budgetMs)) keep[slot] = 1;
        }
      }
      return decisionFromMask(ctx, candidates, keep);
    };
  },
};
