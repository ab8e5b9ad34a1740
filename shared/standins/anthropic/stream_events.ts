/**
 * @module
 * The stand-in's wire shapes, typed with `@anthropic-ai/sdk`'s own types so that a change in the
 * API's published shapes fails `deno check` here: the `Message` JSON, the SSE event sequence of a
 * streamed answer, and the error body.
 */
import type Anthropic from "@anthropic-ai/sdk";
import type { InputAccount } from "./prompt_cache.ts";

type Message = Anthropic.Messages.Message;
type Usage = Anthropic.Messages.Usage;
type StopReason = Anthropic.Messages.StopReason;
export type ErrorType = Anthropic.ErrorResponse["error"]["type"];

/** An event on the wire: the SDK's stream events plus the two it handles itself. */
export type WireEvent =
  | Anthropic.Messages.RawMessageStreamEvent
  | { type: "ping" }
  | { type: "error"; error: Anthropic.ErrorResponse["error"] };

export interface Answer {
  id: string;
  model: string;
  text: string;
  input: InputAccount;
  output_tokens: number;
  stop_reason: StopReason;
}

function usage(input: InputAccount, outputTokens: number): Usage {
  return {
    input_tokens: input.input_tokens,
    output_tokens: outputTokens,
    cache_creation_input_tokens: input.cache_creation_input_tokens,
    cache_read_input_tokens: input.cache_read_input_tokens,
    cache_creation: {
      ephemeral_5m_input_tokens: input.cache_creation_input_tokens,
      ephemeral_1h_input_tokens: 0,
    },
    inference_geo: null,
    output_tokens_details: null,
    server_tool_use: null,
    service_tier: "standard",
    speed: null,
  };
}

function message(a: Answer, content: Message["content"], final: boolean): Message {
  return {
    id: a.id,
    type: "message",
    role: "assistant",
    model: a.model,
    content,
    container: null,
    diagnostics: null,
    stop_details: null,
    stop_reason: final ? a.stop_reason : null,
    stop_sequence: null,
    // The API reports one output token at the start and the running total in message_delta.
    usage: usage(a.input, final ? a.output_tokens : 1),
  };
}

/** The non-streaming answer. */
export function messageJson(a: Answer): Message {
  return message(a, [{ type: "text", text: a.text, citations: null }], true);
}

/** The events of a streamed answer, `text` cut into deltas of `chunkChars`. */
export function streamEvents(a: Answer, chunkChars = 40): WireEvent[] {
  const chunks = a.text.match(new RegExp(`[\\s\\S]{1,${chunkChars}}`, "g")) ?? [];
  return [
    { type: "message_start", message: message(a, [], false) },
    {
      type: "content_block_start",
      index: 0,
      content_block: { type: "text", text: "", citations: null },
    },
    { type: "ping" },
    ...chunks.map((text): WireEvent => ({
      type: "content_block_delta",
      index: 0,
      delta: { type: "text_delta", text },
    })),
    { type: "content_block_stop", index: 0 },
    {
      type: "message_delta",
      delta: {
        container: null,
        stop_details: null,
        stop_reason: a.stop_reason,
        stop_sequence: null,
      },
      usage: {
        input_tokens: a.input.input_tokens,
        cache_creation_input_tokens: a.input.cache_creation_input_tokens,
        cache_read_input_tokens: a.input.cache_read_input_tokens,
        output_tokens: a.output_tokens,
        output_tokens_details: null,
        server_tool_use: null,
      },
    },
    { type: "message_stop" },
  ];
}

/** One server-sent event, named like its `type` as the API does. */
export function sseFrame(event: WireEvent): string {
  return `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

/** The error type the API uses for an HTTP status. */
export function errorTypeFor(status: number): ErrorType {
  const types: Record<number, ErrorType> = {
    400: "invalid_request_error",
    401: "authentication_error",
    402: "billing_error",
    403: "permission_error",
    404: "not_found_error",
    429: "rate_limit_error",
    504: "timeout_error",
    529: "overloaded_error",
  };
  return types[status] ?? "api_error";
}

/** The API's error object of `type`. */
export function errorObject(type: ErrorType, message: string): Anthropic.ErrorResponse["error"] {
  // Each member of the SDK's union fixes its own `type`; the cast picks the member by it.
  return { type, message } as Anthropic.ErrorResponse["error"];
}

/** The API's error body for an HTTP status. */
export function errorBody(
  status: number,
  message: string,
  requestId: string,
): Anthropic.ErrorResponse {
  return {
    type: "error",
    error: errorObject(errorTypeFor(status), message),
    request_id: requestId,
  };
}
