import { assertEquals } from "@shared/testing/asserts.ts";
import { modelRules, requestShape } from "./model_rules.ts";

const table: [string, "claude-5" | "legacy"][] = [
  ["claude-sonnet-5-5", "claude-5"],
  ["claude-sonnet-5", "claude-5"],
  ["claude-opus-5-5", "claude-5"],
  ["claude-opus-5", "claude-5"],
  ["claude-sonnet-5-5-20261001", "claude-5"],
  ["claude-haiku-6", "claude-5"],
  ["claude-sonnet-4-6", "legacy"],
  ["claude-sonnet-4-5-20250929", "legacy"],
  ["claude-haiku-4-5", "legacy"],
  ["claude-opus-4-1", "legacy"],
  ["claude-3-5-haiku", "legacy"],
  ["claude-3-7-sonnet-20250219", "legacy"],
  ["claude-sonnet-4-20250514", "legacy"],
  ["some-other-model", "legacy"],
];
for (const [model, generation] of table) {
  Deno.test(`modelRules(): ${model} is ${generation}`, () => {
    const rules = modelRules(model);
    assertEquals(rules.generation, generation);
    assertEquals(rules.sampling, generation === "legacy");
    assertEquals(rules.manualThinking, generation === "legacy");
    assertEquals(rules.thinking, generation === "legacy" ? undefined : { type: "adaptive" });
  });
}

Deno.test("requestShape(): 5.x gets adaptive thinking and never sampling parameters", () => {
  assertEquals(requestShape("claude-sonnet-5-5", { temperature: 0.2, top_p: 0.9, top_k: 5 }), {
    thinking: { type: "adaptive" },
  });
  assertEquals(requestShape("claude-opus-5"), { thinking: { type: "adaptive" } });
});

Deno.test("requestShape(): older models keep their shape (no thinking, sampling as asked)", () => {
  assertEquals(requestShape("claude-sonnet-4-6"), {});
  assertEquals(requestShape("claude-sonnet-4-5", { temperature: 0.2 }), { temperature: 0.2 });
  assertEquals(requestShape("claude-haiku-4-5", { top_p: 0.9, top_k: 5 }), {
    top_p: 0.9,
    top_k: 5,
  });
});
