import { assert, assertEquals } from "@shared/testing/asserts.ts";
import { buildContext, relevance, words } from "./context.ts";

Deno.test("words() splits identifiers and drops stop words", () => {
  assertEquals(words("Refactor the orchestratorRouter in intent_router.ts"), [
    "refactor",
    "orchestrator",
    "router",
    "intent",
    "router",
  ]);
});

Deno.test("relevance() ranks a matching path above content mentions", () => {
  const wanted = words("refactor the orchestrator router");
  const byPath = relevance("src/router.ts", "export function x() {}", wanted);
  const byContent = relevance("src/util.ts", "// used by the router", wanted);
  assertEquals(byPath > byContent, true);
});

Deno.test("buildContext() puts the most relevant file first and stays within budget", () => {
  const files: Record<string, string> = {
    "src/router.ts": "export function route() {}\n",
    "src/util.ts": "export const x = 1; // router helper\n",
    "README.md": "# sample\n",
    "src/big.ts": "x".repeat(200),
  };
  const ctx = buildContext(
    "Refactor the orchestrator router",
    Object.keys(files),
    (p) => files[p] ?? null,
    300,
  );
  assertEquals(ctx.files.map((f) => f.path), ["src/router.ts", "src/util.ts"]);
  assert(ctx.prompt.length < 300 + 200, "the prompt stays near its budget");
  assertEquals(
    ctx.prompt.startsWith("<instruction>\nRefactor the orchestrator router\n</instruction>"),
    true,
  );
});

Deno.test("buildContext() passes over a relevant file too big for the budget for smaller ones", () => {
  const files: Record<string, string> = {
    "src/router.ts": "r".repeat(500) + " router",
    "src/router_util.ts": "export const routerUtil = 1;\n",
    "Makefile": "test:\n\tdeno test # router\n",
    "image.png": "router",
  };
  const ctx = buildContext("Fix the router", Object.keys(files), (p) => files[p] ?? null, 300);
  assertEquals(ctx.files.map((f) => f.path), ["src/router_util.ts", "Makefile"]);
});

Deno.test("buildContext() cuts the most relevant file, marked, when nothing fits whole", () => {
  const files: Record<string, string> = { "src/router.ts": "abcdefghij".repeat(100) };
  const ctx = buildContext("Fix the router", Object.keys(files), (p) => files[p] ?? null, 100);
  const used = "src/router.ts".length + "Fix the router".length;
  assertEquals(ctx.files, [{
    path: "src/router.ts",
    content: `${"abcdefghij".repeat(10).slice(0, 100 - used)}\n… (cut at ${
      100 - used
    } of 1000 characters)`,
  }]);
});
