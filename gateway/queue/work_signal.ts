/**
 * @module
 * A wake-up signal: waiters sleep until `notify()` or their timeout. Backends use it to wake the
 * engine on new work in this process; cross-process backends add their own wake-ups.
 *
 * Each `notify()` advances a generation. A backend whose claim reads the store asynchronously
 * notes the generation when a claim starts; a wait that passes it returns at once when a
 * notification came in since, so work enqueued between an empty claim and the wait that
 * follows it is not slept through.
 */
export class WorkSignal {
  #waiters = new Set<() => void>();
  #generation = 0;

  /** How many notifications there have been. */
  get generation(): number {
    return this.#generation;
  }

  /** Wakes every current waiter. */
  notify(): void {
    this.#generation++;
    const waiters = this.#waiters;
    this.#waiters = new Set();
    for (const wake of waiters) wake();
  }

  /**
   * Resolves on the next `notify()`, after `timeoutMs`, or on abort; at once when the
   * generation has moved past `since`.
   */
  wait(timeoutMs: number, signal?: AbortSignal, since?: number): Promise<void> {
    if (signal?.aborted) return Promise.resolve();
    if (since !== undefined && since !== this.#generation) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        this.#waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      signal?.addEventListener("abort", done, { once: true });
      this.#waiters.add(done);
    });
  }
}
