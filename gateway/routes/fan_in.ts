/**
 * @module
 * Fan-in of an utterance: its jobs, an overall status and the summed usage. Pure.
 */
import {
  type FanIn,
  isFinal,
  type JobRecord,
  publicJob,
  sumUsage,
  type UtteranceRecord,
  type UtteranceStatus,
} from "@shared/schemas/mod.ts";

/** One status for a set of jobs: final only when every job is final. */
export function overallStatus(jobs: readonly Pick<JobRecord, "status">[]): UtteranceStatus {
  if (jobs.length === 0) return "unrouted";
  if (jobs.some((j) => j.status === "awaiting_confirmation")) return "awaiting_confirmation";
  if (jobs.some((j) => !isFinal(j.status))) {
    return jobs.every((j) => j.status === "queued") ? "queued" : "running";
  }
  const succeeded = jobs.filter((j) => j.status === "succeeded").length;
  if (succeeded === jobs.length) return "succeeded";
  if (succeeded > 0) return "partial";
  if (jobs.every((j) => j.status === "cancelled")) return "cancelled";
  return "failed";
}

export function fanIn(utterance: UtteranceRecord, jobs: readonly JobRecord[]): FanIn {
  // The model that routed the utterance, if one did, is part of what it cost.
  const usage = sumUsage([
    ...(utterance.router_usage ? [utterance.router_usage] : []),
    ...jobs.flatMap((j) => (j.usage ? [j.usage] : [])),
  ]);
  return {
    utterance_id: utterance.utterance_id,
    text: utterance.text,
    source: utterance.source,
    ...(utterance.session_id !== undefined ? { session_id: utterance.session_id } : {}),
    created_at: utterance.created_at,
    // A voice command has no jobs of its own: what it did is its `control`.
    status: utterance.control ? "command" : overallStatus(jobs),
    ...(utterance.control ? { control: utterance.control } : {}),
    jobs: jobs.map(publicJob),
    usage: usage ?? null,
    // null when a job's model is unpriced: the total is unknown, not the priced part.
    cost_usd: usage ? usage.cost_usd : 0,
  };
}
