import { assertEquals } from "@shared/testing/asserts.ts";
import { TokenBuckets } from "./rate_limit.ts";

Deno.test("TokenBuckets allows a burst, then refills at the rate", () => {
  const b = new TokenBuckets({ ratePerSecond: 2, burst: 3 });
  const steps: [string, number, number][] = [
    ["a", 0, 0],
    ["a", 0, 0],
    ["a", 0, 0],
    ["a", 0, 500], // empty: half a second until the next token
    ["b", 0, 0], // other clients are independent
    ["a", 500, 0], // refilled one token
    ["a", 500, 500],
    ["a", 2000, 0],
  ];
  for (const [client, at, expected] of steps) assertEquals(b.take(client, at), expected);
});

Deno.test("TokenBuckets forgets the least recently seen client beyond maxClients", () => {
  const b = new TokenBuckets({ ratePerSecond: 1, burst: 1, maxClients: 2 });
  assertEquals(b.take("a", 0), 0);
  assertEquals(b.take("b", 0), 0);
  assertEquals(b.take("c", 0), 0); // drops "a"
  assertEquals(b.take("a", 0), 0); // "a" starts again with a full bucket
  assertEquals(b.take("c", 0), 1000);
});
