/**
 * @module
 * What the browser worker receives in its start message (it has no environment of its own).
 */
import { z } from "zod";

export const BrowserConfig = z.object({
  mode: z.enum(["model", "check"]),
  url: z.string().optional(),
  expect: z.string().optional(),
  api_key: z.string().optional(),
  base_url: z.string().optional(),
  model: z.string(),
  driver_url: z.string(),
  driver_token: z.string(),
  context_id: z.string(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  max_steps: z.number().int().positive(),
  /** How long a page may take to load. */
  page_timeout_ms: z.number().int().min(100).max(120_000).default(20_000),
});
export type BrowserConfig = z.infer<typeof BrowserConfig>;

/** Model coordinates (0–999) to viewport pixels. */
export function scale(value: unknown, size: number): number {
  const n = typeof value === "number" && Number.isFinite(value) ? value : 0;
  return Math.max(0, Math.min(size - 1, Math.round((Math.max(0, Math.min(999, n)) / 1000) * size)));
}
