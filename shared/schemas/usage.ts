/**
 * @module
 * Token usage and cost of one model call, one job, or an utterance's jobs summed.
 */
import { z } from "zod";

export const Usage = z.object({
  provider: z.string(),
  model: z.string(),
  input_tokens: z.number().int().nonnegative(),
  output_tokens: z.number().int().nonnegative(),
  cache_read_input_tokens: z.number().int().nonnegative().optional(),
  cache_creation_input_tokens: z.number().int().nonnegative().optional(),
  cost_usd: z.number().nonnegative(),
});
export type Usage = z.infer<typeof Usage>;

/** Sum of usages; `provider`/`model` become "mixed" when they differ. */
export function sumUsage(usages: readonly Usage[]): Usage | undefined {
  if (usages.length === 0) return undefined;
  const first = usages[0]!;
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
    total.cost_usd += u.cost_usd;
  }
  total.cost_usd = Math.round(total.cost_usd * 1e9) / 1e9;
  return total;
}
