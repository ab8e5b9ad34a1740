import { assertEquals } from "@shared/testing/asserts.ts";
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
  assertEquals(
    ctx.prompt.startsWith("<instruction>\nRefactor the orchestrator router\n</instruction>"),
    true,
  );
});
