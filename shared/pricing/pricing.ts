/**
 * @module
 * Model cost from an effective-dated price table kept as data (`prices.json`), shared by every
 * worker: the row for a model is the latest whose `valid_from` is not after the usage date. A
 * model the table has no row for is "unpriced": its cost is `null`, never an error, so a new
 * model name never fails a job; only a budget guard that needs a price refuses it.
 */
import { z } from "zod";
import type { Usage } from "../schemas/usage.ts";
import table from "./prices.json" with { type: "json" };

const Rates = {
  input_per_mtok: z.number().nonnegative(),
  output_per_mtok: z.number().nonnegative(),
  /** Cache writes with the default 5-minute lifetime. */
  cache_write_per_mtok: z.number().nonnegative(),
  /** Cache writes with a 1-hour lifetime; twice the input rate when a row does not say. */
  cache_write_1h_per_mtok: z.number().nonnegative().optional(),
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

/** Thrown by {@link priceFor} for a model the table has no price for (at that date). */
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
  /** The API's split of cache writes by lifetime, when it reports one. */
  cache_creation?:
    | {
      ephemeral_5m_input_tokens?: number | null | undefined;
      ephemeral_1h_input_tokens?: number | null | undefined;
    }
    | null
    | undefined;
}

/** The price row in force for `model` at `at`, or undefined. Dated ids fall back to their family. */
export function findPrice(
  provider: string,
  model: string,
  at: Date = new Date(),
  rows: readonly PriceRow[] = ROWS,
): PriceRow | undefined {
  const day = at.toISOString().slice(0, 10);
  const candidates = (name: string) =>
    rows.filter((r) => r.provider === provider && r.model === name && r.valid_from <= day)
      .sort((a, b) => (a.valid_from < b.valid_from ? 1 : -1));
  // "claude-sonnet-4-5-20250929" is priced as "claude-sonnet-4-5".
  const base = model.replace(/-\d{8}$/, "").replace(/-latest$/, "");
  return candidates(model)[0] ?? candidates(base)[0];
}

/** The price row in force for `model` at `at`; throws {@link UnknownModelPriceError} if none. */
export function priceFor(
  provider: string,
  model: string,
  at: Date = new Date(),
  rows: readonly PriceRow[] = ROWS,
): PriceRow {
  const row = findPrice(provider, model, at, rows);
  if (!row) {
    throw new UnknownModelPriceError(
      `Cannot price model '${model}' of provider '${provider}' as the price table has no row for it on ${
        at.toISOString().slice(0, 10)
      }: add one to shared/pricing/prices.json`,
    );
  }
  return row;
}

/** Cache-write tokens by lifetime: the API's split when given, else all at the 5-minute rate. */
function cacheWrites(u: TokenCounts): { m5: number; h1: number } {
  const total = u.cache_creation_input_tokens ?? 0;
  const h1 = Math.min(total, u.cache_creation?.ephemeral_1h_input_tokens ?? 0);
  return { m5: total - h1, h1 };
}

/**
 * Cost in USD, rounded to a billionth of a dollar; `null` when the model has no price at `at`
 * (the tokens still count, the cost is unknown rather than zero).
 */
export function costUsd(
  u: TokenCounts,
  at: Date = new Date(),
  rows?: readonly PriceRow[],
): number | null {
  const row = findPrice(u.provider, u.model, at, rows);
  if (!row) return null;
  const prompt = u.input_tokens + (u.cache_read_input_tokens ?? 0) +
    (u.cache_creation_input_tokens ?? 0);
  const p = row.long_context && prompt > row.long_context.above_input_tokens
    ? row.long_context
    : row;
  const writes = cacheWrites(u);
  // Anthropic bills 1-hour cache writes at twice the base input rate.
  const write1h = p.cache_write_1h_per_mtok ?? 2 * p.input_per_mtok;
  const cost = (u.input_tokens * p.input_per_mtok + u.output_tokens * p.output_per_mtok +
    (u.cache_read_input_tokens ?? 0) * p.cache_read_per_mtok +
    writes.m5 * p.cache_write_per_mtok + writes.h1 * write1h) / 1_000_000;
  return Math.round(cost * 1e9) / 1e9;
}

/** Token counts with their cost (`null` when unpriced), as a {@link Usage}. */
export function usageWithCost(
  u: TokenCounts,
  at: Date = new Date(),
  rows?: readonly PriceRow[],
): Usage {
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
    cost_usd: costUsd(u, at, rows),
  };
}

/** Share of the prompt read from the cache (0 to 1), or undefined for an empty prompt. */
export function cacheReadShare(
  u: Pick<Usage, "input_tokens" | "cache_read_input_tokens" | "cache_creation_input_tokens">,
): number | undefined {
  const read = u.cache_read_input_tokens ?? 0;
  const prompt = u.input_tokens + read + (u.cache_creation_input_tokens ?? 0);
  return prompt === 0 ? undefined : Math.round((read / prompt) * 1e4) / 1e4;
}
