import { assertEquals, assertThrows } from "../../testing/asserts.ts";
import { DiffTooLargeError, unifiedDiff } from "./unified_diff.ts";

const lines = (n: number, tag = "line") =>
  Array.from({ length: n }, (_, i) => `${tag} ${i + 1}\n`).join("");

Deno.test("unifiedDiff() writes the exact hunk of a one-line insertion", () => {
  assertEquals(
    unifiedDiff("f.txt", "a\nb\nc\nd\n", "a\nb\nX\nc\nd\n"),
    "--- a/f.txt\n+++ b/f.txt\n@@ -1,4 +1,5 @@\n a\n b\n+X\n c\n d\n",
  );
});

Deno.test("unifiedDiff() is empty for equal texts", () => {
  assertEquals(unifiedDiff("f.txt", "a\n", "a\n"), "");
});

Deno.test("unifiedDiff() refuses a changed region over its limit with an exact error", () => {
  assertThrows(
    () => unifiedDiff("f.txt", lines(20, "a"), lines(20, "b"), { maxCells: 100 }),
    DiffTooLargeError,
    "Cannot diff as the changed region is 20 × 20 lines: the limit is 100 cells",
  );
});

const big = lines(40);
const cases: [string, string, string][] = [
  ["insert at the top", "a\nb\n", "new\na\nb\n"],
  ["insert at the end", "a\nb\n", "a\nb\nnew\n"],
  ["delete in the middle", lines(9), lines(9).replace("line 5\n", "")],
  [
    "two distant hunks",
    big,
    big.replace("line 3\n", "line three\n").replace("line 35\n", "line 35\nextra\n"),
  ],
  ["replace everything", "a\nb\nc\n", "x\ny\n"],
  ["add a final newline", "a\nb", "a\nb\n"],
  ["drop the final newline", "a\nb\n", "a\nb"],
  ["change a last line without newline", "a\nb", "a\nc"],
  ["fill an empty file", "", "a\nb\n"],
  ["empty a file", "a\nb\n", ""],
  ["repeated lines", "x\nx\nx\ny\nx\n", "x\ny\nx\nx\ny\n"],
];

for (const [name, before, after] of cases) {
  Deno.test({
    name: `unifiedDiff() output applies with git apply: ${name}`,
    permissions: { read: true, write: true, run: ["git"] },
    fn: async () => {
      const dir = await Deno.makeTempDir({ prefix: "udiff-" });
      try {
        await Deno.writeTextFile(`${dir}/f.txt`, before);
        await Deno.writeTextFile(`${dir}/p.diff`, unifiedDiff("f.txt", before, after));
        const out = await new Deno.Command("git", {
          args: ["apply", "--verbose", "p.diff"],
          cwd: dir,
          stdout: "piped",
          stderr: "piped",
        }).output();
        assertEquals(out.success, true, new TextDecoder().decode(out.stderr));
        assertEquals(await Deno.readTextFile(`${dir}/f.txt`), after);
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    },
  });
}
