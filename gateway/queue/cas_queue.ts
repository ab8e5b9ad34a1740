/**
 * @module
 * What every compare-and-swap store shares (Deno KV, Redis): the lease operations, each one
 * pure transition from `job_ops.ts` applied through the store's `mutate` (which retries on
 * conflicts), and the enqueue, recovery, listing and waiting built on the store's primitives.
 */
import type { JobRecord, UtteranceRecord } from "@shared/schemas/mod.ts";
import { newId } from "./ids.ts";
import {
  cancelJobFinal,
  checkLease,
  completeJob,
  createJob,
  createUtterance,
  failJob,
  heartbeatJob,
  leaseExpired,
  pauseJob,
  recoverJob,
  releaseJob,
  requestCancel,
  requestDecision,
  resumeJob,
  retryJob,
  updateJob,
} from "./job_ops.ts";
import {
  type EnqueueResult,
  type JobPage,
  type JobQueue,
  type LeaseOutcome,
  type ListOptions,
  type NewJob,
  type NewUtterance,
  QueueError,
} from "./queue.ts";
import { WorkSignal } from "./work_signal.ts";

/** Next record, or an outcome to stop with and write nothing. */
export type Change = (job: JobRecord | null) => JobRecord | { stop: LeaseOutcome };

export abstract class CasQueue {
  readonly #controlListeners = new Set<(jobId: string) => void>();
  /** Wakes this process's idle engines (stores shared by processes also notify it remotely). */
  protected readonly signal: WorkSignal = new WorkSignal();
  /** Signal generation when the latest claim round started reading. */
  protected claimGeneration = 0;

  /** Applies `change` with compare-and-swap, retrying when the record changed meanwhile. */
  protected abstract mutate(jobId: string, change: Change): Promise<LeaseOutcome>;
  protected abstract now(): number;
  /** Writes a new utterance and its jobs at once; false (and nothing written) when it exists. */
  protected abstract insert(
    utterance: UtteranceRecord,
    jobs: readonly JobRecord[],
    now: number,
  ): Promise<boolean>;
  /** Tells idle engines there is new work. */
  protected abstract wake(): void;
  /** Jobs newest first from the narrowest index the filter allows, starting below the cursor. */
  protected abstract scan(options: ListOptions): AsyncIterable<JobRecord>;
  /** Epoch ms when the next delayed job is due; null when none is. */
  protected abstract nextDelayedAt(): Promise<number | null>;
  abstract getUtterance(utteranceId: string): Promise<UtteranceRecord | null>;
  abstract listByUtterance(utteranceId: string): Promise<JobRecord[]>;

  async enqueue(utterance: NewUtterance, jobs: readonly NewJob[]): Promise<EnqueueResult> {
    const now = this.now();
    const records = jobs.map((j) => createJob(newId(), utterance.utterance_id, j, now));
    const record = createUtterance(utterance, records.map((r) => r.job_id), now);
    if (await this.insert(record, records, now)) {
      if (records.length > 0) this.wake();
      return { created: true, utterance: record, jobs: records };
    }
    const existing = await this.getUtterance(utterance.utterance_id);
    if (!existing) {
      throw new QueueError(
        `Cannot enqueue utterance '${utterance.utterance_id}': the store refused the write`,
      );
    }
    return {
      created: false,
      utterance: existing,
      jobs: await this.listByUtterance(existing.utterance_id),
    };
  }

  /** Puts the jobs of `ids` whose lease ran out by `now` back in the queue. */
  protected async recoverLeases(
    ids: Iterable<string> | AsyncIterable<string>,
    now: number,
  ): Promise<JobRecord[]> {
    const moved: JobRecord[] = [];
    for await (const id of ids) {
      const outcome = await this.mutate(
        id,
        (job) =>
          job && leaseExpired(job, now)
            ? recoverJob(job, now)
            : { stop: { ok: false, reason: "lease_lost" } },
      );
      if (outcome.ok) moved.push(outcome.job);
    }
    return moved;
  }

  async list(options: ListOptions = {}): Promise<JobPage> {
    const limit = options.limit ?? 50;
    if (options.utterance_id) {
      // Small and exact: an utterance holds at most 32 jobs.
      const all = (await this.listByUtterance(options.utterance_id))
        .filter((j) => !options.status || j.status === options.status)
        .filter((j) => !options.intent || j.intent === options.intent)
        .filter((j) => !options.cursor || j.job_id < options.cursor)
        .sort((a, b) => (a.job_id < b.job_id ? 1 : -1));
      const jobs = all.slice(0, limit);
      return { jobs, next_cursor: all.length > limit ? jobs[jobs.length - 1]!.job_id : null };
    }
    const jobs: JobRecord[] = [];
    // The index and the record are read at different moments: filter on the record itself.
    for await (const job of this.scan(options)) {
      if (options.status && job.status !== options.status) continue;
      if (options.intent && job.intent !== options.intent) continue;
      if (jobs.length === limit) return { jobs, next_cursor: jobs[jobs.length - 1]!.job_id };
      jobs.push(job);
    }
    return { jobs, next_cursor: null };
  }

  async waitForWork(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    // Listen before reading, so that nothing enqueued meanwhile is missed.
    const cut = new AbortController();
    const woke = this.signal.wait(
      timeoutMs,
      signal ? AbortSignal.any([signal, cut.signal]) : cut.signal,
      this.claimGeneration,
    );
    // Wake for the next delayed job too, so retries run on time.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const at = await this.nextDelayedAt();
    if (at !== null) {
      const due = Math.max(1, at - this.now());
      if (due < timeoutMs) timer = setTimeout(() => cut.abort(), due);
    }
    await woke;
    clearTimeout(timer);
  }

  protected withLease(
    jobId: string,
    token: string,
    apply: (job: JobRecord) => JobRecord,
  ): Promise<LeaseOutcome> {
    return this.mutate(jobId, (job) => {
      const held = checkLease(job, token);
      return held.ok ? apply(held.job) : { stop: held };
    });
  }

  async heartbeat(jobId: string, token: string, leaseMs: number): Promise<boolean> {
    return (await this.withLease(jobId, token, (j) => heartbeatJob(j, leaseMs, this.now()))).ok;
  }

  update(jobId: string, token: string, patch: Parameters<JobQueue["update"]>[2]) {
    return this.withLease(jobId, token, (j) => updateJob(j, patch));
  }

  complete(
    jobId: string,
    token: string,
    result: Parameters<JobQueue["complete"]>[2],
    usage?: Parameters<JobQueue["complete"]>[3],
  ) {
    return this.withLease(jobId, token, (j) => completeJob(j, result, usage, this.now()));
  }

  fail(
    jobId: string,
    token: string,
    error: Parameters<JobQueue["fail"]>[2],
    options?: Parameters<JobQueue["fail"]>[3],
  ) {
    return this.withLease(jobId, token, (j) => failJob(j, error, options ?? {}, this.now()));
  }

  release(jobId: string, token: string) {
    return this.withLease(jobId, token, (j) => releaseJob(j));
  }

  finishCancelled(jobId: string, token: string, reason: string) {
    return this.withLease(jobId, token, (j) => cancelJobFinal(j, reason, this.now()));
  }

  awaitConfirmation(
    jobId: string,
    token: string,
    confirmation: { prompt: string; action?: unknown },
  ) {
    return this.withLease(jobId, token, (j) => pauseJob(j, confirmation));
  }

  resume(jobId: string, token: string) {
    return this.withLease(jobId, token, (j) => resumeJob(j));
  }

  async cancel(jobId: string, reason = "cancelled by request"): Promise<JobRecord | null> {
    let changed = false;
    const outcome = await this.mutate(jobId, (job) => {
      if (!job) return { stop: { ok: false, reason: "not_found" } };
      const next = requestCancel(job, reason, this.now());
      changed = next !== job;
      return changed ? next : { stop: { ok: true, job } };
    });
    if (outcome.ok && changed && outcome.job.cancel_requested) {
      await this.announceControl(jobId);
    }
    return outcome.ok ? outcome.job : outcome.job ?? null;
  }

  async decide(jobId: string, decision: "allow" | "deny"): Promise<JobRecord | null> {
    let changed = false;
    const outcome = await this.mutate(jobId, (job) => {
      if (!job) return { stop: { ok: false, reason: "not_found" } };
      const next = requestDecision(job, decision);
      changed = next !== null;
      return next ?? { stop: { ok: true, job } };
    });
    if (outcome.ok && changed) await this.announceControl(jobId);
    return outcome.ok ? outcome.job : outcome.job ?? null;
  }

  watchControl(listener: (jobId: string) => void): () => void {
    this.#controlListeners.add(listener);
    return () => this.#controlListeners.delete(listener);
  }

  /** Calls this process's control listeners. */
  protected emitControl(jobId: string): void {
    for (const listener of this.#controlListeners) {
      try {
        listener(jobId);
      } catch { /* a listener's failure must not fail the request that steered the job */ }
    }
  }

  /**
   * Tells the engines that a job was steered. This process only by default; a store shared by
   * processes that can broadcast (Redis) overrides it.
   */
  protected announceControl(jobId: string): Promise<void> {
    this.emitControl(jobId);
    return Promise.resolve();
  }

  async retry(jobId: string): Promise<JobRecord | null> {
    const outcome = await this.mutate(jobId, (job) => {
      if (!job) return { stop: { ok: false, reason: "not_found" } };
      return retryJob(job) ?? { stop: { ok: true, job } };
    });
    return outcome.ok ? outcome.job : null;
  }
}
