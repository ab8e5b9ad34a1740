/**
 * @module
 * Steering one job from an HTTP process: cancel, retry, answer a confirmation. Each goes
 * through this process's engine when it holds the job, and through the queue store otherwise,
 * which reaches the engine holding the job in another process (`watchControl` wakes it; its
 * heartbeat also reads the record). Each returns the job when the step took effect, else null.
 */
import type { JobRecord } from "@shared/schemas/mod.ts";
import type { AppDeps } from "../app_deps.ts";
import { NotAwaitingConfirmationError } from "../engine/engine.ts";

/** Cancels a job: a waiting one ends at once, a running or paused one is stopped by its engine. */
export async function cancelJob(
  deps: AppDeps,
  jobId: string,
  reason = "cancelled by voice command",
): Promise<JobRecord | null> {
  let job: JobRecord | null;
  if (deps.engine) {
    job = await deps.engine.cancel(jobId, reason);
  } else {
    const before = await deps.queue.get(jobId);
    job = await deps.queue.cancel(jobId, reason);
    // A waiting job ends here, so its end is traced here; a running one by its engine.
    if (job && before?.status !== "cancelled" && job.status === "cancelled") {
      deps.tracer.emit({
        source: "gateway.control",
        event: "job.cancelled",
        job_id: jobId,
        utterance_id: job.utterance_id,
        data: { intent: job.intent, reason, attempts: job.attempts },
      });
    }
  }
  return job && (job.status === "cancelled" || job.cancel_requested) ? job : null;
}

/** Re-queues a failed or dead job with a fresh attempt budget. */
export async function retryJob(deps: AppDeps, jobId: string): Promise<JobRecord | null> {
  const before = await deps.queue.get(jobId);
  if (!before || (before.status !== "failed" && before.status !== "dead")) return null;
  const job = await deps.queue.retry(jobId);
  if (!job || job.status !== "queued") return null;
  deps.tracer.emit({
    source: "gateway.control",
    event: "job.retried",
    job_id: jobId,
    utterance_id: job.utterance_id,
    data: { intent: job.intent, from: before.status },
  });
  return job;
}

/**
 * Answers a job paused in `awaiting_confirmation`: at once when this process's engine holds
 * it, through the store for the engine that does otherwise.
 */
export async function answerConfirmation(
  deps: AppDeps,
  jobId: string,
  decision: "allow" | "deny",
): Promise<JobRecord | null> {
  if (deps.engine) {
    try {
      return await deps.engine.confirm(jobId, decision);
    } catch (err) {
      if (!(err instanceof NotAwaitingConfirmationError)) throw err;
      // Not paused here: it may be paused in another process's engine.
    }
  }
  const job = await deps.queue.decide(jobId, decision);
  return job?.status === "awaiting_confirmation" && job.decision === decision ? job : null;
}
