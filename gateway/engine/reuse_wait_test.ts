import { assertEquals } from "@shared/testing/asserts.ts";
import { Durations, reuseWait } from "./reuse_wait.ts";

const base = { position: 0, busy: 1, minWaitMs: 20 };

Deno.test("reuseWait: the shortest wait before any worker of the kind has started", () => {
  assertEquals(reuseWait({ ...base, holdMs: 5, startMs: undefined }), 20);
  assertEquals(reuseWait({ ...base, holdMs: undefined, startMs: undefined }), 20);
});

Deno.test("reuseWait: a start time while no job of the kind has ended yet", () => {
  assertEquals(reuseWait({ ...base, holdMs: undefined, startMs: 300 }), 300);
  // Never below the shortest wait.
  assertEquals(reuseWait({ ...base, holdMs: undefined, startMs: 3 }), 20);
});

Deno.test("reuseWait: short jobs wait a start time for a busy worker", () => {
  assertEquals(reuseWait({ ...base, holdMs: 10, startMs: 300 }), 300);
  assertEquals(reuseWait({ position: 2, busy: 3, holdMs: 100, startMs: 300, minWaitMs: 20 }), 300);
});

Deno.test("reuseWait: a line of short jobs longer than the busy workers waits for them", () => {
  // Three busy workers at 10 ms a job reach the fourth job of the line after 20 ms: sooner than
  // a start.
  assertEquals(reuseWait({ position: 3, busy: 3, holdMs: 10, startMs: 300, minWaitMs: 20 }), 300);
  // The 91st after 310 ms: later than a start, so it starts a worker.
  assertEquals(reuseWait({ position: 90, busy: 3, holdMs: 10, startMs: 300, minWaitMs: 20 }), 20);
  assertEquals(reuseWait({ position: 86, busy: 3, holdMs: 10, startMs: 300, minWaitMs: 20 }), 300);
});

Deno.test("reuseWait: before any job of the kind has ended, a line longer than the busy workers starts one", () => {
  assertEquals(
    reuseWait({ position: 1, busy: 1, holdMs: undefined, startMs: 300, minWaitMs: 20 }),
    20,
  );
});

Deno.test("reuseWait: long jobs start a worker after the shortest wait", () => {
  assertEquals(reuseWait({ ...base, holdMs: 5_000, startMs: 300 }), 20);
});

Deno.test("reuseWait: nothing to wait for when no worker of the kind is busy", () => {
  assertEquals(reuseWait({ ...base, busy: 0, holdMs: 10, startMs: 300 }), 20);
});

Deno.test("Durations: the first sample, then a weighted mean of the new ones", () => {
  const d = new Durations(0.5);
  assertEquals(d.value, undefined);
  d.add(100);
  assertEquals(d.value, 100);
  d.add(200);
  assertEquals(d.value, 150);
  d.add(50);
  assertEquals(d.value, 100);
});
