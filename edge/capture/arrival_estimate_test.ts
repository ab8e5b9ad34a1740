import { assertEquals } from "@shared/testing/asserts.ts";
import { ArrivalEstimate } from "./arrival_estimate.ts";

Deno.test("ArrivalEstimate: nothing is known before the first read", () => {
  assertEquals(new ArrivalEstimate().arrival(1000), undefined);
});

Deno.test("ArrivalEstimate: audio comes in no earlier than the least lag seen lately", () => {
  const arrivals = new ArrivalEstimate(4);
  // 50 ms fragments read 80, 65 and 90 ms after their audio ended.
  arrivals.observe(50, 130);
  arrivals.observe(100, 165);
  arrivals.observe(150, 240);
  assertEquals(arrivals.arrival(400), 465);
  // A read that had waited (a larger lag) does not move it.
  arrivals.observe(400, 700);
  assertEquals(arrivals.arrival(500), 565);
});

Deno.test("ArrivalEstimate: only the last reads count, so a lag that grows is followed", () => {
  const arrivals = new ArrivalEstimate(3);
  arrivals.observe(50, 60); // lag 10
  for (const end of [100, 150, 200]) arrivals.observe(end, end + 40);
  assertEquals(arrivals.arrival(1000), 1040);
});

Deno.test("ArrivalEstimate: a reset forgets every read", () => {
  const arrivals = new ArrivalEstimate();
  arrivals.observe(50, 60);
  arrivals.reset();
  assertEquals(arrivals.arrival(100), undefined);
  arrivals.observe(50, 150);
  assertEquals(arrivals.arrival(100), 200);
});
