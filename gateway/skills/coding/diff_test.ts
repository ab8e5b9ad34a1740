import { assertEquals, assertThrows } from "@shared/testing/asserts.ts";
import { extractDiff, InvalidDiffError, validateDiff } from "./diff.ts";

const tracked = new Set(["src/router.ts", "README.md"]);
const good = "--- a/src/router.ts\n+++ b/src/router.ts\n@@ -1,2 +1,3 @@\n a\n+b\n c\n";

Deno.test("extractDiff() takes the fenced diff out of an answer", () => {
  assertEquals(extractDiff(`Rationale: x\n\n\`\`\`diff\n${good}\`\`\`\n`), good);
  assertEquals(extractDiff(`Here:\n${good}`), good);
  assertEquals(extractDiff("no patch here"), null);
});

Deno.test("validateDiff() accepts a well-formed diff and lists its files", () => {
  assertEquals(validateDiff(good, tracked), { patch: good, files: ["src/router.ts"] });
});

const bad: [string, string, string][] = [
  [
    "no header",
    "@@ -1 +1 @@\n-a\n+b\n",
    "line 1: expected a '--- a/<path>' header, found '@@ -1 +1 @@'",
  ],
  [
    "unknown file",
    good.replaceAll("src/router.ts", "src/other.ts"),
    "'src/other.ts' is not a file of the repository",
  ],
  [
    "path escape",
    good.replaceAll("src/router.ts", "../etc/passwd"),
    "path '../etc/passwd' is outside the repository",
  ],
  [
    "wrong counts",
    "--- a/README.md\n+++ b/README.md\n@@ -1,3 +1,3 @@\n a\n-b\n+c\n",
    "hunk at line 3 does not match its line counts",
  ],
  ["no hunk", "--- a/README.md\n+++ b/README.md\n", "'README.md' has no hunk"],
];
for (const [name, patch, message] of bad) {
  Deno.test(`validateDiff() rejects ${name}`, () => {
    assertThrows(() => validateDiff(patch, tracked), InvalidDiffError, message);
  });
}
