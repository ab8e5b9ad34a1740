/**
 * @module
 * The in-process queue backend: fast and ephemeral. Used by tests, benchmarks, and
 * `--queue memory`. Everything is lost when the process ends.
 */
import type { JobRecord, UtteranceRecord } from "@shared/schemas/mod.ts";
import { newId } from "../ids.ts";
import {
  cancelJobFinal,
  checkLease,
  claimJob,
  completeJob,
  createJob,
  createUtterance,
  failJob,
  heartbeatJob,
  isRunnable,
  leaseExpired,
  pauseJob,
  priorityRank,
  recoverJob,
  releaseJob,
  requestCancel,
  requestDecision,
  resumeJob,
  retryJob,
  updateJob,
} from "../job_ops.ts";
import type {
  ClaimOptions,
  EnqueueResult,
  JobPage,
  JobQueue,
  LeaseOutcome,
  ListOptions,
  NewJob,
  NewUtterance,
  QueueDepth,
} from "../queue.ts";
import { WorkSignal } from "../work_signal.ts";

export interface MemoryQueueOptions {
  /** Clock, injectable for tests. @default Date.now */
  now?: () => number;
}

export class MemoryQueue implements JobQueue {
  readonly backend = "memory" as const;
  readonly #jobs = new Map<string, JobRecord>();
  readonly #utterances = new Map<string, UtteranceRecord>();
  /** Utterance ids per session, oldest first. */
  readonly #sessions = new Map<string, string[]>();
  readonly #controlListeners = new Set<(jobId: string) => void>();
  /** Ids of jobs that may be runnable, per priority rank; ULIDs keep insertion = age order. */
  readonly #ready: [Set<string>, Set<string>] = [new Set(), new Set()];
  readonly #now: () => number;
  readonly #signal = new WorkSignal();
  /** Signal generation at the latest claim: a wait after it returns at once if work came since. */
  #claimGeneration = 0;

  constructor(options: MemoryQueueOptions = {}) {
    this.#now = options.now ?? Date.now;
  }

  #put(job: JobRecord): JobRecord {
    this.#jobs.set(job.job_id, job);
    const rank = priorityRank(job);
    if (job.status === "queued" || job.status === "delayed") {
      this.#ready[rank].add(job.job_id);
    } else {
      this.#ready[rank].delete(job.job_id);
    }
    return job;
  }

  enqueue(utterance: NewUtterance, jobs: readonly NewJob[]): Promise<EnqueueResult> {
    const existing = this.#utterances.get(utterance.utterance_id);
    if (existing) {
      return Promise.resolve({
        created: false,
        utterance: existing,
        jobs: existing.job_ids.map((id) => this.#jobs.get(id)!),
      });
    }
    const now = this.#now();
    const records = jobs.map((j) => createJob(newId(), utterance.utterance_id, j, now));
    const record = createUtterance(utterance, records.map((r) => r.job_id), now);
    this.#utterances.set(record.utterance_id, record);
    if (record.session_id !== undefined) {
      const ids = this.#sessions.get(record.session_id) ?? [];
      ids.push(record.utterance_id);
      this.#sessions.set(record.session_id, ids);
    }
    for (const r of records) this.#put(r);
    if (records.length > 0) this.#signal.notify();
    return Promise.resolve({ created: true, utterance: record, jobs: records });
  }

  claim(options: ClaimOptions): Promise<JobRecord | null> {
    this.#claimGeneration = this.#signal.generation;
    const now = this.#now();
    const intents = options.intents ? new Set(options.intents) : null;
    for (const ready of this.#ready) {
      for (const id of ready) {
        const job = this.#jobs.get(id)!;
        if (intents && !intents.has(job.intent)) continue;
        if (!isRunnable(job, now)) continue;
        return Promise.resolve(
          this.#put(claimJob(job, options.owner, newId(), options.leaseMs, now)),
        );
      }
    }
    return Promise.resolve(null);
  }

  #withLease(
    jobId: string,
    token: string,
    apply: (job: JobRecord) => JobRecord,
  ): Promise<LeaseOutcome> {
    const outcome = checkLease(this.#jobs.get(jobId) ?? null, token);
    if (!outcome.ok) return Promise.resolve(outcome);
    const next = this.#put(apply(outcome.job));
    if (next.status === "delayed" || next.status === "queued") this.#signal.notify();
    return Promise.resolve({ ok: true, job: next });
  }

  heartbeat(jobId: string, token: string, leaseMs: number): Promise<boolean> {
    return this.#withLease(jobId, token, (j) => heartbeatJob(j, leaseMs, this.#now()))
      .then((o) => o.ok);
  }

  update(jobId: string, token: string, patch: Parameters<JobQueue["update"]>[2]) {
    return this.#withLease(jobId, token, (j) => updateJob(j, patch));
  }

  complete(
    jobId: string,
    token: string,
    ...[result, usage]: [
      Parameters<JobQueue["complete"]>[2],
      Parameters<JobQueue["complete"]>[3]?,
    ]
  ) {
    return this.#withLease(jobId, token, (j) => completeJob(j, result, usage, this.#now()));
  }

  fail(
    jobId: string,
    token: string,
    ...[error, options]: [
      Parameters<JobQueue["fail"]>[2],
      Parameters<JobQueue["fail"]>[3]?,
    ]
  ) {
    return this.#withLease(jobId, token, (j) => failJob(j, error, options ?? {}, this.#now()));
  }

  release(jobId: string, token: string) {
    return this.#withLease(jobId, token, (j) => releaseJob(j));
  }

  finishCancelled(jobId: string, token: string, reason: string) {
    return this.#withLease(jobId, token, (j) => cancelJobFinal(j, reason, this.#now()));
  }

  awaitConfirmation(jobId: string, token: string, confirmation: {
    prompt: string;
    action?: unknown;
  }) {
    return this.#withLease(jobId, token, (j) => pauseJob(j, confirmation));
  }

  resume(jobId: string, token: string) {
    return this.#withLease(jobId, token, (j) => resumeJob(j));
  }

  cancel(jobId: string, reason = "cancelled by request"): Promise<JobRecord | null> {
    const job = this.#jobs.get(jobId);
    if (!job) return Promise.resolve(null);
    const next = requestCancel(job, reason, this.#now());
    if (next === job) return Promise.resolve(job);
    this.#put(next);
    if (next.cancel_requested) this.#announce(jobId);
    return Promise.resolve(next);
  }

  decide(jobId: string, decision: "allow" | "deny"): Promise<JobRecord | null> {
    const job = this.#jobs.get(jobId);
    if (!job) return Promise.resolve(null);
    const next = requestDecision(job, decision);
    if (!next) return Promise.resolve(job);
    this.#put(next);
    this.#announce(jobId);
    return Promise.resolve(next);
  }

  watchControl(listener: (jobId: string) => void): () => void {
    this.#controlListeners.add(listener);
    return () => this.#controlListeners.delete(listener);
  }

  #announce(jobId: string): void {
    for (const listener of this.#controlListeners) {
      try {
        listener(jobId);
      } catch { /* a listener's failure must not fail the request that steered the job */ }
    }
  }

  retry(jobId: string): Promise<JobRecord | null> {
    const job = this.#jobs.get(jobId);
    if (!job) return Promise.resolve(null);
    const next = retryJob(job);
    if (!next) return Promise.resolve(job);
    this.#put(next);
    this.#signal.notify();
    return Promise.resolve(next);
  }

  recoverExpired(now = this.#now()): Promise<JobRecord[]> {
    const moved: JobRecord[] = [];
    for (const job of this.#jobs.values()) {
      if (leaseExpired(job, now)) moved.push(this.#put(recoverJob(job, now)));
    }
    if (moved.length > 0) this.#signal.notify();
    return Promise.resolve(moved);
  }

  get(jobId: string): Promise<JobRecord | null> {
    return Promise.resolve(this.#jobs.get(jobId) ?? null);
  }

  getUtterance(utteranceId: string): Promise<UtteranceRecord | null> {
    return Promise.resolve(this.#utterances.get(utteranceId) ?? null);
  }

  listByUtterance(utteranceId: string): Promise<JobRecord[]> {
    const u = this.#utterances.get(utteranceId);
    return Promise.resolve(u ? u.job_ids.map((id) => this.#jobs.get(id)!) : []);
  }

  listSessionUtterances(sessionId: string, limit: number): Promise<UtteranceRecord[]> {
    const ids = this.#sessions.get(sessionId) ?? [];
    return Promise.resolve(
      ids.slice(Math.max(0, ids.length - limit)).reverse().map((id) => this.#utterances.get(id)!),
    );
  }

  list(options: ListOptions = {}): Promise<JobPage> {
    const limit = options.limit ?? 50;
    // Newest first; the cursor is the last job id of the previous page.
    const ids = [...this.#jobs.keys()].sort().reverse();
    const jobs: JobRecord[] = [];
    let next: string | null = null;
    for (const id of ids) {
      if (options.cursor && id >= options.cursor) continue;
      const job = this.#jobs.get(id)!;
      if (options.status && job.status !== options.status) continue;
      if (options.intent && job.intent !== options.intent) continue;
      if (options.utterance_id && job.utterance_id !== options.utterance_id) continue;
      if (jobs.length === limit) {
        next = jobs[jobs.length - 1]!.job_id;
        break;
      }
      jobs.push(job);
    }
    return Promise.resolve({ jobs, next_cursor: next });
  }

  depth(): Promise<QueueDepth> {
    const d: QueueDepth = { queued: 0, delayed: 0, running: 0, awaiting_confirmation: 0 };
    for (const job of this.#jobs.values()) {
      if (job.status in d) d[job.status as keyof QueueDepth]++;
    }
    return Promise.resolve(d);
  }

  waitForWork(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    // Wake for the next delayed job too, so retries run on time.
    let wait = timeoutMs;
    const now = this.#now();
    for (const ready of this.#ready) {
      for (const id of ready) {
        const job = this.#jobs.get(id)!;
        if (job.status === "delayed") wait = Math.min(wait, Math.max(1, (job.run_at ?? 0) - now));
      }
    }
    return this.#signal.wait(wait, signal, this.#claimGeneration);
  }

  ping(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.#signal.notify();
    return Promise.resolve();
  }
}
