/**
 * @module
 * Trace events of the edge's network side (transcription, outbox, fan-in), in the shape of
 * the shared `TraceEvent` (`shared/schemas/trace.ts`). Modules take a {@linkcode EdgeTracer}
 * option; the default logs each event through LogTape under `["edge", "trace"]` with the event
 * as the `trace` property, so that the program's logging setup decides where the lines go
 * (`logs/windows-edge-traces.jsonl`).
 */
import { getLogger } from "@logtape/logtape";
import { type TraceEvent, traceEvent } from "@shared/schemas/trace.ts";

/** What a module reports; `ts` and `trace_id` are filled in. */
export interface EdgeTraceInput {
  /** `edge.realtime`, `edge.outbox`, `edge.fanin`. */
  source: string;
  /** `transcript.final`, `outbox.acknowledged`, `realtime.reconnect`, ... */
  event: string;
  utterance_id?: string;
  job_id?: string;
  duration_ms?: number;
  /** `null` when the model is unpriced. */
  cost_usd?: number | null;
  data?: TraceEvent["data"];
}

/** Receives trace events; must not throw or block (it runs on the audio path). */
export type EdgeTracer = (event: TraceEvent) => void;

/** Completes an input into a trace event (see `traceEvent`). */
export function toTraceEvent(input: EdgeTraceInput, now: Date = new Date()): TraceEvent {
  return traceEvent(input, now.toISOString());
}

const traceLog = getLogger(["edge", "trace"]);

/** Default tracer: one LogTape record per event. */
export const logTracer: EdgeTracer = (event) => {
  traceLog.info("{source} {event}", { ...event });
};

/** Emits through `tracer`, never letting a tracer failure reach the caller. */
export function emitTrace(tracer: EdgeTracer, input: EdgeTraceInput): void {
  try {
    tracer(toTraceEvent(input));
  } catch {
    // Tracing must never break audio or delivery.
  }
}
