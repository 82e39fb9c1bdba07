// Per-device health during a run: up, or down with why (which layer, what failed) and since when.
// One object per device (BsDevice.health), shared by every item and policy of the run: bs/forward.ts
// marks a device down when it misses its deadline, closes its connection or answers ERROR, the policies
// then see it unavailable, and bench/connect-devices.ts reconnects it in the background and marks it up.
// Listeners hear each change once. No sockets or timers here.

// Why a device went down.
export interface DeviceDown {
  readonly layer: number; // the MoE layer whose request failed
  readonly failure: string; // DeviceError failure: timeout, lost, agent-error, protocol, …
  readonly reason: string; // the error message without the device name
  readonly sinceMs: number; // performance.now() when it was marked down
}

export type HealthChange = { kind: 'down'; device: string; down: DeviceDown } | { kind: 'up'; device: string; downMs: number; attempts: number };

// The health of one device.
export class DeviceHealth {
  readonly device: string;
  #down: DeviceDown | null = null;
  readonly #listeners: ((change: HealthChange) => void)[] = [];

  constructor(device: string) {
    this.device = device;
  }

  get isUp(): boolean {
    return this.#down === null;
  }

  // Why it is down, or null while up.
  get down(): DeviceDown | null {
    return this.#down;
  }

  // Marks the device down; true when it was up (the first report of this loss), false when already down.
  markDown(down: Omit<DeviceDown, 'sinceMs'>): boolean {
    if (this.#down !== null) return false;
    this.#down = { ...down, sinceMs: performance.now() };
    this.#notify({ kind: 'down', device: this.device, down: this.#down });
    return true;
  }

  // Marks the device up again after `attempts` reconnect attempts; no-op while up.
  markUp(attempts: number): void {
    if (this.#down === null) return;
    const downMs = performance.now() - this.#down.sinceMs;
    this.#down = null;
    this.#notify({ kind: 'up', device: this.device, downMs, attempts });
  }

  // Calls `listener` on every later change.
  onChange(listener: (change: HealthChange) => void): void {
    this.#listeners.push(listener);
  }

  #notify(change: HealthChange): void {
    for (const listener of this.#listeners) listener(change);
  }
}
