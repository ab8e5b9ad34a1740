/**
 * @module
 * Every Deno KV key prefix of the queue, in one place. Keys are tuples; job ids are ULIDs, so
 * listing a prefix is chronological.
 */
import type { JobRecord } from "@shared/schemas/mod.ts";
import { priorityRank } from "../job_ops.ts";

export const JOB = "job";
export const UTTERANCE = "utt";
/** Runnable jobs: [READY, rank, job_id] (interactive rank 0 first). */
export const READY = "ready";
/** Runnable jobs per intent: [READY_BY_INTENT, intent, rank, job_id]. */
export const READY_BY_INTENT = "ready_by_intent";
/** Jobs waiting for a retry: [DELAYED, run_at, job_id]. */
export const DELAYED = "delayed";
/** Leased jobs by expiry: [LEASE, expires_at, job_id]. */
export const LEASE = "lease";
/** Jobs paused for a confirmation: [PAUSED, job_id]. */
export const PAUSED = "paused";

export const jobKey = (id: string): Deno.KvKey => [JOB, id];
export const utteranceKey = (id: string): Deno.KvKey => [UTTERANCE, id];

/** The secondary index keys a job record must have in its current state. */
export function indexKeys(job: JobRecord): Deno.KvKey[] {
  const keys: Deno.KvKey[] = [];
  if (job.status === "queued") {
    const rank = priorityRank(job);
    keys.push([READY, rank, job.job_id], [READY_BY_INTENT, job.intent, rank, job.job_id]);
  }
  if (job.status === "delayed") keys.push([DELAYED, job.run_at ?? 0, job.job_id]);
  if (job.lease && (job.status === "running" || job.status === "awaiting_confirmation")) {
    keys.push([LEASE, job.lease.expires_at, job.job_id]);
  }
  if (job.status === "awaiting_confirmation") keys.push([PAUSED, job.job_id]);
  return keys;
}
