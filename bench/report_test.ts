import { assertEquals } from "@shared/testing/asserts.ts";
import { type BenchRow, formatTable } from "./report.ts";

const row = (name: string): BenchRow => ({
  script: "coding_bench.ts",
  bench: "coding",
  name,
  value: 100,
  unit: "ms",
});

/** Splits a Markdown table line into cells at the pipes that are not escaped. */
const cells = (line: string) =>
  line.slice(1, -1).split(/(?<!\\)\|/).map((c) => c.trim().replace(/\\\|/g, "|"));

Deno.test("a figure whose name holds a shell pipe stays one cell of the table", () => {
  const name = "patch check (git archive HEAD | tar -x, git apply --check)";
  const lines = formatTable([row(name), row("plain")]).split("\n");
  assertEquals(lines.length, 4);
  for (const line of lines) assertEquals(cells(line).length, 7, line);
  assertEquals(cells(lines[2]!)[1], name);
  assertEquals(lines[2]!.includes("HEAD \\| tar"), true);
  assertEquals(cells(lines[3]!)[1], "plain");
});
