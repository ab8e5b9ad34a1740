import { assertEquals } from "@shared/testing/asserts.ts";
import type { TraceEvent } from "@shared/schemas/mod.ts";
import { LiveStats, percentileOf } from "./live_stats.ts";

const T0 = Date.parse("2025-01-01T00:00:00Z");
const ev = (event: string, at: number, duration_ms?: number): TraceEvent => ({
  ts: new Date(at).toISOString(),
  trace_id: "t",
  source: "gateway.engine",
  event,
  ...(duration_ms !== undefined ? { duration_ms } : {}),
});

Deno.test("percentileOf() takes the nearest rank", () => {
  const cases: [number[], number, number | null][] = [
    [[], 50, null],
    [[7], 95, 7],
    [[1, 2, 3, 4], 50, 2],
    [[1, 2, 3, 4], 95, 4],
    [[10, 20, 30, 40, 50, 60, 70, 80, 90, 100], 95, 100],
    [[10, 20, 30, 40, 50, 60, 70, 80, 90, 100], 50, 50],
  ];
  for (const [values, p, expected] of cases) assertEquals(percentileOf(values, p), expected);
});

Deno.test("LiveStats buckets finished jobs with rate, failures and latency percentiles", () => {
  let now = T0 + 12_000;
  const stats = new LiveStats({ bucketMs: 5000, windowMs: 20_000, now: () => now });
  stats.record(ev("job.succeeded", T0 + 5_100, 10));
  stats.record(ev("job.succeeded", T0 + 6_000, 30));
  stats.record(ev("job.dead", T0 + 9_999, 50));
  stats.record(ev("job.started", T0 + 6_000)); // not a finish
  stats.record(ev("http.request", T0 + 6_000, 1)); // not a job
  stats.record(ev("job.failed", T0 + 11_000, 20));
  stats.sampleDepth(3);
  assertEquals(stats.history(), [
    { t: T0 - 5000, completed: 0, failed: 0, per_s: 0, p50_ms: null, p95_ms: null, depth: null },
    { t: T0, completed: 0, failed: 0, per_s: 0, p50_ms: null, p95_ms: null, depth: null },
    { t: T0 + 5000, completed: 3, failed: 1, per_s: 0.6, p50_ms: 30, p95_ms: 50, depth: null },
    // The current bucket is 2 s old: its rate is over those 2 s.
    { t: T0 + 10_000, completed: 1, failed: 1, per_s: 0.5, p50_ms: 20, p95_ms: 20, depth: 3 },
  ]);
  now += 20_000; // everything above leaves the window
  assertEquals(stats.history().every((p) => p.completed === 0 && p.depth === null), true);
  assertEquals(stats.current().t, T0 + 30_000);
});

Deno.test("LiveStats ignores events outside the window and bad timestamps", () => {
  const now = T0 + 60_000;
  const stats = new LiveStats({ bucketMs: 1000, windowMs: 10_000, now: () => now });
  stats.record(ev("job.succeeded", T0, 5)); // a minute old
  stats.record(ev("job.succeeded", T0 + 120_000, 5)); // from the future
  stats.record({ ...ev("job.succeeded", now, 5), ts: "not a date" });
  assertEquals(stats.history().reduce((s, p) => s + p.completed, 0), 0);
  assertEquals(stats.history().length, 10);
});

Deno.test("LiveStats caps the durations it keeps per bucket", () => {
  const now = T0 + 500;
  const stats = new LiveStats({ bucketMs: 1000, maxSamplesPerBucket: 3, now: () => now });
  for (const d of [1, 2, 3, 1000, 1000]) stats.record(ev("job.succeeded", T0 + 100, d));
  const p = stats.current();
  assertEquals([p.completed, p.p95_ms], [5, 3]);
});
