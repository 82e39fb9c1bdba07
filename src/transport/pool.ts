// One DeviceClient per device of a testbed, connected concurrently; closing the pool closes them all.
// Called by bs/ (bench) and perf/. If one device cannot be reached the pool closes the ones that
// did connect and throws that device's DeviceError (the others' failures ride along as `failures`).
import { InternalError } from '../core/index.js';
import type { LinkShaper } from '../links/index.js';
import { DeviceClient } from './client.js';
import type { WireDtype } from './dtype.js';

export interface PoolDevice {
  name: string;
  host: string;
  port: number;
  downlink?: LinkShaper;
  uplink?: LinkShaper;
}

export interface ClientPoolOptions {
  devices: readonly PoolDevice[];
  token: string;
  connectTimeoutMs: number;
  signal?: AbortSignal;
  dtype?: WireDtype;
}

// The open connections to every device of a testbed.
export class ClientPool {
  readonly #clients: ReadonlyMap<string, DeviceClient>;

  private constructor(clients: ReadonlyMap<string, DeviceClient>) {
    this.#clients = clients;
  }

  // Connects to every device at once; all or nothing.
  static async connect(options: ClientPoolOptions): Promise<ClientPool> {
    const settled = await Promise.allSettled(
      options.devices.map((device) =>
        DeviceClient.connect({
          device: device.name, host: device.host, port: device.port, token: options.token,
          downlink: device.downlink, uplink: device.uplink, connectTimeoutMs: options.connectTimeoutMs,
          signal: options.signal, dtype: options.dtype,
        }),
      ),
    );
    const failures = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason as unknown] : []));
    const clients = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    if (failures.length > 0) {
      await Promise.all(clients.map((client) => client.close({ timeoutMs: 500 })));
      const first = failures[0];
      if (first instanceof Error && failures.length > 1) Object.assign(first, { failures });
      throw first;
    }
    return new ClientPool(new Map(clients.map((client) => [client.name, client])));
  }

  // The client of one device.
  get(device: string): DeviceClient {
    const client = this.#clients.get(device);
    if (client === undefined) throw new InternalError(`no connection to device ${device} in the pool (known: ${[...this.#clients.keys()].join(', ')})`);
    return client;
  }

  get clients(): readonly DeviceClient[] {
    return [...this.#clients.values()];
  }

  // Closes every connection (BYE, then wait ≤ timeoutMs each, in parallel).
  async closeAll(options: { timeoutMs?: number } = {}): Promise<void> {
    await Promise.all([...this.#clients.values()].map((client) => client.close(options)));
  }
}
