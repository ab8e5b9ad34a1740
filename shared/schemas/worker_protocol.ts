/**
 * @module
 * Messages between the execution engine and a sandboxed Web Worker. Both sides parse every
 * message with these schemas; a worker that sends something else is treated as crashed.
 */
import { z } from "zod";
import { JobError, JobProgress, JobRecord } from "./job.ts";
import { TaskSpec } from "./task.ts";
import { Usage } from "./usage.ts";

/** Engine → worker. */
export const ToWorker = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("start"),
    job_id: z.string(),
    utterance_id: z.string(),
    attempt: z.number().int().positive(),
    spec: TaskSpec,
    /** Skill configuration resolved by the engine (base URLs, keys, limits): workers get no env. */
    config: z.record(z.string(), z.json()),
  }),
  z.object({ type: z.literal("abort"), job_id: z.string(), reason: z.string() }),
  z.object({
    type: z.literal("confirmation"),
    job_id: z.string(),
    decision: z.enum(["allow", "deny"]),
  }),
]);
export type ToWorker = z.infer<typeof ToWorker>;

/** Worker → engine. */
export const FromWorker = z.discriminatedUnion("type", [
  z.object({ type: z.literal("ready") }),
  z.object({ type: z.literal("progress"), job_id: z.string(), progress: JobProgress }),
  z.object({
    type: z.literal("log"),
    job_id: z.string(),
    level: z.enum(["debug", "info", "warning", "error"]),
    message: z.string().max(4000),
    data: z.record(z.string(), z.json()).optional(),
  }),
  z.object({ type: z.literal("usage"), job_id: z.string(), usage: Usage }),
  /** A file for `data/artifacts/<job_id>/<name>`; workers cannot write, the engine does. */
  z.object({
    type: z.literal("artifact"),
    job_id: z.string(),
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/),
    text: z.string().optional(),
    base64: z.string().optional(),
  }),
  z.object({
    type: z.literal("await_confirmation"),
    job_id: z.string(),
    prompt: z.string(),
    action: z.json().optional(),
  }),
  z.object({
    type: z.literal("result"),
    job_id: z.string(),
    result: JobRecord.shape.result.unwrap(),
  }),
  z.object({ type: z.literal("error"), job_id: z.string(), error: JobError }),
]);
export type FromWorker = z.infer<typeof FromWorker>;
