/**
 * @module
 * The stand-in's answers to a forced tool call (`tool_choice` of type `tool`, or `any`): a
 * `tool_use` block with `stop_reason: "tool_use"`, as JSON or streamed the way the API streams
 * it (`content_block_start` with an empty `input`, then `input_json_delta` events whose
 * `partial_json` pieces join into the input, then `content_block_stop`). The input comes from a
 * script of the request, or by default from the tool's own input schema (the first enum value,
 * the user's words for strings, as few array items as allowed) so that it always validates.
 */
import type Anthropic from "@anthropic-ai/sdk";
import { z } from "zod";
import { estimateTokens, lastUserText, type MessagesRequest } from "./messages_request.ts";
import type { InputAccount } from "./prompt_cache.ts";
import { sseFrame, type WireEvent } from "./stream_events.ts";

const Tool = z.looseObject({
  name: z.string().min(1),
  input_schema: z.looseObject({ type: z.literal("object") }),
});
const ToolRequest = z.looseObject({
  tools: z.array(z.looseObject({})).optional(),
  tool_choice: z.looseObject({
    type: z.enum(["auto", "any", "tool", "none"]),
    name: z.string().optional(),
  }).optional(),
});

export type ToolDefinition = z.infer<typeof Tool>;
/** Chooses the tool input for a request (the stand-in's "model"). */
export type ToolScript = (request: MessagesRequest, tool: ToolDefinition) => unknown;

/** The tool a request forces, when it forces one; a 400 message when the choice is invalid. */
export function forcedTool(
  request: MessagesRequest,
): { tool: ToolDefinition } | { error: string } | null {
  const parsed = ToolRequest.safeParse(request);
  if (!parsed.success) return { error: `tool_choice: ${parsed.error.issues[0]!.message}` };
  const choice = parsed.data.tool_choice;
  if (!choice || (choice.type !== "tool" && choice.type !== "any")) return null;
  const tools: ToolDefinition[] = [];
  for (const [i, t] of (parsed.data.tools ?? []).entries()) {
    const tool = Tool.safeParse(t);
    if (!tool.success) {
      const issue = tool.error.issues[0]!;
      return { error: `tools.${i}.${issue.path.join(".")}: ${issue.message}` };
    }
    tools.push(tool.data);
  }
  const tool = choice.type === "tool" ? tools.find((t) => t.name === choice.name) : tools[0];
  if (!tool) {
    return { error: `tool_choice: tool ${JSON.stringify(choice.name ?? "")} is not in tools` };
  }
  return { tool };
}

type Schema = {
  type?: string;
  enum?: unknown[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  minItems?: number;
};

/** A minimal value that validates against `schema`, strings filled with `text`. */
export function exampleInput(schema: Schema, text: string): unknown {
  if (schema.enum?.length) return schema.enum[0];
  switch (schema.type) {
    case "object": {
      const out: Record<string, unknown> = {};
      for (const key of schema.required ?? Object.keys(schema.properties ?? {})) {
        out[key] = exampleInput(schema.properties?.[key] ?? {}, text);
      }
      return out;
    }
    case "array":
      // As few items as the schema allows: a stand-in cannot understand the request.
      return schema.items
        ? Array.from({ length: schema.minItems ?? 0 }, () => exampleInput(schema.items!, text))
        : [];
    case "integer":
    case "number":
      return 0;
    case "boolean":
      return false;
    default:
      return text;
  }
}

export interface ToolAnswer {
  id: string;
  model: string;
  tool: string;
  input: unknown;
  account: InputAccount;
  output_tokens: number;
}

function usage(a: ToolAnswer, outputTokens: number): Anthropic.Messages.Usage {
  return {
    input_tokens: a.account.input_tokens,
    output_tokens: outputTokens,
    cache_creation_input_tokens: a.account.cache_creation_input_tokens,
    cache_read_input_tokens: a.account.cache_read_input_tokens,
    cache_creation: {
      ephemeral_5m_input_tokens: a.account.cache_creation_input_tokens,
      ephemeral_1h_input_tokens: 0,
    },
    inference_geo: null,
    output_tokens_details: null,
    server_tool_use: null,
    service_tier: "standard",
    speed: null,
  };
}

function toolUseId(answerId: string): string {
  return `toolu_${answerId.slice(-20)}`;
}

function message(a: ToolAnswer, content: Anthropic.Messages.ContentBlock[], final: boolean) {
  const m: Anthropic.Messages.Message = {
    id: a.id,
    type: "message",
    role: "assistant",
    model: a.model,
    content,
    container: null,
    diagnostics: null,
    stop_details: null,
    stop_reason: final ? "tool_use" : null,
    stop_sequence: null,
    usage: usage(a, final ? a.output_tokens : 1),
  };
  return m;
}

function block(a: ToolAnswer, input: unknown): Anthropic.Messages.ToolUseBlock {
  return { type: "tool_use", id: toolUseId(a.id), name: a.tool, input, caller: { type: "direct" } };
}

/** The non-streaming answer: one complete `tool_use` block. */
export function toolUseMessage(a: ToolAnswer): Anthropic.Messages.Message {
  return message(a, [block(a, a.input)], true);
}

/** The streamed answer's events: the input JSON cut into `input_json_delta` pieces. */
export function toolUseStreamEvents(a: ToolAnswer, chunkChars = 40): WireEvent[] {
  const json = JSON.stringify(a.input);
  const pieces = json.match(new RegExp(`[\\s\\S]{1,${chunkChars}}`, "g")) ?? [];
  return [
    { type: "message_start", message: message(a, [], false) },
    { type: "content_block_start", index: 0, content_block: block(a, {}) },
    { type: "ping" },
    // The API opens a tool input with an empty piece before the JSON itself.
    ...["", ...pieces].map((partial_json): WireEvent => ({
      type: "content_block_delta",
      index: 0,
      delta: { type: "input_json_delta", partial_json },
    })),
    { type: "content_block_stop", index: 0 },
    {
      type: "message_delta",
      delta: { container: null, stop_details: null, stop_reason: "tool_use", stop_sequence: null },
      usage: {
        input_tokens: a.account.input_tokens,
        cache_creation_input_tokens: a.account.cache_creation_input_tokens,
        cache_read_input_tokens: a.account.cache_read_input_tokens,
        output_tokens: a.output_tokens,
        output_tokens_details: null,
        server_tool_use: null,
      },
    },
    { type: "message_stop" },
  ];
}

/** The stand-in's HTTP answer to a forced tool call, streamed when the request asks. */
export function toolUseResponse(
  request: MessagesRequest,
  tool: ToolDefinition,
  account: InputAccount,
  options: { script?: ToolScript | undefined; chunkChars?: number; id: string },
): { response: Response; answer: ToolAnswer } {
  const input = options.script
    ? options.script(request, tool)
    : exampleInput(tool.input_schema as Schema, lastUserText(request));
  const answer: ToolAnswer = {
    id: options.id,
    model: request.model,
    tool: tool.name,
    input,
    account,
    output_tokens: estimateTokens(JSON.stringify(input)),
  };
  if (!request.stream) {
    return {
      answer,
      response: Response.json(toolUseMessage(answer), { headers: { "request-id": answer.id } }),
    };
  }
  const body = toolUseStreamEvents(answer, options.chunkChars).map(sseFrame).join("");
  return {
    answer,
    response: new Response(body, {
      headers: {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-cache",
        "request-id": answer.id,
      },
    }),
  };
}
