import { assertEquals } from "@shared/testing/asserts.ts";
import { jsonArrays, ROWS_PER_STATEMENT } from "./json_arrays.ts";

Deno.test("lines become JSON arrays of at most one statement's rows, in order", () => {
  assertEquals(jsonArrays([]), []);
  const lines = Array.from(
    { length: ROWS_PER_STATEMENT * 2 + 3 },
    (_, i) => JSON.stringify({ i, text: `a "quoted", [bracketed] line ${i}` }),
  );
  const arrays = jsonArrays(lines);
  assertEquals(arrays.length, 3);
  const parsed = arrays.map((a) => JSON.parse(a) as { i: number }[]);
  assertEquals(parsed.map((p) => p.length), [ROWS_PER_STATEMENT, ROWS_PER_STATEMENT, 3]);
  assertEquals(parsed.flat().map((e) => e.i), lines.map((_, i) => i));
});
