/**
 * @module
 * One trace event: a JSONL line in `logs/*-traces.jsonl` and a row in `data/traces.sqlite`.
 */
import { z } from "zod";
import { Usage } from "./usage.ts";

export const TraceEvent = z.object({
  ts: z.string(),
  trace_id: z.string(),
  utterance_id: z.string().optional(),
  job_id: z.string().optional(),
  /** Which program and part wrote it: `gateway.http`, `gateway.engine`, `edge.vad`, ... */
  source: z.string(),
  /** What happened: `http.request`, `job.enqueued`, `job.succeeded`, ... */
  event: z.string(),
  duration_ms: z.number().optional(),
  usage: Usage.optional(),
  /** `null` when the model is unpriced. */
  cost_usd: z.number().nullable().optional(),
  data: z.record(z.string(), z.json()).optional(),
});
export type TraceEvent = z.infer<typeof TraceEvent>;
