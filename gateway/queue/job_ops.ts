/**
 * @module
 * Pure job-record operations shared by every queue backend: each takes a record and returns the
 * next one, checking the transition and the lease. Backends only load, compare-and-swap and store.
 */
import {
  assertTransition,
  isFinal,
  type JobError,
  type JobProgress,
  type JobRecord,
  type JobResult,
  type Usage,
  type UtteranceRecord,
} from "@shared/schemas/mod.ts";
import type { FailOptions, LeaseOutcome, NewJob, NewUtterance } from "./queue.ts";

let lastMs = NaN;
let lastIso = "";
/** ISO time of `ms`; many records are stamped within one millisecond, so the last is kept. */
function iso(ms: number): string {
  if (ms !== lastMs) {
    lastIso = new Date(ms).toISOString();
    lastMs = ms;
  }
  return lastIso;
}

export function createJob(
  jobId: string,
  utteranceId: string,
  job: NewJob,
  now: number,
): JobRecord {
  return {
    job_id: jobId,
    utterance_id: utteranceId,
    intent: job.spec.intent,
    spec: job.spec,
    priority: job.spec.priority,
    status: "queued",
    attempts: 0,
    max_attempts: job.max_attempts,
    created_at: iso(now),
  };
}

/** The record of an utterance and the ids of its jobs. */
export function createUtterance(
  utterance: NewUtterance,
  jobIds: readonly string[],
  now: number,
): UtteranceRecord {
  const record: UtteranceRecord = {
    utterance_id: utterance.utterance_id,
    text: utterance.text,
    source: utterance.source,
    created_at: iso(now),
    job_ids: [...jobIds],
  };
  // Assigned in this order rather than spread from conditional literals: the same keys in the
  // same order, without an object made and copied for each optional field on every enqueue.
  if (utterance.unrouted) record.unrouted = true;
  if (utterance.session_id !== undefined) record.session_id = utterance.session_id;
  if (utterance.control) record.control = utterance.control;
  if (utterance.router_usage) record.router_usage = utterance.router_usage;
  return record;
}

/** Whether a job may be claimed at `now`. */
export function isRunnable(job: JobRecord, now: number): boolean {
  return job.status === "queued" || (job.status === "delayed" && (job.run_at ?? 0) <= now);
}

/** Sort key: interactive first, then older first (ids are ULIDs). */
export function priorityRank(job: Pick<JobRecord, "priority">): 0 | 1 {
  return job.priority === "interactive" ? 0 : 1;
}

export function claimJob(
  job: JobRecord,
  owner: string,
  token: string,
  leaseMs: number,
  now: number,
): JobRecord {
  assertTransition(job.status, "running", job.job_id);
  const { run_at: _r, error: _e, ...rest } = job;
  return {
    ...rest,
    status: "running",
    attempts: job.attempts + 1,
    started_at: iso(now),
    lease: { owner, token, expires_at: now + leaseMs },
  };
}

/** Checks that `token` holds the lease of a non-final job. */
export function checkLease(job: JobRecord | null, token: string): LeaseOutcome {
  if (!job) return { ok: false, reason: "not_found" };
  if (isFinal(job.status)) return { ok: false, reason: "already_final", job };
  if (!job.lease || job.lease.token !== token) return { ok: false, reason: "lease_lost", job };
  return { ok: true, job };
}

export function heartbeatJob(job: JobRecord, leaseMs: number, now: number): JobRecord {
  return { ...job, lease: { ...job.lease!, expires_at: now + leaseMs } };
}

export function updateJob(
  job: JobRecord,
  patch: { progress?: JobProgress; usage?: Usage },
): JobRecord {
  return {
    ...job,
    ...(patch.progress ? { progress: patch.progress } : {}),
    ...(patch.usage ? { usage: patch.usage } : {}),
  };
}

function withoutLease(job: JobRecord): JobRecord {
  const { lease: _lease, ...rest } = job;
  return rest;
}

export function completeJob(
  job: JobRecord,
  result: JobResult,
  usage: Usage | undefined,
  now: number,
): JobRecord {
  assertTransition(job.status, "succeeded", job.job_id);
  const { error: _e, cancel_requested: _c, confirmation: _f, decision: _d, ...rest } = withoutLease(
    job,
  );
  return {
    ...rest,
    status: "succeeded",
    finished_at: iso(now),
    result,
    ...(usage ? { usage } : {}),
    progress: { fraction: 1, ...(job.progress?.message ? { message: job.progress.message } : {}) },
  };
}

export function failJob(
  job: JobRecord,
  error: JobError,
  options: FailOptions,
  now: number,
): JobRecord {
  const { confirmation: _f, decision: _d, ...base } = withoutLease(job);
  if (options.retryAt !== undefined) {
    assertTransition(job.status, "delayed", job.job_id);
    return { ...base, status: "delayed", run_at: options.retryAt, error };
  }
  const state = options.finalState ?? "failed";
  assertTransition(job.status, state, job.job_id);
  return { ...base, status: state, finished_at: iso(now), error };
}

export function cancelJobFinal(job: JobRecord, reason: string, now: number): JobRecord {
  assertTransition(job.status, "cancelled", job.job_id);
  const { confirmation: _f, decision: _d, run_at: _r, ...rest } = withoutLease(job);
  return {
    ...rest,
    status: "cancelled",
    finished_at: iso(now),
    error: { code: "cancelled", message: reason },
  };
}

/** A cancel request: immediate for waiting jobs, a flag for running or paused ones. */
export function requestCancel(job: JobRecord, reason: string, now: number): JobRecord {
  if (isFinal(job.status)) return job;
  if (job.status === "queued" || job.status === "delayed") {
    return cancelJobFinal(job, reason, now);
  }
  return { ...job, cancel_requested: true };
}

export function pauseJob(
  job: JobRecord,
  confirmation: { prompt: string; action?: unknown },
): JobRecord {
  assertTransition(job.status, "awaiting_confirmation", job.job_id);
  return {
    ...job,
    status: "awaiting_confirmation",
    confirmation: {
      prompt: confirmation.prompt,
      ...(confirmation.action !== undefined
        ? { action: JSON.parse(JSON.stringify(confirmation.action)) }
        : {}),
    },
  };
}

export function resumeJob(job: JobRecord): JobRecord {
  assertTransition(job.status, "running", job.job_id);
  const { confirmation: _f, decision: _d, ...rest } = job;
  return { ...rest, status: "running" };
}

/**
 * Records an answer to a paused job's confirmation for the engine that holds it. Null when the
 * job is not awaiting a confirmation or was answered already (the first answer stands).
 */
export function requestDecision(job: JobRecord, decision: "allow" | "deny"): JobRecord | null {
  if (job.status !== "awaiting_confirmation" || job.decision !== undefined) return null;
  return { ...job, decision };
}

/** Re-queues a failed or dead job with a fresh attempt budget. Null if not retryable. */
export function retryJob(job: JobRecord): JobRecord | null {
  if (job.status !== "failed" && job.status !== "dead") return null;
  assertTransition(job.status, "queued", job.job_id);
  const {
    finished_at: _f,
    error: _e,
    result: _r,
    run_at: _a,
    cancel_requested: _c,
    ...rest
  } = job;
  return { ...rest, status: "queued", attempts: 0 };
}

/**
 * A job its engine gave back unfinished (the process is shutting down): queued again at once,
 * and the attempt does not count, since the job did nothing wrong.
 */
export function releaseJob(job: JobRecord): JobRecord {
  assertTransition(job.status, "queued", job.job_id);
  const { confirmation: _c, decision: _d, run_at: _r, ...rest } = withoutLease(job);
  return { ...rest, status: "queued", attempts: Math.max(0, job.attempts - 1) };
}

/** A delayed job whose time has come, back among the ready ones. */
export function promoteJob(job: JobRecord): JobRecord {
  assertTransition(job.status, "queued", job.job_id);
  return { ...job, status: "queued" };
}

/** Whether a running/paused job's lease has expired. */
export function leaseExpired(job: JobRecord, now: number): boolean {
  return (job.status === "running" || job.status === "awaiting_confirmation") &&
    job.lease !== undefined && job.lease.expires_at <= now;
}

/** A job whose holder vanished: back to the queue, or dead when out of attempts. */
export function recoverJob(job: JobRecord, now: number): JobRecord {
  const { decision: _d, ...base } = withoutLease(job);
  const error: JobError = {
    code: "lease_expired",
    message: `Worker '${job.lease?.owner ?? "unknown"}' stopped renewing its lease`,
    retryable: true,
  };
  if (job.cancel_requested) return cancelJobFinal(job, "cancelled while its worker was lost", now);
  if (job.attempts >= job.max_attempts) {
    assertTransition(job.status, "dead", job.job_id);
    return { ...base, status: "dead", finished_at: iso(now), error };
  }
  assertTransition(job.status, "queued", job.job_id);
  const { confirmation: _c, ...rest } = base;
  return { ...rest, status: "queued", error };
}
