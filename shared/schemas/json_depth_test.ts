import { assertEquals } from "../testing/asserts.ts";
import { exceedsDepth } from "./json_depth.ts";

const deep = (n: number) => JSON.parse("[".repeat(n) + "]".repeat(n));

const cases: [string, unknown, number, boolean][] = [
  ["scalar", 1, 2, false],
  ["flat object", { a: 1 }, 2, false],
  ["exactly at the limit", deep(2), 2, false],
  ["one past the limit", deep(3), 2, true],
  ["very deep array", deep(100_000), 32, true],
  ["deep inside an object", { a: { b: { c: [] } } }, 3, true],
];
for (const [name, value, limit, expected] of cases) {
  Deno.test(`exceedsDepth(): ${name}`, () => assertEquals(exceedsDepth(value, limit), expected));
}
