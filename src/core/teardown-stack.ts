// A LIFO stack of async cleanups owned by one command (agent pids, sockets, qdiscs, sshd, temp dirs).
// Register each resource the moment it is created; `dispose()` unwinds in reverse order, runs every
// cleanup even when one fails, and is idempotent. Node 20 has no AsyncDisposableStack, hence this class.
// A cleanup may also name a synchronous last-chance fallback (`onExit`: kill a recorded pid, delete a
// namespace) that runs on process exit if the cleanup has not finished by then — what a second Ctrl-C
// (cli/main.ts exits at once) or an exit mid-unwind still gets done. Fallbacks hang off one 'exit' listener.

export type Cleanup = () => void | Promise<void>;
// Synchronous: it runs inside process.on('exit'), where nothing asynchronous completes.
export type ExitCleanup = () => void;

const pendingOnExit = new Set<ExitCleanup>();
let isExitHookInstalled = false;

function runPendingOnExit(): void {
  for (const cleanup of [...pendingOnExit].reverse()) {
    try {
      cleanup();
    } catch {
      // best effort: the process is exiting; the state file still lists what is left
    }
  }
  pendingOnExit.clear();
}

function watchForExit(cleanup: ExitCleanup): void {
  if (!isExitHookInstalled) {
    isExitHookInstalled = true;
    process.once('exit', runPendingOnExit);
  }
  pendingOnExit.add(cleanup);
}

interface Entry {
  label: string;
  run: Cleanup;
  onExit: ExitCleanup | undefined;
}

// Holds cleanups and runs them last-in first-out exactly once.
export class TeardownStack {
  readonly #cleanups: Entry[] = [];
  #disposed = false;

  // Registers a cleanup (and its exit fallback); if the stack is already disposed it runs at once.
  defer(label: string, run: Cleanup, options: { onExit?: ExitCleanup } = {}): void {
    const entry: Entry = { label, run, onExit: options.onExit };
    if (entry.onExit !== undefined) watchForExit(entry.onExit);
    if (this.#disposed) {
      void TeardownStack.#run(entry).catch(() => undefined);
      return;
    }
    this.#cleanups.push(entry);
  }

  get isDisposed(): boolean {
    return this.#disposed;
  }

  // Runs every cleanup in reverse order; returns the failures (label + error), never throws.
  async dispose(): Promise<Array<{ label: string; error: unknown }>> {
    this.#disposed = true;
    const failures: Array<{ label: string; error: unknown }> = [];
    while (this.#cleanups.length > 0) {
      const entry = this.#cleanups.pop()!;
      try {
        await TeardownStack.#run(entry);
      } catch (error) {
        failures.push({ label: entry.label, error });
      }
    }
    return failures;
  }

  // Drops every cleanup without running it: the resources now outlive the command (`loopback up` hands its
  // agents to the state file, which `loopback down` reads).
  release(): void {
    this.#disposed = true;
    for (const entry of this.#cleanups.splice(0)) if (entry.onExit !== undefined) pendingOnExit.delete(entry.onExit);
  }

  // The exit fallback stays armed until the cleanup has finished: an exit while it runs still gets it.
  static async #run(entry: Entry): Promise<void> {
    try {
      await entry.run();
    } finally {
      if (entry.onExit !== undefined) pendingOnExit.delete(entry.onExit);
    }
  }
}
