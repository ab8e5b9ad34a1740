/**
 * @module
 * Fits a request to the per-job cost budget before it is sent: the prompt's estimated input
 * cost is taken off the budget and `max_tokens` is lowered so the answer cannot cost more than
 * what is left. The engine still stops a job whose reported usage goes over (the estimate is
 * only an estimate); this keeps a job from starting a call it could not pay for.
 */
import type { PriceRow } from "@shared/pricing/pricing.ts";

/** Characters per token assumed for the estimate (source code runs a little under four). */
export const CHARS_PER_TOKEN = 3.5;

/** Thrown when the budget cannot pay for the prompt and a useful answer. */
export class OutputBudgetError extends Error {
  override name = "OutputBudgetError";
}

export interface OutputBudgetInput {
  promptChars: number;
  /** The configured answer limit. */
  maxTokens: number;
  /** Per-job budget in USD; none means no cap. */
  budgetUsd?: number | undefined;
  price: PriceRow;
  /** Fewer output tokens than this cannot hold a patch. @default 256 */
  minOutputTokens?: number;
}

export interface OutputBudget {
  max_tokens: number;
  input_tokens_estimate: number;
  input_usd_estimate: number;
}

export function outputBudget(o: OutputBudgetInput): OutputBudget {
  const inputTokens = Math.ceil(o.promptChars / CHARS_PER_TOKEN);
  const inputUsd = (inputTokens * o.price.input_per_mtok) / 1_000_000;
  const estimate = { input_tokens_estimate: inputTokens, input_usd_estimate: inputUsd };
  if (o.budgetUsd === undefined) return { max_tokens: o.maxTokens, ...estimate };
  const left = o.budgetUsd - inputUsd;
  const affordable = o.price.output_per_mtok > 0
    ? Math.floor((left * 1_000_000) / o.price.output_per_mtok)
    : o.maxTokens;
  const min = o.minOutputTokens ?? 256;
  if (affordable < Math.min(min, o.maxTokens)) {
    throw new OutputBudgetError(
      `Cannot ask ${o.price.model} as the per-job budget of $${
        o.budgetUsd.toFixed(4)
      } (--max-cost-usd) leaves ${
        Math.max(0, affordable)
      } output tokens after a prompt of about ${inputTokens} tokens ($${
        inputUsd.toFixed(4)
      }): at least ${Math.min(min, o.maxTokens)} are needed`,
    );
  }
  return { max_tokens: Math.min(o.maxTokens, affordable), ...estimate };
}
