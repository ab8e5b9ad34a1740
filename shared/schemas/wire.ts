/**
 * @module
 * The HTTP answers the gateway gives the edge (and any client), defined once: the
 * `POST /task` answers, the fan-in of `GET /utterances/{id}`, and the utterance and job status
 * sets. The gateway builds its answers from these types, the OpenAPI document is generated from
 * them, and the edge reads them through the tolerant views at the end of this module.
 */
import { z } from "zod";
import { FINAL_STATES, JobRecord, JobState, UtteranceControl } from "./job.ts";
import { Id, SessionId, TaskIntent } from "./task.ts";
import { Usage } from "./usage.ts";

/** Every status of an utterance as a whole (its jobs fanned back in). */
export const UtteranceStatus = z.enum([
  "command",
  "unrouted",
  "queued",
  "running",
  "awaiting_confirmation",
  "succeeded",
  "partial",
  "failed",
  "cancelled",
]);
export type UtteranceStatus = z.infer<typeof UtteranceStatus>;

/**
 * Utterance statuses that never change again. `unrouted` (nothing was queued) and `command`
 * (a voice command has no jobs of its own) are final from the start. An utterance is never
 * `dead`: a dead job makes it `failed` or `partial`.
 */
export const FINAL_UTTERANCE_STATUSES: ReadonlySet<string> = new Set<UtteranceStatus>([
  "command",
  "unrouted",
  "succeeded",
  "partial",
  "failed",
  "cancelled",
]);

/** Job statuses that never change again (short of an explicit retry). */
export const FINAL_JOB_STATUSES: ReadonlySet<string> = FINAL_STATES;

/** Whether an utterance `status` (possibly one this build does not know) is final. */
export function isFinalUtteranceStatus(status: string): boolean {
  return FINAL_UTTERANCE_STATUSES.has(status);
}

/** A clause the router left out, and why. */
export const SkippedClause = z.strictObject({
  clause: z.string(),
  reason: z.enum(["negated", "no_match", "filler"]),
  intent: z.string().optional(),
});
export type SkippedClause = z.infer<typeof SkippedClause>;

/** One queued job as `POST /task` names it. */
export const QueuedJob = z.strictObject({
  job_id: Id,
  intent: TaskIntent,
  status: JobState,
  /** The words of the utterance this job came from (its instruction when none). */
  clause: z.string(),
});
export type QueuedJob = z.infer<typeof QueuedJob>;

const duplicate = z.boolean().describe("true when this utterance_id was seen before");
const skipped = z.array(SkippedClause).describe(
  "clauses the router left out (negated, filler, no match)",
);

/** `202`: jobs queued (the same `utterance_id` again returns the same jobs). */
export const TaskAccepted = z.strictObject({
  utterance_id: Id,
  jobs: z.array(QueuedJob).min(1),
  duplicate,
  skipped,
});
export type TaskAccepted = z.infer<typeof TaskAccepted>;

/** `200`: no skill matched, nothing was queued; the utterance is taken and nothing follows. */
export const TaskUnrouted = z.strictObject({
  utterance_id: Id,
  jobs: z.array(z.never()).max(0).describe("always empty: nothing was queued"),
  unrouted: z.literal(true).describe("no skill matched: nothing was queued"),
  duplicate,
  message: z.string(),
  say: z.string().describe("one short sentence for the user, naming what the gateway can do"),
  skipped,
});
export type TaskUnrouted = z.infer<typeof TaskUnrouted>;

const control = UtteranceControl.describe(
  "what a voice command did: the jobs it acted on (none when there was nothing to act on, or no session) and one short sentence to speak",
);

/** `200`: the whole utterance was a voice command that steered its session's jobs. */
export const ControlAnswer = z.strictObject({
  utterance_id: Id,
  jobs: z.array(z.never()).max(0).describe("always empty: a command creates no jobs"),
  control,
  duplicate: z.boolean().describe("true when this utterance_id was seen before (same answer)"),
});
export type ControlAnswer = z.infer<typeof ControlAnswer>;

/** Every answer of a successful `POST /task`. */
export const TaskAnswer = z.union([TaskAccepted, TaskUnrouted, ControlAnswer]);
export type TaskAnswer = z.infer<typeof TaskAnswer>;

/** A job as the API shows it: the record without its lease. */
export const PublicJob = JobRecord.omit({ lease: true });
export type PublicJob = z.infer<typeof PublicJob>;

/** `GET /utterances/{id}`: an utterance, its jobs, one overall status, summed usage and cost. */
export const FanIn = z.strictObject({
  utterance_id: Id,
  text: z.string(),
  source: z.enum(["voice", "api"]),
  session_id: SessionId.optional(),
  created_at: z.string(),
  status: UtteranceStatus,
  control: control.optional().describe("set when the utterance was a voice command"),
  jobs: z.array(PublicJob),
  usage: Usage.nullable().describe("summed over the jobs; provider/model 'mixed' when they differ"),
  cost_usd: z.number().nullable().describe("null when a job's model has no price (unpriced)"),
});
export type FanIn = z.infer<typeof FanIn>;

/**
 * The part of any `POST /task` answer a client acts on, tolerant of fields and job states it
 * does not know (a newer gateway may add some). Every exact answer above parses with it.
 */
export const TaskAnswerView = z.looseObject({
  utterance_id: z.string(),
  jobs: z.array(z.looseObject({ job_id: z.string(), intent: z.string(), status: z.string() })),
  unrouted: z.boolean().optional(),
  /** One short sentence to speak (unrouted answers). */
  say: z.string().optional(),
  /** A voice command's answer: what it did, to which jobs, and the sentence to speak. */
  control: z.looseObject({
    action: z.string(),
    job_ids: z.array(z.string()),
    say: z.string().optional(),
  }).optional(),
});
export type TaskAnswerView = z.infer<typeof TaskAnswerView>;
