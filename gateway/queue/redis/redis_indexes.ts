/**
 * @module
 * The Redis index entries a job belongs in (by state, by intent, ready by priority, delayed by
 * time, leased by expiry, paused), and the changes from one version of a job to the next, for
 * the compare-and-swap script to apply with the record. Pure.
 */
import type { JobRecord } from "@shared/schemas/mod.ts";
import { priorityRank } from "../job_ops.ts";

/** One index change: `[kind, key, member, score]` (score "0" where it has none). */
export type IndexOp = [
  kind: "zadd" | "zrem" | "sadd" | "srem",
  key: string,
  member: string,
  score: string,
];

/** Every index entry `job` belongs in, under key prefix `p`. */
export function indexOps(p: string, job: JobRecord): IndexOp[] {
  const ops: IndexOp[] = [
    ["zadd", `${p}status:${job.status}`, job.job_id, "0"],
    ["zadd", `${p}intent:${job.intent}`, job.job_id, "0"],
  ];
  if (job.status === "queued") {
    const rank = String(priorityRank(job));
    ops.push(["zadd", `${p}ready`, job.job_id, rank], [
      "zadd",
      `${p}ready:${job.intent}`,
      job.job_id,
      rank,
    ]);
  }
  if (job.status === "delayed") {
    ops.push(["zadd", `${p}delayed`, job.job_id, String(job.run_at ?? 0)]);
  }
  if (job.lease && (job.status === "running" || job.status === "awaiting_confirmation")) {
    ops.push(["zadd", `${p}lease`, job.job_id, String(job.lease.expires_at)]);
  }
  if (job.status === "awaiting_confirmation") ops.push(["sadd", `${p}paused`, job.job_id, "0"]);
  return ops;
}

/** Index changes from `old` to `next`: removals of what no longer applies, then additions. */
export function reindex(p: string, old: JobRecord, next: JobRecord): IndexOp[] {
  const before = indexOps(p, old);
  const after = indexOps(p, next);
  const key = (o: IndexOp) => `${o[1]}|${o[2]}|${o[3]}`;
  const afterKeys = new Set(after.map(key));
  const beforeKeys = new Set(before.map(key));
  const ops: IndexOp[] = [];
  for (const o of before) {
    if (!afterKeys.has(key(o))) ops.push([o[0] === "zadd" ? "zrem" : "srem", o[1], o[2], "0"]);
  }
  for (const o of after) if (!beforeKeys.has(key(o))) ops.push(o);
  return ops;
}
