import { assertEquals, assertThrows } from "@shared/testing/asserts.ts";
import { requirePriceForBudgets, unpricedWarning } from "./price_guard.ts";
import { UnrecoverableError } from "../skill_kit/worker_errors.ts";

const AT = new Date("2026-12-01T10:00:00Z");
const unpriced = { provider: "google", model: "gemini-9-ultra" };

const table: [
  string,
  Parameters<typeof requirePriceForBudgets>[0],
  Parameters<typeof requirePriceForBudgets>[1],
  string | undefined,
][] = [
  ["no budget: an unpriced model runs", unpriced, {}, undefined],
  ["a priced model under a budget runs", { provider: "anthropic", model: "claude-sonnet-5-5" }, {
    perJob: 1,
  }, undefined],
  ["a skill that declares no model runs", undefined, { perJob: 1, perUtterance: 1 }, undefined],
  [
    "per-job budget",
    unpriced,
    { perJob: 1 },
    "Model 'gemini-9-ultra' (google) has no price on 2026-12-01, so the budget set by --max-cost-usd cannot be enforced: add its price to shared/pricing/prices.json or run without --max-cost-usd",
  ],
  [
    "per-utterance budget",
    unpriced,
    { perUtterance: 0.5 },
    "Model 'gemini-9-ultra' (google) has no price on 2026-12-01, so the budget set by --max-cost-usd-per-utterance cannot be enforced: add its price to shared/pricing/prices.json or run without --max-cost-usd-per-utterance",
  ],
];
for (const [name, priced, budgets, message] of table) {
  Deno.test(`requirePriceForBudgets(): ${name}`, () => {
    if (message === undefined) {
      assertEquals(requirePriceForBudgets(priced, budgets, AT), undefined);
      return;
    }
    const err = assertThrows(
      () => requirePriceForBudgets(priced, budgets, AT),
      UnrecoverableError,
      message,
    );
    assertEquals([err.code, err.retryable], ["unpriced_model", false]);
  });
}

Deno.test("requirePriceForBudgets(): a model priced only from a later date is unpriced before it", () => {
  const sonnet5 = { provider: "anthropic", model: "claude-sonnet-5" };
  requirePriceForBudgets(sonnet5, { perJob: 1 }, new Date("2026-06-01T00:00:00Z"));
  assertThrows(
    () => requirePriceForBudgets(sonnet5, { perJob: 1 }, new Date("2026-05-31T23:59:59Z")),
    UnrecoverableError,
    "has no price on 2026-05-31",
  );
});

Deno.test("unpricedWarning(): only for a usage without a cost", () => {
  const usage = { provider: "google", model: "m", input_tokens: 1, output_tokens: 2 };
  assertEquals(unpricedWarning({ ...usage, cost_usd: 0 }), undefined);
  assertEquals(unpricedWarning({ ...usage, cost_usd: null }), {
    level: "warning",
    provider: "google",
    model: "m",
    message: "Model 'm' (google) has no price: tokens are recorded, cost_usd is null",
  });
});
