/**
 * @module
 * What the browser worker receives in its start message (it has no environment of its own),
 * and the scaling of the model's coordinates.
 */
import { z } from "zod";

export const BrowserConfig = z.object({
  mode: z.enum(["model", "check"]),
  /** Check mode: the page to check. Model mode: where the browser starts (else about:blank). */
  url: z.string().optional(),
  /** Check mode: text the page must show, or a CSS selector that must match. */
  expect: z.string().optional(),
  api_key: z.string().optional(),
  base_url: z.string().optional(),
  model: z.string(),
  driver_url: z.string(),
  driver_token: z.string(),
  context_id: z.string(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  /** Model turns before the job ends with `turn_limit`. */
  max_turns: z.number().int().positive(),
  /** Time the model loop may take (confirmation waits not counted) before `time_limit`. */
  max_duration_ms: z.number().int().positive().default(240_000),
  /** How long a page may take to load. */
  page_timeout_ms: z.number().int().min(100).max(120_000).default(20_000),
  /** Where the `search` action goes. */
  search_url: z.string().default("https://www.google.com/"),
});
export type BrowserConfig = z.infer<typeof BrowserConfig>;

/**
 * Model coordinates (0–999) to viewport pixels, as the Computer Use documentation does it
 * (`x / 1000 * width`), clamped inside the viewport.
 */
export function scale(value: number, size: number): number {
  const n = Number.isFinite(value) ? value : 0;
  return Math.max(0, Math.min(size - 1, Math.round((Math.max(0, Math.min(999, n)) / 1000) * size)));
}
