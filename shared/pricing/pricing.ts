/**
 * @module
 * Model cost from an effective-dated price table kept as data (`prices.json`), shared by every
 * worker: the row for a model is the latest whose `valid_from` is not after the usage date.
 */
import { z } from "zod";
import type { Usage } from "../schemas/usage.ts";
import table from "./prices.json" with { type: "json" };

const Rates = {
  input_per_mtok: z.number().nonnegative(),
  output_per_mtok: z.number().nonnegative(),
  cache_write_per_mtok: z.number().nonnegative(),
  cache_read_per_mtok: z.number().nonnegative(),
};

const PriceRow = z.object({
  provider: z.string(),
  model: z.string(),
  valid_from: z.iso.date(),
  ...Rates,
  /**
   * Rates for a whole request whose prompt (input + cache read + cache write tokens) is above
   * `above_input_tokens`, as Anthropic and Google bill long prompts.
   */
  long_context: z.object({ above_input_tokens: z.number().int().positive(), ...Rates })
    .optional(),
});
export type PriceRow = z.infer<typeof PriceRow>;

const ROWS: PriceRow[] = z.object({ rows: z.array(PriceRow) }).parse(table).rows;

/** Thrown for a model the table has no price for (at that date). */
export class UnknownModelPriceError extends Error {
  override name = "UnknownModelPriceError";
}

export interface TokenCounts {
  provider: string;
  model: string;
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens?: number | undefined;
  cache_creation_input_tokens?: number | undefined;
}

/** The price row in force for `model` at `at`. Dated model ids fall back to their family. */
export function priceFor(
  provider: string,
  model: string,
  at: Date = new Date(),
  rows: readonly PriceRow[] = ROWS,
): PriceRow {
  const day = at.toISOString().slice(0, 10);
  const candidates = (name: string) =>
    rows.filter((r) => r.provider === provider && r.model === name && r.valid_from <= day)
      .sort((a, b) => (a.valid_from < b.valid_from ? 1 : -1));
  // "claude-sonnet-4-5-20250929" is priced as "claude-sonnet-4-5".
  const base = model.replace(/-\d{8}$/, "").replace(/-latest$/, "");
  const row = candidates(model)[0] ?? candidates(base)[0];
  if (!row) {
    throw new UnknownModelPriceError(
      `Cannot price model '${model}' of provider '${provider}' as the price table has no row for it on ${day}: add one to shared/pricing/prices.json`,
    );
  }
  return row;
}

/** Cost in USD, rounded to a billionth of a dollar. */
export function costUsd(u: TokenCounts, at: Date = new Date(), rows?: readonly PriceRow[]): number {
  const row = priceFor(u.provider, u.model, at, rows);
  const prompt = u.input_tokens + (u.cache_read_input_tokens ?? 0) +
    (u.cache_creation_input_tokens ?? 0);
  const p = row.long_context && prompt > row.long_context.above_input_tokens
    ? row.long_context
    : row;
  const cost = (u.input_tokens * p.input_per_mtok + u.output_tokens * p.output_per_mtok +
    (u.cache_read_input_tokens ?? 0) * p.cache_read_per_mtok +
    (u.cache_creation_input_tokens ?? 0) * p.cache_write_per_mtok) / 1_000_000;
  return Math.round(cost * 1e9) / 1e9;
}

/** Token counts with their cost, as a {@link Usage}. */
export function usageWithCost(u: TokenCounts, at: Date = new Date()): Usage {
  return {
    provider: u.provider,
    model: u.model,
    input_tokens: u.input_tokens,
    output_tokens: u.output_tokens,
    ...(u.cache_read_input_tokens !== undefined
      ? { cache_read_input_tokens: u.cache_read_input_tokens }
      : {}),
    ...(u.cache_creation_input_tokens !== undefined
      ? { cache_creation_input_tokens: u.cache_creation_input_tokens }
      : {}),
    cost_usd: costUsd(u, at),
  };
}
