import { assertEquals } from "@shared/testing/asserts.ts";
import { latencySummary } from "./latency_summary.ts";

const table: [string, number[], ReturnType<typeof latencySummary>][] = [
  ["no windows", [], { windows: 0, p50_ms: 0, p99_ms: 0, max_ms: 0 }],
  ["one window", [0.1234567], { windows: 1, p50_ms: 0.123, p99_ms: 0.123, max_ms: 0.123 }],
  [
    "a hundred windows, unsorted, one slow",
    [...Array.from({ length: 99 }, (_, i) => (99 - i) / 1000), 5],
    { windows: 100, p50_ms: 0.05, p99_ms: 0.099, max_ms: 5 },
  ],
  ["even count takes the lower middle", [4, 1, 3, 2], {
    windows: 4,
    p50_ms: 2,
    p99_ms: 4,
    max_ms: 4,
  }],
];

for (const [name, values, expected] of table) {
  Deno.test(`latencySummary(): ${name}`, () => assertEquals(latencySummary(values), expected));
}
