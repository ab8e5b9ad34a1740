import { assert, assertEquals } from "@shared/testing/asserts.ts";
import { JitterPacer, type JitterPacerOptions } from "./jitter_pacer.ts";

interface Run {
  /** Release time of each frame that was released, by frame number. */
  releasedAt: Map<number, number>;
  /** Frame numbers dropped (oldest first) because the buffer was full. */
  dropped: number[];
  /** Release times in order. */
  times: number[];
}

/**
 * Drives the pacer as the frame queue does: frames arrive at the given times into a buffer of
 * `capacity` frames (full: the oldest is dropped), and a consumer busy `busyMs` per frame asks
 * for the next one whenever it is free.
 */
function simulate(
  arrivals: number[],
  options: JitterPacerOptions,
  { capacity = 50, busyMs = 0 }: { capacity?: number; busyMs?: number } = {},
): Run {
  const pacer = new JitterPacer(options);
  const queue: number[] = [];
  const run: Run = { releasedAt: new Map(), dropped: [], times: [] };
  let next = 0;
  let now = arrivals[0] ?? 0;
  let freeAt = -Infinity;
  for (let guard = 0; guard < 100_000; guard++) {
    while (next < arrivals.length && arrivals[next]! <= now) {
      if (queue.length >= capacity) run.dropped.push(queue.shift()!);
      queue.push(next++);
    }
    const arrival = arrivals[next] ?? Infinity;
    if (now < freeAt) {
      now = Math.min(freeAt, arrival);
      continue;
    }
    const d = pacer.next(now, {
      depth: queue.length,
      ...(queue.length ? { oldestArrivedMs: arrivals[queue[0]!]! } : {}),
    });
    if (d.kind === "release") {
      const frame = queue.shift()!;
      run.releasedAt.set(frame, now);
      run.times.push(now);
      freeAt = now + busyMs;
    } else if (d.kind === "wait") {
      now = Math.min(d.untilMs, arrival);
    } else {
      if (arrival === Infinity) return run;
      now = arrival;
    }
  }
  throw new Error("simulation did not end");
}

const gaps = (times: number[]) => times.slice(1).map((t, i) => t - times[i]!);
const addedLatency = (arrivals: number[], run: Run) =>
  [...run.releasedAt].map(([frame, at]) => at - arrivals[frame]!);

/** `count` frames in bursts of `size`, one burst every `size * 20` ms, from `from` ms. */
function bursts(count: number, size: number, from = 0): number[] {
  return Array.from({ length: count }, (_, i) => from + Math.floor(i / size) * size * 20);
}
const trickle = (count: number, from = 0) => Array.from({ length: count }, (_, i) => from + i * 20);

const max = (xs: number[]) => Math.max(...xs);
const mean = (xs: number[]) => xs.reduce((n, x) => n + x, 0) / xs.length;

interface Case {
  name: string;
  arrivals: number[];
  options?: Partial<JitterPacerOptions>;
  consumer?: { capacity?: number; busyMs?: number };
  /** Gaps between consecutive releases, ms (run-length: [gap, times]). */
  gaps: [number, number][];
  /** Added latency (release − arrival) of each frame, ms: [max, mean]. */
  latency: [number, number];
  dropped: number[];
}

/** Expands [value, times] pairs. */
const runs = (pairs: [number, number][]) => pairs.flatMap(([v, n]) => Array(n).fill(v));

const STALL_THEN_FLOOD = [...trickle(10), ...Array(25).fill(680), ...trickle(40, 700)];
const JITTERY = Array.from({ length: 20 }, (_, i) => i * 20 + (i % 2 ? 7 : 0));

const cases: Case[] = [
  {
    name: "100 ms bursts of 20 ms frames leave 20 ms apart",
    arrivals: bursts(50, 5),
    gaps: [[20, 49]],
    latency: [80, 40],
    dropped: [],
  },
  {
    name: "100 ms bursts of 10 ms frames leave 10 ms apart",
    arrivals: Array.from({ length: 50 }, (_, i) => Math.floor(i / 10) * 100),
    options: { frameMs: 10 },
    gaps: [[10, 49]],
    latency: [90, 45],
    dropped: [],
  },
  {
    name: "a steady trickle passes at once",
    arrivals: trickle(30),
    gaps: [[20, 29]],
    latency: [0, 0],
    dropped: [],
  },
  {
    name: "a late frame leaves on arrival and restarts the clock from it",
    arrivals: JITTERY,
    // 0, 27, 47, 67, …: every later frame waits for its slot 20 ms after the late one.
    gaps: [[27, 1], [20, 18]],
    latency: [7, 3.2],
    dropped: [],
  },
  {
    name: "a stall then a flood: the flood is spread out, then shed at twice the rate",
    arrivals: STALL_THEN_FLOOD,
    gaps: [[20, 9], [500, 1], [20, 10], [10, 43], [20, 11]],
    latency: [340, 146.8],
    dropped: [],
  },
  {
    name: "a consumer slower than real time loses the oldest frames, counted",
    arrivals: trickle(40),
    consumer: { capacity: 5, busyMs: 30 },
    // Released at 0, 30, 60, …: whenever the consumer is free a frame is overdue; once 5 are
    // waiting, every third arrival pushes out the oldest.
    gaps: [[30, 30]],
    latency: [120, 74.5],
    dropped: [10, 13, 16, 19, 22, 25, 28, 31, 34],
  },
];

for (const c of cases) {
  Deno.test(`JitterPacer: ${c.name}`, () => {
    const run = simulate(c.arrivals, { frameMs: 20, ...c.options }, c.consumer);
    assertEquals(gaps(run.times), runs(c.gaps));
    const latency = addedLatency(c.arrivals, run);
    assertEquals([max(latency), Math.round(mean(latency) * 10) / 10], c.latency);
    assertEquals(run.dropped, c.dropped);
    // Every frame is released or dropped, once, in capture order.
    const released = [...run.releasedAt.keys()];
    assertEquals(released.length + run.dropped.length, c.arrivals.length);
    assertEquals(released, [...released].sort((x, y) => x - y));
  });
}

Deno.test("JitterPacer: catching up ends once the buffer is back at its target depth", () => {
  const pacer = new JitterPacer({ frameMs: 20, targetDepth: 2, windowMs: 40 });
  const held = (depth: number) => ({ depth, oldestArrivedMs: 0 });
  // A standing depth of 6 for longer than a window.
  const decisions = [0, 20, 40].map((t) => pacer.next(t, held(6)).kind);
  assertEquals(decisions, ["release", "release", "release"]);
  assertEquals(pacer.catchingUp, true);
  assertEquals(pacer.next(50, held(5)), { kind: "release" }, "10 ms after the last");
  assertEquals(pacer.next(55, held(4)), { kind: "wait", untilMs: 60 });
  assertEquals(pacer.next(60, held(3)), { kind: "release" }, "leaves 2 buffered: the target");
  assertEquals(pacer.catchingUp, false);
  assertEquals(pacer.next(75, held(2)), { kind: "wait", untilMs: 80 }, "back to 20 ms");
});

Deno.test("JitterPacer: an empty buffer is idle and never delays a frame past its slot", () => {
  const pacer = new JitterPacer({ frameMs: 20 });
  assertEquals(pacer.next(0, { depth: 0 }), { kind: "idle" });
  assertEquals(pacer.next(5, { depth: 1, oldestArrivedMs: 5 }), { kind: "release" });
  assertEquals(pacer.next(6, { depth: 1, oldestArrivedMs: 6 }), { kind: "wait", untilMs: 25 });
  assertEquals(pacer.next(25, { depth: 0 }), { kind: "idle" });
  assertEquals(
    pacer.next(90, { depth: 1, oldestArrivedMs: 90 }),
    { kind: "release" },
    "late: leaves on arrival",
  );
  assertEquals(pacer.next(91, { depth: 1, oldestArrivedMs: 91 }), { kind: "wait", untilMs: 110 });
});

Deno.test("JitterPacer: a frame that was in time keeps the clock when released late", () => {
  const pacer = new JitterPacer({ frameMs: 20 });
  const held = (depth: number) => ({ depth, oldestArrivedMs: 0 });
  assertEquals(pacer.next(0, held(5)), { kind: "release" });
  // A timer that wakes 3 ms late: the next slot is still 40, not 43.
  assertEquals(pacer.next(23, held(4)), { kind: "release" });
  assertEquals(pacer.next(23, held(3)), { kind: "wait", untilMs: 40 });
  // A consumer 70 ms late gets the overdue frame and the next one at once, then the pace.
  assertEquals(pacer.next(110, held(3)), { kind: "release" });
  assertEquals(pacer.next(110, held(2)), { kind: "release" });
  assertEquals(pacer.next(110, held(1)), { kind: "wait", untilMs: 130 });
});

Deno.test("JitterPacer: a frame that came after its slot restarts the clock from its arrival", () => {
  const pacer = new JitterPacer({ frameMs: 20 });
  assertEquals(pacer.next(0, { depth: 1, oldestArrivedMs: 0 }), { kind: "release" });
  // Arrived at 50 (slot 20), handed over at 52: the next slot is 70.
  assertEquals(pacer.next(52, { depth: 2, oldestArrivedMs: 50 }), { kind: "release" });
  assertEquals(pacer.next(52, { depth: 1, oldestArrivedMs: 51 }), { kind: "wait", untilMs: 70 });
});

Deno.test("JitterPacer: jittery 100 ms bursts add at most one burst of latency", () => {
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  // Each burst of five 20 ms frames comes 0–20 ms after its 100 ms mark.
  const arrivals = Array.from({ length: 100 }, (_, b) => b * 100 + Math.round(random() * 20))
    .flatMap((t) => Array(5).fill(t));
  const run = simulate(arrivals, { frameMs: 20 });
  const latency = addedLatency(arrivals, run);
  assertEquals(run.dropped, []);
  assert(max(latency) <= 100, `max added latency ${max(latency)} ms`);
  assert(mean(latency) <= 60, `mean added latency ${mean(latency)} ms`);
  const g = gaps(run.times);
  assert(g.every((x) => x >= 20), `a gap under 20 ms: ${g.filter((x) => x < 20)}`);
});
