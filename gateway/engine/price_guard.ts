/**
 * @module
 * What the engine does about a model without a price. Such a job runs: its tokens are
 * recorded, its cost is `null` and the trace gets a `usage.unpriced` warning. Only a budget
 * that needs a price (`--max-cost-usd`, `--max-cost-usd-per-utterance`) refuses it, at its
 * start, before any token is paid for. Pure.
 */
import { findPrice } from "@shared/pricing/pricing.ts";
import type { Usage } from "@shared/schemas/mod.ts";
import { UnrecoverableError } from "../skill_kit/worker_errors.ts";

/** The model a job will be billed for, as its skill declares it. */
export interface PricedModel {
  provider: string;
  model: string;
}

export interface Budgets {
  perJob?: number | undefined;
  perUtterance?: number | undefined;
}

/**
 * Throws `unpriced_model` when a budget is set and the job's model has no price at `at`;
 * returns quietly when no budget is set, the model is priced, or the skill declares none.
 */
export function requirePriceForBudgets(
  priced: PricedModel | undefined,
  budgets: Budgets,
  at: Date = new Date(),
): void {
  if (!priced) return;
  const flags = [
    ...(budgets.perJob !== undefined ? ["--max-cost-usd"] : []),
    ...(budgets.perUtterance !== undefined ? ["--max-cost-usd-per-utterance"] : []),
  ];
  if (flags.length === 0 || findPrice(priced.provider, priced.model, at)) return;
  const named = flags.join(" and ");
  throw new UnrecoverableError(
    "unpriced_model",
    `Model '${priced.model}' (${priced.provider}) has no price on ${
      at.toISOString().slice(0, 10)
    }, so the budget set by ${named} cannot be enforced: add its price to shared/pricing/prices.json or run without ${named}`,
  );
}

/** The `usage.unpriced` trace data for a usage without a cost, or undefined when priced. */
export function unpricedWarning(usage: Usage): Record<string, string> | undefined {
  if (usage.cost_usd !== null) return undefined;
  return {
    level: "warning",
    provider: usage.provider,
    model: usage.model,
    message:
      `Model '${usage.model}' (${usage.provider}) has no price: tokens are recorded, cost_usd is null`,
  };
}
