/**
 * @module
 * The lease operations every compare-and-swap store shares (Deno KV, Redis): each is one pure
 * transition from `job_ops.ts` applied through the store's `mutate`, which retries on conflicts.
 */
import type { JobRecord } from "@shared/schemas/mod.ts";
import {
  cancelJobFinal,
  checkLease,
  completeJob,
  failJob,
  heartbeatJob,
  pauseJob,
  releaseJob,
  requestCancel,
  requestDecision,
  resumeJob,
  retryJob,
  updateJob,
} from "./job_ops.ts";
import type { JobQueue, LeaseOutcome } from "./queue.ts";

/** Next record, or an outcome to stop with and write nothing. */
export type Change = (job: JobRecord | null) => JobRecord | { stop: LeaseOutcome };

export abstract class CasQueue {
  readonly #controlListeners = new Set<(jobId: string) => void>();

  /** Applies `change` with compare-and-swap, retrying when the record changed meanwhile. */
  protected abstract mutate(jobId: string, change: Change): Promise<LeaseOutcome>;
  protected abstract now(): number;

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
