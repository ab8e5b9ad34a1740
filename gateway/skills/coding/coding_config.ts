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
  max_tokens: z.number().int().positive(),
  max_context_chars: z.number().int().positive(),
  /** `messages` (the Messages API, default) or `claude-cli` (Claude Code's CLI). */
  backend: z.enum(["messages", "claude-cli"]).default("messages"),
});
export type CodingConfig = z.infer<typeof CodingConfig>;

/** Environment variables the Anthropic SDK reads at construction (none is a secret). */
export const SDK_ENV_READS = [
  "ANTHROPIC_CUSTOM_HEADERS",
  "ANTHROPIC_LOG",
  "ANTHROPIC_OPEN_TELEMETRY",
  "ANTHROPIC_OPEN_TELEMETRY_PROPAGATION",
  "ANTHROPIC_OPEN_TELEMETRY_TRACES_CONTENT_MODE",
  "ANTHROPIC_OPEN_TELEMETRY_TRACES_MAX_CONTENT_BYTES",
];
