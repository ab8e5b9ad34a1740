import { assertEquals, assertMatch } from "@shared/testing/asserts.ts";
import { TraceEvent, traceEvent } from "./trace.ts";

const TS = "2026-01-01T00:00:00.000Z";

Deno.test("traceEvent() takes the trace id given, else the utterance's, else the job's", () => {
  const base = { source: "gateway.engine", event: "job.started" };
  assertEquals(traceEvent({ ...base, trace_id: "t1", utterance_id: "u1" }, TS).trace_id, "t1");
  assertEquals(traceEvent({ ...base, utterance_id: "u1", job_id: "j1" }, TS).trace_id, "u1");
  assertEquals(traceEvent({ ...base, job_id: "j1" }, TS).trace_id, "j1");
  const lone = [traceEvent(base, TS), traceEvent(base, TS)];
  for (const e of lone) assertMatch(e.trace_id, /^[0-9a-f-]{36}$/);
  // Events about nothing in particular are not lumped into one trace.
  assertEquals(lone[0]!.trace_id === lone[1]!.trace_id, false);
});

Deno.test("traceEvent() keeps a given ts and rounds duration_ms to the microsecond", () => {
  const e = traceEvent(
    { source: "edge.outbox", event: "outbox.acknowledged", duration_ms: 1.23456789, data: {} },
    TS,
  );
  assertEquals(e, {
    ts: TS,
    trace_id: e.trace_id,
    source: "edge.outbox",
    event: "outbox.acknowledged",
    duration_ms: 1.235,
    data: {},
  });
  assertEquals(
    traceEvent({ ...e, ts: "2026-02-02T00:00:00.000Z" }, TS).ts,
    "2026-02-02T00:00:00.000Z",
  );
  assertEquals(TraceEvent.parse(e), e);
});
