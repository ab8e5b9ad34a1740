/**
 * @module
 * The records this process last wrote for the jobs it holds a lease on, with the versionstamp
 * they were written at. A lease holder's next write (a heartbeat, progress, the completion) is
 * checked against the kept versionstamp instead of reading the record first: a versionstamp
 * names one commit, so when the check passes the kept record is exactly the stored one, and when
 * anything else changed the job meanwhile the check fails and the write is retried on a fresh
 * read. Only leased jobs stored inline (not in chunks) are kept, and at most `limit` of them.
 */
import type { JobRecord } from "@shared/schemas/mod.ts";

export interface HeldRecord {
  versionstamp: string;
  job: JobRecord;
}

/** Whether a record holds a lease that its holder will write again. */
function isHeld(job: JobRecord): boolean {
  return job.lease !== undefined &&
    (job.status === "running" || job.status === "awaiting_confirmation");
}

export class HeldRecords {
  readonly #records = new Map<string, HeldRecord>();
  readonly #limit: number;

  constructor(limit = 10_000) {
    this.#limit = limit;
  }

  get size(): number {
    return this.#records.size;
  }

  get(jobId: string): HeldRecord | undefined {
    return this.#records.get(jobId);
  }

  /** Keeps `job` as written at `versionstamp` while it is leased, and forgets it after. */
  wrote(job: JobRecord, versionstamp: string, inline: boolean): void {
    if (!inline || !isHeld(job)) {
      this.#records.delete(job.job_id);
      return;
    }
    if (this.#records.size >= this.#limit && !this.#records.has(job.job_id)) {
      // The oldest entry first: a job held that long is the likeliest to be gone.
      this.#records.delete(this.#records.keys().next().value!);
    }
    this.#records.set(job.job_id, { versionstamp, job });
  }

  /** Forgets a job whose kept record turned out stale. */
  forget(jobId: string): void {
    this.#records.delete(jobId);
  }
}
