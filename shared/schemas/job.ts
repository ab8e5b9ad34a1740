/**
 * @module
 * A job: one TaskSpec being executed, its closed set of states and the transitions between them.
 */
import { z } from "zod";
import { Id, Priority, SessionId, TaskIntent, TaskSpec } from "./task.ts";
import { Usage } from "./usage.ts";

/** Every state a job can be in. Final states never change again (except an explicit retry). */
export const JobState = z.enum([
  "queued",
  "delayed",
  "running",
  "awaiting_confirmation",
  "succeeded",
  "failed",
  "dead",
  "cancelled",
]);
export type JobState = z.infer<typeof JobState>;

export const FINAL_STATES: ReadonlySet<JobState> = new Set([
  "succeeded",
  "failed",
  "dead",
  "cancelled",
]);

/** Allowed transitions, in one place. `retry` of a failed/dead job re-queues it. */
const TRANSITIONS: Record<JobState, readonly JobState[]> = {
  queued: ["running", "cancelled", "delayed"],
  delayed: ["queued", "running", "cancelled"],
  running: [
    "succeeded",
    "failed",
    "dead",
    "delayed",
    "queued",
    "cancelled",
    "awaiting_confirmation",
  ],
  awaiting_confirmation: ["running", "cancelled", "failed", "dead", "delayed", "queued"],
  succeeded: [],
  failed: ["queued"],
  dead: ["queued"],
  cancelled: [],
};

/** Thrown when code attempts a transition the lifecycle does not allow. */
export class InvalidTransitionError extends Error {
  override name = "InvalidTransitionError";
  constructor(readonly from: JobState, readonly to: JobState, readonly jobId?: string) {
    super(
      `Cannot move job${
        jobId ? ` '${jobId}'` : ""
      } to '${to}' as it is '${from}': allowed from '${from}' are ${
        TRANSITIONS[from].join(", ") || "none (final)"
      }`,
    );
  }
}

export function canTransition(from: JobState, to: JobState): boolean {
  return TRANSITIONS[from].includes(to);
}

export function assertTransition(from: JobState, to: JobState, jobId?: string): void {
  if (!canTransition(from, to)) throw new InvalidTransitionError(from, to, jobId);
}

export function isFinal(state: JobState): boolean {
  return FINAL_STATES.has(state);
}

export const JobError = z.object({
  /** Machine-readable: `no_worker`, `timeout`, `cancelled`, `permission_denied`, `worker_crashed`, ... */
  code: z.string(),
  message: z.string(),
  retryable: z.boolean().optional(),
  /** Provider-requested wait before a retry (e.g. `retry-after`). */
  retry_after_ms: z.number().nonnegative().optional(),
});
export type JobError = z.infer<typeof JobError>;

export const JobProgress = z.object({
  fraction: z.number().min(0).max(1).optional(),
  message: z.string().max(2000).optional(),
});
export type JobProgress = z.infer<typeof JobProgress>;

export const Artifact = z.object({ name: z.string(), path: z.string() });
export type Artifact = z.infer<typeof Artifact>;

/** A worker's result: known fields plus whatever the skill adds (`applies`, `answer`, ...). */
export const JobResult = z.looseObject({
  summary: z.string().optional(),
  artifacts: z.array(Artifact).optional(),
});
export type JobResult = z.infer<typeof JobResult>;

export const Lease = z.object({
  owner: z.string(),
  token: z.string(),
  expires_at: z.number(),
});
export type Lease = z.infer<typeof Lease>;

export const JobRecord = z.object({
  job_id: Id,
  utterance_id: Id,
  intent: TaskIntent,
  spec: TaskSpec,
  priority: Priority,
  status: JobState,
  attempts: z.number().int().nonnegative(),
  max_attempts: z.number().int().positive(),
  created_at: z.string(),
  started_at: z.string().optional(),
  finished_at: z.string().optional(),
  /** Epoch ms when a delayed job becomes runnable. */
  run_at: z.number().optional(),
  progress: JobProgress.optional(),
  result: JobResult.optional(),
  error: JobError.optional(),
  usage: Usage.optional(),
  lease: Lease.optional(),
  /** Set when a cancel was asked for while running. */
  cancel_requested: z.boolean().optional(),
  /** For `awaiting_confirmation`: what the worker asks a person to allow. */
  confirmation: z.object({ prompt: z.string(), action: z.json().optional() }).optional(),
  /**
   * An answer to the confirmation given through any gateway process, waiting for the engine
   * that holds the job to pass it on (it then resumes the job and drops this field).
   */
  decision: z.enum(["allow", "deny"]).optional(),
});
export type JobRecord = z.infer<typeof JobRecord>;

/** What a voice command did: the jobs it acted on and one short sentence to speak. */
export const UtteranceControl = z.object({
  action: z.enum(["cancel", "confirm", "deny", "status", "retry"]),
  job_ids: z.array(Id),
  say: z.string(),
});
export type UtteranceControl = z.infer<typeof UtteranceControl>;

/** The utterance a set of jobs came from (fan-out); `/utterances/{id}` fans them back in. */
export const UtteranceRecord = z.object({
  utterance_id: Id,
  text: z.string(),
  source: z.enum(["voice", "api"]),
  created_at: z.string(),
  job_ids: z.array(Id),
  /** Router outcome when nothing matched. */
  unrouted: z.boolean().optional(),
  /** Tokens and cost of the model asked to route it, when one was. */
  router_usage: Usage.optional(),
  /** The speaker's session, when the request named one. */
  session_id: SessionId.optional(),
  /** Set when the utterance was a voice command: what it did (it has no jobs of its own). */
  control: UtteranceControl.optional(),
});
export type UtteranceRecord = z.infer<typeof UtteranceRecord>;

/** Public view of a job for `/status` (no lease internals). */
export function publicJob(job: JobRecord): Omit<JobRecord, "lease"> {
  const { lease: _lease, ...rest } = job;
  return rest;
}
