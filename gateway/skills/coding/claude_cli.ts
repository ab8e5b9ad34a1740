/**
 * @module
 * Optional backend: Claude Code's CLI (`claude -p --output-format stream-json`), selected per
 * job with `params.backend: "claude-cli"` when `claude` is installed. Its stream is parsed here
 * (pure) into the same result and usage the Messages API backend gives.
 */
import { z } from "zod";

const ResultEvent = z.looseObject({
  type: z.literal("result"),
  subtype: z.string(),
  is_error: z.boolean().optional(),
  result: z.string().optional(),
  num_turns: z.number().optional(),
  duration_ms: z.number().optional(),
  total_cost_usd: z.number().optional(),
  usage: z.looseObject({
    input_tokens: z.number().optional(),
    output_tokens: z.number().optional(),
    cache_read_input_tokens: z.number().optional(),
    cache_creation_input_tokens: z.number().optional(),
  }).optional(),
});

const InitEvent = z.looseObject({
  type: z.literal("system"),
  subtype: z.literal("init"),
  model: z.string().optional(),
});
const AssistantEvent = z.looseObject({
  type: z.literal("assistant"),
  message: z.looseObject({
    content: z.array(z.looseObject({ type: z.string(), text: z.string().optional() })),
  }),
});

export interface CliOutcome {
  text: string;
  model: string;
  turns: number;
  duration_ms: number;
  cost_usd: number;
  usage: {
    input_tokens: number;
    output_tokens: number;
    cache_read_input_tokens: number;
    cache_creation_input_tokens: number;
  };
  error?: string;
}

export class ClaudeCliStreamError extends Error {
  override name = "ClaudeCliStreamError";
}

/** Parses a complete stream-json transcript (one JSON object per line). */
export function parseClaudeStream(stream: string, fallbackModel = "claude-cli"): CliOutcome {
  let model = fallbackModel;
  const texts: string[] = [];
  let result: z.infer<typeof ResultEvent> | undefined;
  for (const [n, line] of stream.split("\n").entries()) {
    if (!line.trim()) continue;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      throw new ClaudeCliStreamError(
        `line ${n + 1} of the claude stream is not JSON: ${line.slice(0, 80)}`,
      );
    }
    const init = InitEvent.safeParse(json);
    if (init.success && init.data.model) model = init.data.model;
    const assistant = AssistantEvent.safeParse(json);
    if (assistant.success) {
      for (const b of assistant.data.message.content) {
        if (b.type === "text" && b.text) texts.push(b.text);
      }
    }
    const r = ResultEvent.safeParse(json);
    if (r.success) result = r.data;
  }
  if (!result) throw new ClaudeCliStreamError("the claude stream ended without a result event");
  const u = result.usage ?? {};
  return {
    text: result.result ?? texts.join("\n"),
    model,
    turns: result.num_turns ?? 0,
    duration_ms: result.duration_ms ?? 0,
    cost_usd: result.total_cost_usd ?? 0,
    usage: {
      input_tokens: u.input_tokens ?? 0,
      output_tokens: u.output_tokens ?? 0,
      cache_read_input_tokens: u.cache_read_input_tokens ?? 0,
      cache_creation_input_tokens: u.cache_creation_input_tokens ?? 0,
    },
    ...(result.is_error || result.subtype !== "success"
      ? { error: `claude ended with '${result.subtype}'` }
      : {}),
  };
}
