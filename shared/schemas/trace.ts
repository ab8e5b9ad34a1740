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

/** An event before it is stamped: `ts` and `trace_id` are filled in when missing. */
export type TraceInput = Omit<TraceEvent, "ts" | "trace_id"> & { ts?: string; trace_id?: string };

/**
 * Stamps `input` into a trace event, the same way in every program. The trace id is the given
 * one, else the utterance id (one utterance is one trace across edge and gateway), else the
 * job id, else a fresh one. `duration_ms` is kept to the microsecond.
 */
export function traceEvent(input: TraceInput, ts: string): TraceEvent {
  const event = {
    ts: input.ts ?? ts,
    trace_id: input.trace_id ?? input.utterance_id ?? input.job_id ?? crypto.randomUUID(),
  } as TraceEvent;
  // The other fields in the input's order, as `{ ...rest }` would copy them: a loop over the
  // keys costs a fraction of rest and spread, and every request emits a few events.
  const from = input as Record<string, unknown>;
  const to = event as Record<string, unknown>;
  for (const key of Object.keys(from)) {
    if (key === "ts" || key === "trace_id" || key === "duration_ms") continue;
    if (key === "__proto__") {
      // An own key, as spread makes it, not a new prototype.
      Object.defineProperty(to, key, {
        value: from[key],
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } else to[key] = from[key];
  }
  const duration = input.duration_ms;
  if (duration !== undefined) event.duration_ms = Math.round(duration * 1000) / 1000;
  return event;
}
