/**
 * @module
 * The records of jobs this process enqueued, as written, with the versionstamp of their commit,
 * until this process writes them again. A claim round leases the jobs it finds in the ready
 * index; for the ones kept here it needs no read of the records first: the lease is checked
 * against the kept versionstamp, so it commits only if the record is still exactly the one kept,
 * and if another process changed a job meanwhile the check fails and the claim reads afresh.
 *
 * Kept only once this process has claimed something (an engine runs here): a gateway that only
 * takes requests, with engines elsewhere, would keep records nobody here reads. Only records
 * stored inline (not in chunks), and at most `limit`: once full, the oldest tenth is dropped.
 */
import type { JobRecord } from "@shared/schemas/mod.ts";

export interface QueuedRecord {
  versionstamp: string;
  job: JobRecord;
}

export class QueuedRecords {
  readonly #records = new Map<string, QueuedRecord>();
  readonly #limit: number;
  #wanted = false;

  constructor(limit = 10_000) {
    this.#limit = limit;
  }

  get size(): number {
    return this.#records.size;
  }

  /** From now on, enqueued records are kept (the first claim calls it). */
  want(): void {
    this.#wanted = true;
  }

  /** Keeps a queued job as committed at `versionstamp`, when wanted and stored inline. */
  enqueued(job: JobRecord, versionstamp: string, inline: boolean): void {
    if (!this.#wanted || !inline || job.status !== "queued") return;
    if (this.#records.size >= this.#limit) this.#dropOldest();
    this.#records.set(job.job_id, { versionstamp, job });
  }

  /**
   * Drops the oldest tenth at once. A map keeps the slots of deleted entries until it grows
   * again, and finding its first live entry walks past them: dropping one entry per enqueue once
   * full cost 8.5 µs per enqueue (with every fifth job forgotten meanwhile), one walk per tenth
   * costs a fraction of that.
   */
  #dropOldest(): void {
    let n = Math.max(1, Math.floor(this.#limit / 10));
    for (const id of this.#records.keys()) {
      this.#records.delete(id);
      if (--n === 0) return;
    }
  }

  get(jobId: string): QueuedRecord | undefined {
    return this.#records.get(jobId);
  }

  /** Forgets a job this process wrote again, or whose kept record turned out stale. */
  forget(jobId: string): void {
    this.#records.delete(jobId);
  }
}
