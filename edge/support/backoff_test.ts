import { assertEquals } from "@shared/testing/asserts.ts";
import { backoffDelay } from "./backoff.ts";

const mid = () => 0.5; // no jitter
const policy = { baseDelayMs: 100, maxDelayMs: 1000 };

Deno.test("backoffDelay() grows exponentially, is capped and jittered within bounds", () => {
  const cases: [number, number][] = [[1, 100], [2, 200], [3, 400], [4, 800], [5, 1000], [20, 1000]];
  for (const [attempt, expected] of cases) {
    assertEquals(backoffDelay(attempt, policy, mid), expected, `attempt ${attempt}`);
  }
  assertEquals(backoffDelay(3, { ...policy, jitter: 0.3 }, () => 0), 280);
  assertEquals(backoffDelay(3, { ...policy, jitter: 0.3 }, () => 0.999999), 520);
  assertEquals(backoffDelay(5, { ...policy, jitter: 0.3 }, () => 0.999999), 1000, "cap holds");
});

Deno.test("backoffDelay() uses its defaults: 250 ms base, factor 2, 10 s cap", () => {
  assertEquals(backoffDelay(1, {}, mid), 250);
  assertEquals(backoffDelay(3, {}, mid), 1000);
  assertEquals(backoffDelay(30, {}, mid), 10_000);
  assertEquals(backoffDelay(2, { factor: 3, jitter: 0 }, () => 0), 750);
});
