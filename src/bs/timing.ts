// An item's latency split along the critical path; the five parts always add up to the total
// because `other` is defined as the remainder (protocol overhead, queueing, scheduling).

export interface LatencyBreakdown {
  totalMs: number;
  bsComputeMs: number;
  downlinkMs: number;
  deviceComputeMs: number;
  uplinkMs: number;
  otherMs: number;
}

// A zeroed breakdown to accumulate into.
export function emptyTiming(): LatencyBreakdown {
  return { totalMs: 0, bsComputeMs: 0, downlinkMs: 0, deviceComputeMs: 0, uplinkMs: 0, otherMs: 0 };
}

// Adds b into a (for items that take several forward passes, e.g. decode steps).
export function addTiming(a: LatencyBreakdown, b: LatencyBreakdown): LatencyBreakdown {
  return {
    totalMs: a.totalMs + b.totalMs,
    bsComputeMs: a.bsComputeMs + b.bsComputeMs,
    downlinkMs: a.downlinkMs + b.downlinkMs,
    deviceComputeMs: a.deviceComputeMs + b.deviceComputeMs,
    uplinkMs: a.uplinkMs + b.uplinkMs,
    otherMs: a.otherMs + b.otherMs,
  };
}
