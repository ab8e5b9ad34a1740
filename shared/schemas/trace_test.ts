import { assertEquals, assertMatch } from "@shared/testing/asserts.ts";
import { TraceEvent, traceEvent, type TraceInput } from "./trace.ts";

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

/** What `traceEvent` was written as first: rest and spread. The fast one must match it. */
function traceEventBySpread(input: TraceInput, ts: string): TraceEvent {
  const { ts: given, trace_id, duration_ms, ...rest } = input;
  const event: TraceEvent = {
    ts: given ?? ts,
    trace_id: trace_id ?? rest.utterance_id ?? rest.job_id ?? "fresh",
    ...rest,
  };
  if (duration_ms !== undefined) event.duration_ms = Math.round(duration_ms * 1000) / 1000;
  return event;
}

Deno.test("traceEvent() gives the same fields, in the same order, as rest and spread", () => {
  const usage = { provider: "anthropic", model: "m", input_tokens: 1, output_tokens: 2 };
  const inputs: TraceInput[] = [
    { source: "gateway.http", event: "http.request", duration_ms: 6.1824, data: { status: 202 } },
    { data: { a: 1 }, event: "job.enqueued", source: "gateway.queue", job_id: "j1" },
    { source: "s", event: "e", utterance_id: "u1", job_id: "j1", trace_id: "t1", ts: "2026" },
    { source: "s", event: "e", utterance_id: undefined, job_id: "j2", duration_ms: undefined },
    { duration_ms: 0.0004, source: "s", event: "e", usage, cost_usd: null, job_id: "j3" },
    { source: "s", event: "e", trace_id: undefined, ts: undefined, cost_usd: 0.5 },
    JSON.parse('{"source":"s","event":"e","__proto__":{"x":1},"job_id":"j4"}'),
  ];
  for (const input of inputs) {
    const fast = traceEvent(input, TS);
    const spread = traceEventBySpread(input, TS);
    if (spread.trace_id === "fresh") spread.trace_id = fast.trace_id;
    assertEquals(Object.keys(fast), Object.keys(spread));
    assertEquals(fast, spread);
    assertEquals(JSON.stringify(fast), JSON.stringify(spread));
    assertEquals(Object.getPrototypeOf(fast), Object.prototype);
  }
});
