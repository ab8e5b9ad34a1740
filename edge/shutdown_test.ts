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
  let result: unknown;
  const outcome = settleWithin(never, stop.promise, 50).then((o) => result = o);
  await new Promise((r) => setTimeout(r, 100));
  assertEquals(result, undefined, "without a stop it waits for the work");
  const stoppedAt = performance.now();
  stop.resolve();
  await outcome;
  const waited = performance.now() - stoppedAt;
  assertEquals(result, { kind: "timed_out" });
  assertEquals(waited >= 45 && waited < 1000, true, `waited ${waited} ms`);
});

Deno.test("settleWithin() reports settled work and failed work", async () => {
  const never = new Promise<void>(() => {});
  assertEquals(await settleWithin(Promise.resolve(), never, 10), { kind: "settled" });
  const error = new Error("refused");
  assertEquals(await settleWithin(Promise.reject(error), never, 10), { kind: "failed", error });
});
