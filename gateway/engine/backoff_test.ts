import { assertEquals } from "@shared/testing/asserts.ts";
import { backoffDelay } from "./backoff.ts";

const policy = { attempts: 5, base_delay_ms: 100, max_delay_ms: 1000, timeout_ms: 1000 };
const mid = () => 0.5; // no jitter at the midpoint

const table: [string, number, Parameters<typeof backoffDelay>[2], number][] = [
  ["first retry waits the base delay", 1, { random: mid }, 100],
  ["second retry doubles", 2, { random: mid }, 200],
  ["fourth retry is 8× base", 4, { random: mid }, 800],
  ["delay is capped", 6, { random: mid }, 1000],
  ["jitter low end", 2, { random: () => 0 }, 160],
  ["jitter high end", 2, { random: () => 0.999999 }, 240],
  ["retry-after wins when longer", 1, { random: mid, retryAfterMs: 3000 }, 3000],
  ["backoff wins when longer than retry-after", 3, { random: mid, retryAfterMs: 10 }, 400],
];

for (const [name, attempt, options, expected] of table) {
  Deno.test(`backoffDelay(): ${name}`, () => {
    assertEquals(backoffDelay(attempt, policy, options), expected);
  });
}
