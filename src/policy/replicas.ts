// Chooses, for every (token, expert) slot, which replica device runs it: the available one whose
// estimated finish time, with this slot added, is lowest (PAPERS.md: "the replica with the lowest
// estimated latency"), ties to the earliest holder. Pure; called by every built-in policy through
// selection.ts. It runs once per slot in the simulator's hot loop (1000 devices: 125 replicas an expert), so
// nothing is allocated per token or slot, each device's rates and each expert's available holders are found once
// per call, and an expert with many replicas picks from a lazily re-priced heap instead of scanning them (same
// choice: the test checks).
import { rateAtShare } from '../channel/index.js';
import { NO_EXPERT_SLOT } from './slots.js';
import type { PolicyContext } from './types.js';

// transferMs (latency.ts) for a rate already resolved: Infinity = unlimited, 0 = none.
function transferAtMs(bytes: number, rateBitsPerSec: number, delayMs: number): number {
  if (bytes <= 0) return delayMs;
  if (!(rateBitsPerSec > 0)) return Infinity;
  return (bytes * 8 * 1000) / rateBitsPerSec + delayMs;
}

// Above this many available replicas an expert's slots are placed through a heap (same choice as the scan).
const HEAP_FROM = 8;

// A min-heap of an expert's available replicas keyed by (estimated cost, position among the holders), the
// scan's order. Keys are lower bounds: a device's cost only grows as work is added to it, so the top is
// re-priced until its key is its cost (lazy evaluation), which makes it the scan's choice.
interface ReplicaHeap {
  readonly devices: Int32Array;
  readonly positions: Int32Array;
  readonly keys: Float64Array;
  readonly positionOf: Int32Array; // per device index: its position among the holders, -1 when not one
}

function createHeap(devices: readonly number[], deviceCount: number, price: (device: number) => number): ReplicaHeap {
  const heap: ReplicaHeap = {
    devices: Int32Array.from(devices), positions: Int32Array.from(devices, (_, i) => i), keys: Float64Array.from(devices, price),
    positionOf: new Int32Array(deviceCount).fill(-1),
  };
  devices.forEach((d, i) => (heap.positionOf[d] = i));
  for (let i = (devices.length >> 1) - 1; i >= 0; i--) siftDown(heap, i);
  return heap;
}

const isBefore = (heap: ReplicaHeap, a: number, b: number) => heap.keys[a]! < heap.keys[b]! || (heap.keys[a] === heap.keys[b] && heap.positions[a]! < heap.positions[b]!);

function siftDown(heap: ReplicaHeap, start: number): void {
  const size = heap.devices.length;
  let i = start;
  for (;;) {
    const left = 2 * i + 1;
    let smallest = i;
    if (left < size && isBefore(heap, left, smallest)) smallest = left;
    if (left + 1 < size && isBefore(heap, left + 1, smallest)) smallest = left + 1;
    if (smallest === i) return;
    const device = heap.devices[i]!;
    heap.devices[i] = heap.devices[smallest]!;
    heap.devices[smallest] = device;
    const position = heap.positions[i]!;
    heap.positions[i] = heap.positions[smallest]!;
    heap.positions[smallest] = position;
    const key = heap.keys[i]!;
    heap.keys[i] = heap.keys[smallest]!;
    heap.keys[smallest] = key;
    i = smallest;
  }
}

// The replica with the lowest current price (ties: the earliest holder).
function cheapestFromHeap(heap: ReplicaHeap, price: (device: number) => number): number {
  for (;;) {
    const now = price(heap.devices[0]!);
    if (!(now > heap.keys[0]!)) return heap.devices[0]!;
    heap.keys[0] = now;
    siftDown(heap, 0);
  }
}

// slotDevice (n×k device indices, -1 for unused slots or experts with no available replica).
// `shareOf(d)` is the bandwidth share the estimate assumes for device d (default: an equal split over all devices).
export function assignReplicas(ctx: PolicyContext, experts: Uint16Array, k: number, shareOf?: (device: number) => number): Int32Array {
  const slotDevice = new Int32Array(experts.length).fill(-1);
  const rowBytes = ctx.hiddenSize * ctx.bytesPerValue;
  const share = shareOf ?? (() => 1 / Math.max(1, ctx.devices.length));
  const devices = ctx.devices.length;
  const numExperts = Math.max(1, ctx.numExperts);
  // No allocation per token or slot (the simulator runs this over millions of slots): each device's work in typed
  // arrays, typed-array marks instead of sets.
  const rows = new Float64Array(devices);
  const runs = new Float64Array(devices);
  const pairs = new Float64Array(devices);
  const ran = new Uint8Array(devices * numExperts); // device d already runs expert e
  const rowStamp = new Int32Array(devices); // token + 1 when the current token's row already goes to device d
  // Per expert, once per call: its first available holder and how many are available (-1: not counted yet), so a
  // slot does not walk every replica's availability (1000 devices: 125 replicas an expert).
  const firstAvailable = new Int32Array(numExperts);
  const availableCount = new Int32Array(numExperts).fill(-1);
  const countAvailable = (expert: number): void => {
    let first = -1;
    let count = 0;
    for (const d of ctx.expertDevices[expert] ?? []) {
      if (ctx.devices[d]?.available === false) continue;
      if (first < 0) first = d;
      count += 1;
    }
    firstAvailable[expert] = first;
    availableCount[expert] = count;
  };
  // Each device's rates at its share, once per call (the estimate's terms, policy/latency.ts): Infinity for an
  // unlimited link, 0 for none; with its delays and compute terms, read from typed arrays in the replica choice below.
  const downRate = new Float64Array(devices);
  const upRate = new Float64Array(devices);
  const downDelay = new Float64Array(devices);
  const upDelay = new Float64Array(devices);
  const fixedMs = new Float64Array(devices);
  const perTokenMs = new Float64Array(devices);
  const rated = new Uint8Array(devices);
  const rate = (d: number): void => {
    const device = ctx.devices[d]!;
    const b = share(d);
    downRate[d] = rateAtShare(device.downlink, b) ?? Infinity;
    upRate[d] = rateAtShare(device.uplink, b) ?? Infinity;
    downDelay[d] = device.downlink.delayMs;
    upDelay[d] = device.uplink.delayMs;
    fixedMs[d] = device.compute.fixedMs;
    perTokenMs[d] = device.compute.perTokenMs;
    rated[d] = 1;
  };
  const cost = (d: number, rowCount: number, runCount: number, pairCount: number): number => {
    if (rated[d] === 0) rate(d);
    const bytes = rowCount * rowBytes;
    // Summed in estimateDeviceMs's order, so near-ties break as the estimate does.
    return transferAtMs(bytes, downRate[d]!, downDelay[d]!) + (runCount * fixedMs[d]! + pairCount * perTokenMs[d]!) + transferAtMs(bytes, upRate[d]!, upDelay[d]!);
  };
  // Experts with many replicas (the simulator's 1000 devices) choose from a heap per expert instead of a scan.
  const heaps: (ReplicaHeap | undefined)[] = [];
  const heapOf = (expert: number, holders: readonly number[]): ReplicaHeap =>
    (heaps[expert] ??= createHeap(holders.filter((d) => ctx.devices[d]?.available !== false), devices, (d) => cost(d, 1, 1, 1)));
  // A replica's price for the current slot's expert with a new row (one function for all slots: no closure per slot).
  let currentExpert = 0;
  const priceWithRow = (d: number) => cost(d, rows[d]! + 1, runs[d]! + (ran[d * numExperts + currentExpert] === 1 ? 0 : 1), pairs[d]! + 1);
  const tokens = k === 0 ? 0 : experts.length / k;
  for (let token = 0; token < tokens; token++) {
    const stamp = token + 1; // a token crosses a link once per device
    for (let j = 0; j < k; j++) {
      const expert = experts[token * k + j]!;
      if (expert === NO_EXPERT_SLOT) continue;
      if (availableCount[expert]! < 0) countAvailable(expert);
      const available = availableCount[expert]!;
      let best = firstAvailable[expert]!;
      if (available > HEAP_FROM) {
        const heap = heapOf(expert, ctx.expertDevices[expert]!);
        currentExpert = expert;
        best = cheapestFromHeap(heap, priceWithRow);
        // The heap prices every replica with a new row; a device this token's row already goes to costs less.
        let bestCost = cost(best, rows[best]! + (rowStamp[best] === stamp ? 0 : 1), runs[best]! + (ran[best * numExperts + expert] === 1 ? 0 : 1), pairs[best]! + 1);
        let bestPosition = heap.positionOf[best]!;
        for (let earlier = 0; earlier < j; earlier++) {
          const d = slotDevice[token * k + earlier]!;
          const position = d < 0 ? -1 : heap.positionOf[d]!;
          if (position < 0) continue;
          const estimate = cost(d, rows[d]!, runs[d]! + (ran[d * numExperts + expert] === 1 ? 0 : 1), pairs[d]! + 1);
          if (estimate < bestCost || (estimate === bestCost && position < bestPosition)) {
            best = d;
            bestCost = estimate;
            bestPosition = position;
          }
        }
      } else if (available > 1) {
        let bestCost = Infinity;
        for (const d of ctx.expertDevices[expert]!) {
          if (ctx.devices[d]?.available === false) continue;
          const estimate = cost(d, rows[d]! + (rowStamp[d] === stamp ? 0 : 1), runs[d]! + (ran[d * numExperts + expert] === 1 ? 0 : 1), pairs[d]! + 1);
          if (estimate < bestCost) {
            best = d;
            bestCost = estimate;
          }
        }
      }
      if (best < 0) continue;
      slotDevice[token * k + j] = best;
      if (rowStamp[best] !== stamp) {
        rowStamp[best] = stamp;
        rows[best]! += 1;
      }
      if (ran[best * numExperts + expert] !== 1) {
        ran[best * numExperts + expert] = 1;
        runs[best]! += 1;
      }
      pairs[best]! += 1;
    }
  }
  return slotDevice;
}
