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

const gitStyle = [
  "diff --git a/src/router.ts b/src/router.ts",
  "index 3b18e51..a9c2f4d 100644",
  "--- a/src/router.ts",
  "+++ b/src/router.ts",
  "@@ -1,2 +1,3 @@",
  " a",
  "+b",
  " c",
  "diff --git a/README.md b/README.md",
  "index 1111111..2222222 100644",
  "--- a/README.md",
  "+++ b/README.md",
  "@@ -1 +1 @@",
  "-# old",
  "+# new",
  "",
].join("\n");

Deno.test("extractDiff() and validateDiff() take git's own diff format, several files", () => {
  const answer = `Two changes.\n\n\`\`\`diff\n${gitStyle}\`\`\`\n\nThat is all.`;
  assertEquals(extractDiff(answer), gitStyle);
  assertEquals(validateDiff(gitStyle, tracked), {
    patch: gitStyle,
    files: ["src/router.ts", "README.md"],
  });
});

Deno.test("validateDiff() cuts prose after an unfenced diff, but not a second diff", () => {
  const extracted = extractDiff(`Here it is:\n${good}\nThis keeps the behaviour the same.\n`)!;
  assertEquals(validateDiff(extracted, tracked), { patch: good, files: ["src/router.ts"] });
  assertThrows(
    () => validateDiff(`${good}\nAnd also:\n${gitStyle}`, tracked),
    InvalidDiffError,
    "line 8: expected the next file's header, found 'And also:'",
  );
});

Deno.test("validateDiff() takes a pure rename and checks both of its paths", () => {
  const rename = [
    "diff --git a/README.md b/docs/README.md",
    "similarity index 100%",
    "rename from README.md",
    "rename to docs/README.md",
    "",
  ].join("\n");
  assertEquals(validateDiff(rename, tracked), { patch: rename, files: ["docs/README.md"] });
  assertThrows(
    () => validateDiff(rename.replaceAll("docs/README.md", "../x.md"), tracked),
    InvalidDiffError,
    "path '../x.md' is outside the repository",
  );
});

Deno.test("git apply accepts every diff validateDiff() keeps", async () => {
  const dir = await Deno.makeTempDir();
  const git = (...args: string[]) =>
    new Deno.Command("git", { args, cwd: dir, stdout: "null", stderr: "piped" }).output();
  try {
    await git("init", "-q");
    await Deno.mkdir(`${dir}/src`);
    await Deno.writeTextFile(`${dir}/src/router.ts`, "a\nc\n");
    await Deno.writeTextFile(`${dir}/README.md`, "# old\n");
    await git("add", ".");
    for (const answer of [`\`\`\`diff\n${gitStyle}\`\`\``, `Here:\n${good}\nDone, tested.\n`]) {
      const { patch } = validateDiff(extractDiff(answer)!, tracked);
      await Deno.writeTextFile(`${dir}/p.diff`, patch);
      const out = await git("apply", "--check", "p.diff");
      assertEquals(new TextDecoder().decode(out.stderr), "");
      assertEquals(out.code, 0);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
