/**
 * @module
 * Thinking in the stand-in's answers: a `thinking` block (streamed as `content_block_start`,
 * `thinking_delta`s, one `signature_delta`, `content_block_stop`) or a `redacted_thinking`
 * block (one opaque `data` string), placed before the other content as the API does. It wraps
 * any answer's events or message, shifting their block indexes, so scripts need not know.
 */
import type Anthropic from "@anthropic-ai/sdk";
import { instructionInPrompt } from "./coding_script.ts";
import { estimateTokens, lastUserText, type MessagesRequest } from "./messages_request.ts";
import type { WireEvent } from "./stream_events.ts";

/** How the stand-in thinks: readable (summarized) thinking, redacted, or not at all. */
export type ThinkingMode = "summarized" | "redacted" | "none";

export type Thinking =
  | { kind: "summarized"; text: string; signature: string }
  | { kind: "redacted"; data: string };

/** Opening words of every readable thinking text, so a test can look for leaks. */
export const THINKING_PREFIX = "Thinking it over (stand-in):";

function opaque(seed: string): string {
  // Looks like the API's opaque base64 values; only needs to be stable per request.
  return btoa(`standin:${seed}`.padEnd(48, "~")).replaceAll("=", "");
}

/** The thinking an answer to `body` starts with, or undefined. */
export function thinkingFor(body: MessagesRequest, mode: ThinkingMode): Thinking | undefined {
  if (mode === "none") return undefined;
  const instruction = instructionInPrompt(lastUserText(body)).slice(0, 200);
  if (mode === "redacted") return { kind: "redacted", data: opaque(instruction) };
  return {
    kind: "summarized",
    text:
      `${THINKING_PREFIX} the request asks "${instruction}". The first file shown is the most relevant; a small diff with three lines of context around the change will apply cleanly.`,
    signature: opaque(`sig:${instruction}`),
  };
}

/** Output tokens the thinking costs (the API counts them in `output_tokens`). */
export function thinkingTokens(thinking: Thinking | undefined): number {
  if (!thinking) return 0;
  return estimateTokens(thinking.kind === "summarized" ? thinking.text : thinking.data);
}

function block(thinking: Thinking): Anthropic.Messages.ContentBlock {
  return thinking.kind === "summarized"
    ? { type: "thinking", thinking: thinking.text, signature: thinking.signature }
    : { type: "redacted_thinking", data: thinking.data };
}

/** A non-streamed message with the thinking block first. */
export function withThinkingContent(
  message: Anthropic.Messages.Message,
  thinking: Thinking | undefined,
): Anthropic.Messages.Message {
  if (!thinking) return message;
  return { ...message, content: [block(thinking), ...message.content] };
}

/** The thinking block's own events, at `index`. */
function thinkingEvents(thinking: Thinking, index: number, chunkChars: number): WireEvent[] {
  if (thinking.kind === "redacted") {
    return [
      { type: "content_block_start", index, content_block: block(thinking) },
      { type: "content_block_stop", index },
    ];
  }
  const chunks = thinking.text.match(new RegExp(`[\\s\\S]{1,${chunkChars}}`, "g")) ?? [];
  return [
    {
      type: "content_block_start",
      index,
      content_block: { type: "thinking", thinking: "", signature: "" },
    },
    ...chunks.map((text): WireEvent => ({
      type: "content_block_delta",
      index,
      delta: { type: "thinking_delta", thinking: text },
    })),
    {
      type: "content_block_delta",
      index,
      delta: { type: "signature_delta", signature: thinking.signature },
    },
    { type: "content_block_stop", index },
  ];
}

/** A streamed answer's events with the thinking block first and the others one index later. */
export function withThinkingEvents(
  events: readonly WireEvent[],
  thinking: Thinking | undefined,
  chunkChars = 40,
): WireEvent[] {
  if (!thinking) return [...events];
  const shifted = events.map((e): WireEvent =>
    e.type === "content_block_start" || e.type === "content_block_delta" ||
      e.type === "content_block_stop"
      ? { ...e, index: e.index + 1 }
      : e
  );
  const at = shifted.findIndex((e) => e.type === "message_start") + 1;
  return [
    ...shifted.slice(0, at),
    ...thinkingEvents(thinking, 0, chunkChars),
    ...shifted.slice(at),
  ];
}
