// Background reconnection of a device marked down: tries again after 0.2 s, doubling the wait up to 5 s
// between attempts, until a connection is authenticated and the agent still holds its experts, or the run
// ends (`signal`). Called by bench/connect-devices.ts, which swaps the new client in and marks the device
// up. No loop is unbounded in time: each attempt has the testbed's connect deadline.
import { sleep } from '../core/index.js';

// Wait before the first attempt and the most between two (ms).
export const RECONNECT_FIRST_DELAY_MS = 200;
export const RECONNECT_MAX_DELAY_MS = 5000;

// The wait before attempt `attempt` (1-based): 0.2 s, 0.4 s, 0.8 s, … capped at 5 s.
export function reconnectDelayMs(attempt: number): number {
  return Math.min(RECONNECT_MAX_DELAY_MS, RECONNECT_FIRST_DELAY_MS * 2 ** Math.max(0, attempt - 1));
}

// Calls `connect` with backoff until it resolves; resolves with what it returned and the attempts it took,
// or null once `signal` aborts (a client connected as the run ended is handed to `discard`).
export async function reconnectWithBackoff<T>(connect: (signal: AbortSignal) => Promise<T>, options: { signal: AbortSignal; discard: (value: T) => void }): Promise<{ value: T; attempts: number } | null> {
  for (let attempt = 1; ; attempt++) {
    try {
      await sleep(reconnectDelayMs(attempt), options.signal);
    } catch {
      return null;
    }
    try {
      const value = await connect(options.signal);
      if (options.signal.aborted) {
        options.discard(value);
        return null;
      }
      return { value, attempts: attempt };
    } catch {
      if (options.signal.aborted) return null;
    }
  }
}
