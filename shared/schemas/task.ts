/**
 * @module
 * Schemas of a task: what the router makes of an utterance and what `POST /task` accepts.
 */
import { z } from "zod";

/** A skill name. The set is open: every registered skill adds one (`echo`, `coding`, ...). */
export const TaskIntent = z.string().regex(
  /^[a-z][a-z0-9_-]{0,31}$/,
  "must be a skill name: lowercase letters, digits, '_' or '-', starting with a letter",
);
export type TaskIntent = z.infer<typeof TaskIntent>;

/** `interactive` (spoken, a person is waiting) runs ahead of `background`. */
export const Priority = z.enum(["interactive", "background"]);
export type Priority = z.infer<typeof Priority>;

/** Safe identifier for utterances and jobs: it may end up in a file path or a store key. */
export const Id = z.string().regex(
  /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/,
  "must be 1-128 characters of letters, digits, '_' or '-', starting with a letter or digit",
);

/**
 * The speaker's session (the edge sends one per run): voice commands act only on jobs of the
 * same session. Wider than `Id` (`.` and `:` too) so that edges can use host-qualified names.
 */
export const SessionId = z.string().regex(
  /^[A-Za-z0-9._:-]{1,128}$/,
  "must be 1-128 characters of letters, digits, '.', '_', ':' or '-'",
);
export type SessionId = z.infer<typeof SessionId>;

/** Free-form parameters of a task, limited so that no request can smuggle huge nesting. */
export const TaskParams = z.record(z.string().max(64), z.json()).default({});

/** One unit of work for one skill. */
export const TaskSpec = z.object({
  intent: TaskIntent,
  instruction: z.string().min(1).max(8000),
  params: TaskParams,
  priority: Priority.default("background"),
  /** The clause of the utterance this task came from (the whole text when not routed). */
  clause: z.string().max(8000).optional(),
});
export type TaskSpec = z.infer<typeof TaskSpec>;
export type TaskSpecInput = z.input<typeof TaskSpec>;

/** Body of `POST /task`: natural language to route, or `tasks` to skip the router. */
export const TaskRequest = z.object({
  text: z.string().trim().min(1, "must not be empty").max(8000, "must be at most 8000 characters")
    .optional(),
  utterance_id: Id.optional(),
  session_id: SessionId.optional(),
  source: z.enum(["voice", "api"]).default("api"),
  tasks: z.array(TaskSpec).min(1).max(32).optional(),
}).strict().refine((r) => r.text !== undefined || r.tasks !== undefined, {
  message: "either 'text' or 'tasks' is required",
  path: ["text"],
});
export type TaskRequest = z.infer<typeof TaskRequest>;
