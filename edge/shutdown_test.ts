import { assertEquals } from "@shared/testing/asserts.ts";
import { describePending, type Pending, settleWithin } from "./shutdown.ts";

const NONE: Pending = { untranscribed: 0, undelivered: 0, outboxDir: "data/outbox", following: 0 };

const CASES: [string, Partial<Pending>, string[]][] = [
  ["nothing left", {}, []],
  ["an untranscribed segment", { untranscribed: 1 }, [
    "1 speech segment(s) not transcribed: lost",
  ]],
  ["undelivered utterances", { undelivered: 2 }, [
    "2 utterance(s) not delivered: kept in data/outbox for the next start",
  ]],
  ["all three", { untranscribed: 1, undelivered: 3, following: 2 }, [
    "1 speech segment(s) not transcribed: lost",
    "3 utterance(s) not delivered: kept in data/outbox for the next start",
    "2 utterance(s) still running on the gateway: no longer followed here",
  ]],
];
for (const [name, pending, lines] of CASES) {
  Deno.test(`describePending(): ${name}`, () => {
    assertEquals(describePending({ ...NONE, ...pending }), lines);
  });
}

Deno.test("settleWithin() waits for work until stopping, then at most the grace time", async () => {
  const never = new Promise<void>(() => {});
  const stop = Promise.withResolvers<void>();
  // A hand-driven timer: the test decides when the grace time is over, not the machine's load.
  const timers: { fn: () => void; ms: number; cancelled: boolean }[] = [];
  const schedule = (fn: () => void, ms: number) => {
    const timer = { fn, ms, cancelled: false };
    timers.push(timer);
    return () => void (timer.cancelled = true);
  };
  let result: unknown;
  const outcome = settleWithin(never, stop.promise, 50, schedule).then((o) => result = o);
  await new Promise((r) => setTimeout(r, 0));
  assertEquals([result, timers.length], [undefined, 0], "without a stop it waits, untimed");
  stop.resolve();
  await new Promise((r) => setTimeout(r, 0));
  assertEquals(timers.map((t) => t.ms), [50], "stopping starts the grace time");
  assertEquals(result, undefined, "…and waits for it");
  timers[0]!.fn();
  await outcome;
  assertEquals(result, { kind: "timed_out" });
});

Deno.test("settleWithin() cancels the grace timer when the work settles in time", async () => {
  const work = Promise.withResolvers<void>();
  const timers: { cancelled: boolean }[] = [];
  const schedule = () => {
    const timer = { cancelled: false };
    timers.push(timer);
    return () => void (timer.cancelled = true);
  };
  const outcome = settleWithin(work.promise, Promise.resolve(), 5000, schedule);
  await new Promise((r) => setTimeout(r, 0));
  work.resolve();
  assertEquals(await outcome, { kind: "settled" });
  assertEquals(timers, [{ cancelled: true }]);
});

Deno.test("settleWithin() reports settled work and failed work", async () => {
  const never = new Promise<void>(() => {});
  assertEquals(await settleWithin(Promise.resolve(), never, 10), { kind: "settled" });
  const error = new Error("refused");
  assertEquals(await settleWithin(Promise.reject(error), never, 10), { kind: "failed", error });
});
