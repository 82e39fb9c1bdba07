// A LIFO stack of async cleanups owned by one command (agent pids, sockets, qdiscs, sshd, temp dirs).
// Register each resource the moment it is created; `dispose()` unwinds in reverse order, runs every
// cleanup even when one fails, and is idempotent. Node 20 has no AsyncDisposableStack, hence this class.

export type Cleanup = () => void | Promise<void>;

// Holds cleanups and runs them last-in first-out exactly once.
export class TeardownStack {
  readonly #cleanups: Array<{ label: string; run: Cleanup }> = [];
  #disposed = false;

  // Registers a cleanup; if the stack is already disposed it runs at once.
  defer(label: string, run: Cleanup): void {
    if (this.#disposed) {
      void Promise.resolve().then(run).catch(() => undefined);
      return;
    }
    this.#cleanups.push({ label, run });
  }

  get isDisposed(): boolean {
    return this.#disposed;
  }

  // Runs every cleanup in reverse order; returns the failures (label + error), never throws.
  async dispose(): Promise<Array<{ label: string; error: unknown }>> {
    this.#disposed = true;
    const failures: Array<{ label: string; error: unknown }> = [];
    while (this.#cleanups.length > 0) {
      const { label, run } = this.#cleanups.pop()!;
      try {
        await run();
      } catch (error) {
        failures.push({ label, error });
      }
    }
    return failures;
  }
}
