import { assertEquals, assertThrows } from "@shared/testing/asserts.ts";
import { priceFor } from "@shared/pricing/pricing.ts";
import { outputBudget, OutputBudgetError } from "./output_budget.ts";

// claude-sonnet-4-5: $3 input, $15 output per million tokens.
const price = priceFor("anthropic", "claude-sonnet-4-5", new Date("2026-01-01"));

const cases: [string, number | undefined, number, number][] = [
  // name, budget, prompt chars, expected max_tokens
  ["no budget keeps max_tokens", undefined, 35_000, 4096],
  ["a large budget keeps max_tokens", 1, 35_000, 4096],
  // 10k input tokens cost $0.03; $0.05 leaves $0.02 = 1333 output tokens.
  ["a tight budget lowers max_tokens", 0.05, 35_000, 1333],
];
for (const [name, budgetUsd, promptChars, maxTokens] of cases) {
  Deno.test(`outputBudget(): ${name}`, () => {
    const b = outputBudget({ promptChars, maxTokens: 4096, budgetUsd, price });
    assertEquals(b.max_tokens, maxTokens);
    assertEquals(b.input_tokens_estimate, 10_000);
  });
}

Deno.test("outputBudget() refuses a budget the prompt already spends, with an exact error", () => {
  assertThrows(
    () => outputBudget({ promptChars: 35_000, maxTokens: 4096, budgetUsd: 0.032, price }),
    OutputBudgetError,
    "Cannot ask claude-sonnet-4-5 as the per-job budget of $0.0320 (--max-cost-usd) leaves 133 output tokens after a prompt of about 10000 tokens ($0.0300): at least 256 are needed",
  );
});
