/**
 * @module
 * When the kv store's next delayed job is due, as far as this process knows, so that a claim
 * round and an idle engine's wait do not list the delayed index every time. A delayed job this
 * process writes moves the time at once; one written by another process on the same file is
 * found by reading the index again at least every `refreshMs` (as idle engines in other
 * processes are woken, by polling). It errs early, never late: a time it has wrong costs a read.
 */
export class DueTracker {
  readonly #refreshMs: number;
  /** Earliest run_at known; -Infinity while unknown (read before trusting it). */
  #nextDue = -Infinity;
  #readAt = -Infinity;
  /** Delayed writes so far, to spot one made while a read was in flight. */
  #writes = 0;

  constructor(refreshMs = 1000) {
    this.#refreshMs = refreshMs;
  }

  /** Whether the delayed index must be read at `now` (something may be due, or it is old). */
  stale(now: number): boolean {
    return now >= this.#nextDue || now - this.#readAt >= this.#refreshMs || now < this.#readAt;
  }

  /** The earliest due time known (null: no delayed job). Meaningful when not `stale`. */
  next(): number | null {
    return this.#nextDue === Infinity ? null : this.#nextDue;
  }

  /** This process wrote a delayed job due at `runAt`. */
  delayed(runAt: number): void {
    this.#writes++;
    this.#nextDue = Math.min(this.#nextDue, runAt);
  }

  /** Call before reading the index; pass the result to {@linkcode read}. */
  mark(): number {
    return this.#writes;
  }

  /**
   * The index was read at `now` (from a snapshot taken after `mark()`): the earliest delayed
   * job in it is due at `next`, null when there was none.
   */
  read(mark: number, now: number, next: number | null): void {
    const seen = next ?? Infinity;
    // A delayed write that raced the read may be missing from the snapshot: keep it.
    this.#nextDue = mark === this.#writes ? seen : Math.min(seen, this.#nextDue);
    this.#readAt = now;
  }
}
