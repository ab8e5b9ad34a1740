/**
 * @module
 * Settling one attempt of a job: its outcome becomes the job's next state in the store
 * (succeeded, a retry at its backoff, failed, dead, cancelled, or released at shutdown), with
 * the skill's `finalize` run on a result, and one trace event and the metrics for what was done.
 * A write the store refuses (the lease moved on) changes nothing and reports nothing, except a
 * completion, which is traced as ignored.
 */
import type { Artifact, JobRecord, JobResult, Usage } from "@shared/schemas/mod.ts";
import type { JobQueue } from "../queue/queue.ts";
import type { Metrics } from "../metrics/metrics.ts";
import type { Tracer } from "../traces/tracer.ts";
import type { Skill, SkillContext } from "../skill_kit/skill.ts";
import { backoffDelay } from "./backoff.ts";
import { mergeArtifacts } from "./artifact_writer.ts";
import type { Outcome } from "./outcome.ts";

export interface SettleDeps {
  queue: JobQueue;
  tracer: Tracer;
  metrics?: Metrics | undefined;
  skillContext: SkillContext;
  /** The backoff's jitter source. @default Math.random */
  random?: (() => number) | undefined;
  /** Whether the engine is stopping (a `shutdown` error then releases the job). */
  stopping(): boolean;
}

export interface Attempt {
  job: JobRecord;
  token: string;
  skill: Skill;
  outcome: Outcome;
  artifacts: Artifact[];
  usage: Usage | undefined;
  /** `performance.now()` when the attempt started. */
  started: number;
}

export async function settleJob(deps: SettleDeps, attempt: Attempt): Promise<void> {
  const { job, token, skill, artifacts, usage, started } = attempt;
  let outcome = attempt.outcome;
  const { queue, tracer, metrics } = deps;
  const ids = { job_id: job.job_id, utterance_id: job.utterance_id };
  const seconds = (performance.now() - started) / 1000;
  const base = {
    source: "gateway.engine",
    ...ids,
    duration_ms: Math.round(seconds * 1000 * 100) / 100,
    ...(usage ? { usage, cost_usd: usage.cost_usd } : {}),
  };
  const data = { intent: job.intent, attempts: job.attempts };
  if (outcome.kind === "lease_lost") {
    tracer.emit({ ...base, event: "job.lease_lost", data });
    return;
  }
  if (outcome.kind === "cancelled") {
    const done = await queue.finishCancelled(job.job_id, token, outcome.reason);
    if (done.ok) {
      metrics?.jobsFailed.inc({ intent: job.intent, code: "cancelled" });
      metrics?.jobDuration.observe({ intent: job.intent, status: "cancelled" }, seconds);
      if (usage) metrics?.recordUsage(usage);
      tracer.emit({ ...base, event: "job.cancelled", data: { ...data, reason: outcome.reason } });
    }
    return;
  }
  if (outcome.kind === "result") {
    let result: JobResult = {
      ...outcome.result,
      ...(artifacts.length > 0
        ? { artifacts: mergeArtifacts(outcome.result.artifacts, artifacts) }
        : {}),
    };
    if (skill.finalize) {
      try {
        result = await skill.finalize({ ...job, result }, result, deps.skillContext);
      } catch (err) {
        outcome = {
          kind: "error",
          workerHealthy: true,
          error: {
            code: "finalize_failed",
            message: err instanceof Error ? err.message : String(err),
            retryable: true,
          },
        };
      }
    }
    if (outcome.kind === "result") {
      const done = await queue.complete(job.job_id, token, result, usage);
      if (done.ok) {
        metrics?.jobsCompleted.inc({ intent: job.intent });
        metrics?.jobDuration.observe({ intent: job.intent, status: "succeeded" }, seconds);
        if (usage) metrics?.recordUsage(usage);
        tracer.emit({ ...base, event: "job.succeeded", data });
      } else {
        tracer.emit({
          ...base,
          event: "job.completion_ignored",
          data: { ...data, reason: done.reason },
        });
      }
      return;
    }
  }
  const error = outcome.error;
  if (error.code === "shutdown" && deps.stopping()) {
    // Not the job's fault: back to the queue for the next engine, the attempt not counted.
    const done = await queue.release(job.job_id, token);
    if (done.ok) tracer.emit({ ...base, event: "job.released", data });
    return;
  }
  const retryable = error.retryable !== false;
  if (retryable && job.attempts < job.max_attempts) {
    const delay = backoffDelay(job.attempts, skill.retry, {
      ...(error.retry_after_ms !== undefined ? { retryAfterMs: error.retry_after_ms } : {}),
      ...(deps.random ? { random: deps.random } : {}),
    });
    const done = await queue.fail(job.job_id, token, error, { retryAt: Date.now() + delay });
    if (done.ok) {
      metrics?.jobsRetried.inc({ intent: job.intent });
      metrics?.jobDuration.observe({ intent: job.intent, status: "retry" }, seconds);
      tracer.emit({
        ...base,
        event: "job.retry_scheduled",
        data: { ...data, error_code: error.code, error: error.message, delay_ms: delay },
      });
    }
    return;
  }
  const finalState = retryable ? "dead" : "failed";
  const done = await queue.fail(job.job_id, token, error, { finalState });
  if (done.ok) {
    metrics?.jobsFailed.inc({ intent: job.intent, code: error.code });
    metrics?.jobDuration.observe({ intent: job.intent, status: finalState }, seconds);
    if (usage) metrics?.recordUsage(usage);
    tracer.emit({
      ...base,
      event: `job.${finalState}`,
      data: { ...data, error_code: error.code, error: error.message },
    });
  }
}
