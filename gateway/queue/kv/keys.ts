/**
 * @module
 * Every Deno KV key prefix of the queue, in one place. Keys are tuples; job ids are ULIDs, so
 * listing a prefix is chronological.
 */
import type { JobRecord } from "@shared/schemas/mod.ts";
import { priorityRank } from "../job_ops.ts";

/** Job records (or the head of a record stored in chunks): [JOB, job_id]. */
export const JOB = "job";
/** Chunks of a large record: [JOB_CHUNK, job_id, index]. */
export const JOB_CHUNK = "job_chunk";
export const UTTERANCE = "utt";
/**
 * Runnable jobs of index version 2 and before: [READY, rank, job_id]. It repeated
 * READY_BY_INTENT in another order and cost a mutation on every enqueue and claim; version 3
 * deletes it on open and claims of every intent merge the per-intent heads instead.
 */
export const OLD_READY = "ready";
/** Runnable jobs per intent: [READY_BY_INTENT, intent, rank, job_id] (interactive rank 0 first). */
export const READY_BY_INTENT = "ready_by_intent";
/** Jobs waiting for a retry: [DELAYED, run_at, job_id]. */
export const DELAYED = "delayed";
/** Leased jobs by expiry: [LEASE, expires_at, job_id]. */
export const LEASE = "lease";
/** Jobs paused for a confirmation: [PAUSED, job_id]. */
export const PAUSED = "paused";
/**
 * Every job by state, for `list({ status })`: [BY_STATUS, status, job_id], except `queued` and
 * `running` (index version 4). A queued job is always in `READY_BY_INTENT` and a running one in
 * `LEASE`, which `list()` reads for those states instead. They are the states every job passes
 * through, and their keys cost four mutations per job (each set once and deleted once).
 */
export const BY_STATUS = "by_status";
/** Every job by intent, for `list({ intent })`: [BY_INTENT, intent, job_id]. */
export const BY_INTENT = "by_intent";
/** Utterances per session, by creation: [SESSION_UTTERANCE, session_id, created_ms, utterance_id]. */
export const SESSION_UTTERANCE = "session_utt";
/** Store metadata: [META, name]. */
export const META = "meta";

/**
 * The value of every index key: only the key is ever read. Empty bytes rather than `null`, which
 * Deno KV passes through V8's serializer on every write and read: an index write cost the gateway's
 * thread about a quarter less (5.2 → 3.8 µs per key, in batches of 100). Stores written before
 * hold `null`: readers ignore the value either way.
 */
export const INDEX_VALUE: Uint8Array = new Uint8Array(0);
/** What an index key holds: {@linkcode INDEX_VALUE}, or `null` in stores written before. */
export type IndexValue = Uint8Array | null;

/** Version of the index layout; a store with an older one is re-indexed when opened. */
export const INDEX_VERSION = 4;
export const indexVersionKey: Deno.KvKey = [META, "index_version"];

export const jobKey = (id: string): Deno.KvKey => [JOB, id];
export const chunkKey = (id: string, index: number): Deno.KvKey => [JOB_CHUNK, id, index];
export const utteranceKey = (id: string): Deno.KvKey => [UTTERANCE, id];

/** The secondary index keys a job record must have in its current state. */
export function indexKeys(
  job: Pick<JobRecord, "job_id" | "status" | "intent" | "priority" | "run_at" | "lease">,
): Deno.KvKey[] {
  const keys: Deno.KvKey[] = [[BY_INTENT, job.intent, job.job_id]];
  if (job.status !== "queued" && job.status !== "running") {
    keys.push([BY_STATUS, job.status, job.job_id]);
  }
  if (job.status === "queued") {
    const rank = priorityRank(job);
    keys.push([READY_BY_INTENT, job.intent, rank, job.job_id]);
  }
  if (job.status === "delayed") keys.push([DELAYED, job.run_at ?? 0, job.job_id]);
  if (job.lease && (job.status === "running" || job.status === "awaiting_confirmation")) {
    keys.push([LEASE, job.lease.expires_at, job.job_id]);
  }
  if (job.status === "awaiting_confirmation") keys.push([PAUSED, job.job_id]);
  return keys;
}
