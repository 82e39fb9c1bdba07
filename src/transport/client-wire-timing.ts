// Link times measured from the bytes themselves, for links shaped outside this process (tc in the
// kernel): the transport holds nothing back there, so the time a RUN spends on the downlink and a
// RESULT on the uplink is read off when the RESULT's bytes arrive. No wire field and no clock sync:
// every timestamp is the BS's own performance.now(). Used by client.ts and client-unshaped-run.ts.
// Pure: no sockets or timers.
//
//   written ── downlink ──▶ RUN at device ── compute ──▶ RESULT leaves ── uplink ──▶ last byte at BS
//                                                          first chunk ▶ firstByte ─ spread ─▶ lastByte
//
// uplink   = the RESULT's spread (first to last chunk at the BS), extrapolated to the bytes of its first
//            chunk at the rate the spread shows: spread · wireBytes / (wireBytes − firstChunkBytes);
//            a RESULT that came mostly in its first chunk (the BS was busy while it arrived, so the
//            kernel buffered it) shows no rate of its own and takes the rate the connection's recent
//            RESULTs showed (UplinkRate); with none yet, its uplink is its spread;
// downlink = what is left between writing the RUN and the RESULT's first byte once the device's own
//            compute time and that first chunk's share of the uplink are taken out.
// The agent's decode and dispatch (tens of µs), and the BS's own delay in reading a RESULT it was too
// busy to read as it came, count as downlink; docs/links.md says so.

// When one frame's bytes arrived (performance.now() ms) and how many came in its first chunk.
export interface FrameArrival {
  firstByteMs: number;
  lastByteMs: number;
  firstChunkBytes: number;
}

// The two link times of one RUN → RESULT round, in ms.
export interface WireTimes {
  downlinkMs: number;
  uplinkMs: number;
}

// The uplink rate one connection's RESULTs showed (bytes per ms, smoothed), for RESULTs that show none.
export class UplinkRate {
  bytesPerMs: number | undefined;

  // Folds in one RESULT's measured rate (exponentially weighted: recent RESULTs count most).
  observe(bytesPerMs: number): void {
    this.bytesPerMs = this.bytesPerMs === undefined ? bytesPerMs : 0.7 * this.bytesPerMs + 0.3 * bytesPerMs;
  }
}

// Splits the time from writing a RUN (`writtenMs`) to its RESULT's last byte into downlink and uplink.
export function measureWireTimes(writtenMs: number, arrival: FrameArrival, wireBytes: number, deviceComputeMs: number, rate?: UplinkRate): WireTimes {
  const spreadMs = Math.max(0, arrival.lastByteMs - arrival.firstByteMs);
  const laterBytes = wireBytes - arrival.firstChunkBytes;
  const availableMs = Math.max(0, arrival.firstByteMs - writtenMs - deviceComputeMs);
  let firstChunkMs = 0;
  if (spreadMs > 0 && laterBytes >= wireBytes / 2) {
    rate?.observe(laterBytes / spreadMs);
    firstChunkMs = (spreadMs * arrival.firstChunkBytes) / laterBytes;
  } else if (rate?.bytesPerMs !== undefined) {
    firstChunkMs = Math.max(0, wireBytes / rate.bytesPerMs - spreadMs);
  } else if (laterBytes > 0 && spreadMs > 0) {
    firstChunkMs = (spreadMs * arrival.firstChunkBytes) / laterBytes;
  }
  firstChunkMs = Math.min(availableMs, firstChunkMs);
  return { downlinkMs: availableMs - firstChunkMs, uplinkMs: spreadMs + firstChunkMs };
}
