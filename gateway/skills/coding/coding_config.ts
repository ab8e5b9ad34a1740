/**
 * @module
 * What the coding worker receives in its start message (it has no environment of its own).
 */
import { z } from "zod";

export const CodingConfig = z.object({
  api_key: z.string().min(1),
  base_url: z.string().url(),
  model: z.string().min(1),
  workspace: z.string().min(1),
  files: z.array(z.string()),
  /** The commit the file list and the patch check are taken from. */
  base_commit: z.string().optional(),
  max_tokens: z.number().int().positive(),
  max_context_chars: z.number().int().positive(),
  /** Per-job budget (`--max-cost-usd`): `max_tokens` is lowered to what it can pay for. */
  max_cost_usd: z.number().positive().optional(),
  /** `messages` (the Messages API, default) or `claude-cli` (Claude Code's CLI). */
  backend: z.enum(["messages", "claude-cli"]).default("messages"),
  /** The only environment the `claude-cli` child gets (HOME, PATH); the worker has none. */
  cli_env: z.record(z.string(), z.string()).default({}),
});
export type CodingConfig = z.infer<typeof CodingConfig>;

/**
 * Gives the SDK an empty `process.env` inside the worker. The worker runs with `env: false`,
 * and `@anthropic-ai/sdk` reads a few variables (`ANTHROPIC_CUSTOM_HEADERS`, `ANTHROPIC_LOG`,
 * tracing switches) at construction whatever options it is given; each read would throw
 * `NotCapable`. Everything the client needs comes from the job config instead.
 */
export function emptySdkEnv(): void {
  const proc = (globalThis as { process?: object }).process;
  if (proc) Object.defineProperty(proc, "env", { value: {}, configurable: true, writable: true });
}
