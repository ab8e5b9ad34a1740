/**
 * @module
 * Token usage and cost of one model call, one job, or an utterance's jobs summed. `cost_usd` is
 * `null` for a model the price table has no row for ("unpriced"): its tokens still count.
 */
import { z } from "zod";

export const Usage = z.object({
  provider: z.string(),
  model: z.string(),
  input_tokens: z.number().int().nonnegative(),
  output_tokens: z.number().int().nonnegative(),
  cache_read_input_tokens: z.number().int().nonnegative().optional(),
  cache_creation_input_tokens: z.number().int().nonnegative().optional(),
  /** `null` when unpriced (the model has no price): unknown, not zero. */
  cost_usd: z.number().nonnegative().nullable(),
});
export type Usage = z.infer<typeof Usage>;

/**
 * Sum of usages; `provider`/`model` become "mixed" when they differ. The cost is `null` when
 * any part is unpriced, since the total is then unknown.
 */
export function sumUsage(usages: readonly Usage[]): Usage | undefined {
  if (usages.length === 0) return undefined;
  const first = usages[0]!;
  let cost: number | null = 0;
  const total: Usage = {
    provider: first.provider,
    model: first.model,
    input_tokens: 0,
    output_tokens: 0,
    cache_read_input_tokens: 0,
    cache_creation_input_tokens: 0,
    cost_usd: 0,
  };
  for (const u of usages) {
    if (u.provider !== total.provider) total.provider = "mixed";
    if (u.model !== total.model) total.model = "mixed";
    total.input_tokens += u.input_tokens;
    total.output_tokens += u.output_tokens;
    total.cache_read_input_tokens! += u.cache_read_input_tokens ?? 0;
    total.cache_creation_input_tokens! += u.cache_creation_input_tokens ?? 0;
    cost = cost === null || u.cost_usd === null ? null : cost + u.cost_usd;
  }
  total.cost_usd = cost === null ? null : Math.round(cost * 1e9) / 1e9;
  return total;
}
