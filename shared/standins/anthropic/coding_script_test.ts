import { assert, assertEquals, assertMatch, assertStringIncludes } from "../../testing/asserts.ts";
import {
  codingAnswer,
  filesInRequest,
  instructionInPrompt,
  scriptedEdit,
} from "./coding_script.ts";

const FIXTURE = new URL("./fixtures/sample_repo/", import.meta.url);

function prompt(instruction: string, files: { path: string; content: string }[]): string {
  return [
    `<instruction>\n${instruction}\n</instruction>`,
    `<repository_map>\n${files.map((f) => f.path).join("\n")}\n</repository_map>`,
    ...files.map((f) => `<file path="${f.path}">\n${f.content}\n</file>`),
  ].join("\n\n");
}

Deno.test("filesInRequest() and instructionInPrompt() read the worker's prompt layout", () => {
  const text = prompt("Fix it", [{ path: "a.ts", content: "x\n" }, {
    path: "b.ts",
    content: "y",
  }]);
  assertEquals(filesInRequest(text), [{ path: "a.ts", content: "x\n" }, {
    path: "b.ts",
    content: "y",
  }]);
  assertEquals(instructionInPrompt(text), "Fix it");
  assertEquals(instructionInPrompt("just a line\nmore"), "just a line");
});

const edits: [string, { path: string; content: string }, RegExp, RegExp][] = [
  [
    "inline patterns become named constants",
    {
      path: "src/r.ts",
      content:
        'import { n } from "./n.ts";\n\nexport function r(t: string) {\n  if (/open|close/i.test(t)) return 1;\n  return /open|close/i.exec(n(t)) ? 2 : 0;\n}\n',
    },
    /^import \{ n \} from "\.\/n\.ts";\n\nconst OPEN_CLOSE_PATTERN = \/open\|close\/i;\n\nexport function r/,
    /`r`/,
  ],
  [
    "a repeated string becomes a named constant",
    {
      path: "src/s.ts",
      content:
        'export function a() {\n  return "coding skill";\n}\nexport function b() {\n  return "coding skill";\n}\n',
    },
    /^const CODING_SKILL = "coding skill";\n\nexport function a\(\) \{\n {2}return CODING_SKILL;/,
    /appears 2 times/,
  ],
  [
    "a global regex is left alone and the declaration documented",
    { path: "src/g.ts", content: "export function g(t: string) {\n  return /x/g.test(t);\n}\n" },
    /^\/\*\* g: reviewed for "Tidy"\. \*\/\nexport function g/,
    /documenting it/,
  ],
  [
    "Python gets a # comment",
    { path: "tool.py", content: "import os\n\ndef main():\n    pass\n" },
    /^import os\n\n# main: reviewed for "Tidy"\.\ndef main/,
    /`main` in `tool\.py`/,
  ],
];
for (const [name, file, after, rationale] of edits) {
  Deno.test(`scriptedEdit(): ${name}`, () => {
    const edit = scriptedEdit(file, "Tidy");
    assertEquals(edit.path, file.path);
    assertMatch(edit.after, after);
    assertMatch(edit.rationale, rationale);
  });
}

Deno.test("codingAnswer() without files proposes no patch", () => {
  const text = codingAnswer("<instruction>\nOpen the dashboard\n</instruction>");
  assertEquals(
    text,
    "Rationale: the request shows no source file, so I have no patch to propose.\n",
  );
});

Deno.test({
  name: "codingAnswer() on the fixture repository: the diff applies and behaviour is kept",
  permissions: { read: true, write: true, run: ["git", "cp"] },
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "script-fixture-" });
    try {
      await new Deno.Command("cp", { args: ["-r", `${FIXTURE.pathname}.`, dir] }).output();
      const router = await Deno.readTextFile(`${dir}/src/router.ts`);
      const text = codingAnswer(prompt("Refactor the orchestrator router", [
        { path: "src/router.ts", content: router },
      ]));
      assertMatch(
        text,
        /^Rationale: The inline patterns `\/refactor\|fix\/`, `\/open\|dashboard\/`/,
      );
      const diff = /```diff\n([\s\S]*?)```/.exec(text)![1]!;
      assertStringIncludes(diff, "+const REFACTOR_FIX_PATTERN = /refactor|fix/;\n");
      await Deno.writeTextFile(`${dir}/p.diff`, diff);
      const applied = await new Deno.Command("git", {
        args: ["apply", "--verbose", "p.diff"],
        cwd: dir,
        stderr: "piped",
      }).output();
      assert(applied.success, new TextDecoder().decode(applied.stderr));
      const before = await import(`${FIXTURE.href}src/router.ts`);
      const after = await import(`file://${dir}/src/router.ts`);
      const said = "Refactor the router and open the dashboard and fix tests and sing";
      assertEquals(after.route(said), before.route(said));
      assertEquals(after.route(said).length, 3);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
