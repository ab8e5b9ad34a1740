/**
 * @module
 * A local STAND-IN for the Anthropic Messages API (`POST /v1/messages`), for tests and the
 * offline demo. It speaks the API's wire protocol: a JSON `Message`, or a server-sent event
 * stream (`message_start`, `content_block_start`, `ping`, `content_block_delta`,
 * `content_block_stop`, `message_delta` with cumulative usage, `message_stop`); the API's error
 * body and status codes; `x-api-key` or `Authorization: Bearer`; any `anthropic-version`;
 * prompt caching at `cache_control` breakpoints; `max_tokens` truncation; the Claude 5.x rules
 * (`generation_rules.ts`: 400 for non-default sampling parameters and manual thinking; thinking
 * blocks streamed before the text, `thinking_blocks.ts`). Replies come from a
 * script of the request (by default a real refactor diff of the most relevant file shown, see
 * `coding_script.ts`), and faults can be injected per request: an error status (with
 * `retry-after`), a delay, a slow stream, an `error` event mid-stream, or a connection dropped
 * mid-stream. Its wire shapes are typed with the SDK's own types (`stream_events.ts`).
 *
 * ```ts
 * const standin = await startAnthropicStandIn({ apiKey: "k" });
 * const client = new Anthropic({ apiKey: "k", baseURL: standin.url });
 * await standin.close();
 * ```
 */
import { codingAnswer } from "./coding_script.ts";
import {
  estimateTokens,
  lastUserText,
  MessagesRequest,
  promptSegments,
  requestErrorMessage,
} from "./messages_request.ts";
import { type InputAccount, PromptCache } from "./prompt_cache.ts";
import { generationRefusal, thinks } from "./generation_rules.ts";
import {
  thinkingFor,
  type ThinkingMode,
  thinkingTokens,
  withThinkingContent,
  withThinkingEvents,
} from "./thinking_blocks.ts";
import { forcedTool, type ToolScript, toolUseResponse } from "./tool_use_answers.ts";
import {
  type Answer,
  errorBody,
  errorObject,
  type ErrorType,
  messageJson,
  sseFrame,
  streamEvents,
} from "./stream_events.ts";

export { filesInRequest } from "./coding_script.ts";
export { lastUserText, MessagesRequest } from "./messages_request.ts";

/** What can go wrong on purpose: one fault per request, in order. */
export type AnthropicFault =
  /** Answer with this status and the API's error body (`retryAfterS` sets `retry-after`). */
  | {
    kind: "status";
    status: 400 | 401 | 403 | 404 | 429 | 500 | 503 | 529;
    retryAfterS?: number;
    message?: string;
  }
  /** Wait before answering; the next fault (if any) then applies to the same request. */
  | { kind: "delay"; ms: number }
  /** Cut the connection after `afterDeltas` text deltas (default: half of them). */
  | { kind: "drop"; afterDeltas?: number }
  /** Wait `msPerDelta` between text deltas. */
  | { kind: "slow"; msPerDelta: number }
  /** Send an `error` event after `afterDeltas` deltas and end the stream, as the API does. */
  | { kind: "stream_error"; errorType?: ErrorType; afterDeltas?: number };

export interface AnthropicStandInOptions {
  /** The key to accept (as `x-api-key` or a bearer token). Any non-empty key when omitted. */
  apiKey?: string;
  /** @default 0 (any free port) */
  port?: number;
  /** @default "127.0.0.1" */
  hostname?: string;
  /** The reply text for a request. @default {@link codingScript} */
  script?: (request: MessagesRequest) => string;
  /** The input of a forced tool call. @default a minimal input valid for the tool's schema */
  toolScript?: ToolScript;
  /** Consumed one per request, in order. */
  faults?: AnthropicFault[];
  /**
   * Fixed prompt-cache tokens to report in every answer, on top of the input estimate (as a
   * cached system prompt would). Without it, `cache_control` breakpoints are simulated.
   */
  cache?: { read_input_tokens?: number; creation_input_tokens?: number };
  /** Smallest cacheable prompt prefix, in tokens, for simulated caching. @default 1024 */
  cacheMinTokens?: number;
  /**
   * What a thinking model (5.x by default, older ones when asked) streams before its answer.
   * @default "summarized"
   */
  thinking?: ThinkingMode;
  /** Characters per text delta. @default 40 */
  chunkChars?: number;
  /** Where the stand-in's log lines go. @default console.error */
  log?: (line: string) => void;
}

/** Usage of one answer, as the stand-in reported it. */
export interface StandInUsage extends InputAccount {
  output_tokens: number;
}

export interface AnthropicStandIn {
  url: string;
  /** Bodies of the requests that passed authentication and validation, in order. */
  requests: MessagesRequest[];
  /** How each of those requests carried its key. */
  auth: ("x-api-key" | "bearer")[];
  /** Usage of each answer sent, in order. */
  usages: StandInUsage[];
  /** Faults still to come; push more at any time. */
  faults: AnthropicFault[];
  /** Streams the client closed before their end (a cancelled job aborting its request). */
  readonly cancelledStreams: number;
  close(): Promise<void>;
}

/** The default script: a refactor diff of the first (most relevant) file in the request. */
export function codingScript(request: MessagesRequest): string {
  return codingAnswer(lastUserText(request));
}

const STATUS_MESSAGES: Record<number, string> = {
  400: "Invalid request",
  401: "invalid x-api-key",
  403: "Your API key does not have permission to use the specified resource.",
  404: "The requested resource could not be found.",
  429: "Number of request tokens has exceeded your per-minute rate limit",
  500: "Internal server error",
  503: "Service unavailable",
  529: "Overloaded",
};

function requestId(): string {
  return `req_standin_${crypto.randomUUID().replaceAll("-", "").slice(0, 20)}`;
}

function errorResponse(status: number, message: string, headers: Record<string, string> = {}) {
  const id = requestId();
  return Response.json(errorBody(status, message, id), {
    status,
    headers: { "request-id": id, ...headers },
  });
}

/** Starts the stand-in on loopback; resolves once it listens. */
export function startAnthropicStandIn(
  options: AnthropicStandInOptions = {},
): Promise<AnthropicStandIn> {
  const log = options.log ?? ((line: string) => console.error(line));
  const requests: MessagesRequest[] = [];
  let cancelledStreams = 0;
  const auth: AnthropicStandIn["auth"] = [];
  const usages: StandInUsage[] = [];
  const faults = [...(options.faults ?? [])];
  const script = options.script ?? codingScript;
  const cache = new PromptCache(options.cacheMinTokens ?? 1024);
  const chunkChars = options.chunkChars ?? 40;
  const shutdown = new AbortController();
  const say = (line: string) => log(`[anthropic STAND-IN] ${line}`);

  const sleep = (ms: number, signal: AbortSignal) =>
    new Promise<void>((resolve) => {
      if (signal.aborted) return resolve();
      const timer = setTimeout(resolve, ms);
      signal.addEventListener("abort", () => {
        clearTimeout(timer);
        resolve();
      }, { once: true });
    });

  const account = (body: MessagesRequest): InputAccount => {
    const segments = promptSegments(body);
    if (!options.cache) return cache.account(body.model, segments);
    return {
      input_tokens: segments.reduce((sum, s) => sum + estimateTokens(s.text), 0),
      cache_read_input_tokens: options.cache.read_input_tokens ?? 0,
      cache_creation_input_tokens: options.cache.creation_input_tokens ?? 0,
    };
  };

  const handle = async (req: Request): Promise<Response> => {
    const url = new URL(req.url);
    if (url.pathname !== "/v1/messages") {
      return errorResponse(404, `Not found: ${req.method} ${url.pathname}`);
    }
    if (req.method !== "POST") {
      return errorResponse(405, `Method not allowed: ${req.method} ${url.pathname}`, {
        allow: "POST",
      });
    }
    const apiKeyHeader = req.headers.get("x-api-key");
    const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.get("authorization") ?? "")?.[1];
    const key = apiKeyHeader ?? bearer;
    if (!key || (options.apiKey !== undefined && key !== options.apiKey)) {
      return errorResponse(401, "invalid x-api-key");
    }
    if (!req.headers.get("anthropic-version")) {
      return errorResponse(400, "anthropic-version: header is required");
    }
    let json: unknown;
    try {
      json = await req.json();
    } catch {
      return errorResponse(400, "There was an issue with the request body: not valid JSON");
    }
    const parsed = MessagesRequest.safeParse(json);
    if (!parsed.success) return errorResponse(400, requestErrorMessage(parsed.error));
    const body = parsed.data;
    const refusal = generationRefusal(body);
    if (refusal) return errorResponse(400, refusal);
    requests.push(body);
    auth.push(apiKeyHeader ? "x-api-key" : "bearer");

    let fault = faults.shift();
    while (fault?.kind === "delay") {
      await sleep(fault.ms, shutdown.signal);
      fault = faults.shift();
    }
    if (fault?.kind === "status") {
      say(`answering ${fault.status} (injected fault)`);
      return errorResponse(
        fault.status,
        fault.message ?? STATUS_MESSAGES[fault.status]!,
        fault.retryAfterS === undefined ? {} : { "retry-after": String(fault.retryAfterS) },
      );
    }

    const forced = forcedTool(body);
    if (forced && "error" in forced) return errorResponse(400, forced.error);
    if (forced) {
      const { tool } = forced;
      const input = account(body);
      const id = `msg_standin_${crypto.randomUUID().replaceAll("-", "").slice(0, 20)}`;
      const { response, answer } = toolUseResponse(body, tool, input, {
        script: options.toolScript,
        chunkChars,
        id,
      });
      usages.push({ ...input, output_tokens: answer.output_tokens });
      say(`answering a ${tool.name} tool call for ${body.model}${body.stream ? ", streamed" : ""}`);
      return response;
    }

    let text = script(body);
    let stop: Answer["stop_reason"] = "end_turn";
    const thinking = thinks(body) ? thinkingFor(body, options.thinking ?? "summarized") : undefined;
    // max_tokens bounds thinking and text together.
    const room = Math.max(0, body.max_tokens - thinkingTokens(thinking));
    if (estimateTokens(text) > room) {
      text = text.slice(0, room * 4);
      stop = "max_tokens";
    }
    const input = account(body);
    const answer: Answer = {
      id: `msg_standin_${crypto.randomUUID().replaceAll("-", "").slice(0, 20)}`,
      model: body.model,
      text,
      input,
      output_tokens: estimateTokens(text) + thinkingTokens(thinking),
      stop_reason: stop,
    };
    usages.push({ ...input, output_tokens: answer.output_tokens });
    say(
      `${
        body.stream ? "streaming" : "answering"
      } ${answer.output_tokens} output tokens for ${body.model} (input ${input.input_tokens}, cache read ${input.cache_read_input_tokens}, cache write ${input.cache_creation_input_tokens})`,
    );
    if (!body.stream) {
      return Response.json(withThinkingContent(messageJson(answer), thinking), {
        headers: { "request-id": answer.id },
      });
    }

    const events = withThinkingEvents(streamEvents(answer, chunkChars), thinking, chunkChars);
    const deltas = events.filter((e) => e.type === "content_block_delta").length;
    const slow = fault?.kind === "slow" ? fault.msPerDelta : 0;
    const cut = fault?.kind === "drop" || fault?.kind === "stream_error" ? fault : undefined;
    const cutAt = cut ? Math.min(deltas, cut.afterDeltas ?? Math.floor(deltas / 2)) : -1;
    const encoder = new TextEncoder();
    // Ends this stream on a client cancel or when the stand-in closes.
    const gone = new AbortController();
    let cancelled = false;
    const onShutdown = () => gone.abort();
    shutdown.signal.addEventListener("abort", onShutdown, { once: true });
    const stream = new ReadableStream<Uint8Array>({
      async start(controller) {
        let sent = 0;
        try {
          for (const event of events) {
            if (event.type === "content_block_delta") {
              if (sent === cutAt && cut?.kind === "drop") {
                say("dropping the connection mid-stream (injected fault)");
                controller.error(new Error("connection dropped by the Anthropic stand-in"));
                return;
              }
              if (sent === cutAt && cut?.kind === "stream_error") {
                const type = cut.errorType ?? "overloaded_error";
                say(`sending an ${type} event mid-stream (injected fault)`);
                controller.enqueue(encoder.encode(sseFrame({
                  type: "error",
                  error: errorObject(type, type === "overloaded_error" ? "Overloaded" : type),
                })));
                controller.close();
                return;
              }
              sent++;
              if (slow) await sleep(slow, gone.signal);
            }
            if (gone.signal.aborted) {
              // The client cancelled, or the stand-in is closing: end the stream unfinished.
              if (!cancelled) controller.close();
              return;
            }
            controller.enqueue(encoder.encode(sseFrame(event)));
          }
          controller.close();
        } catch {
          // The client went away (a cancel): nothing more to send.
        } finally {
          shutdown.signal.removeEventListener("abort", onShutdown);
        }
      },
      cancel() {
        cancelled = true;
        cancelledStreams++;
        gone.abort();
      },
    });
    return new Response(stream, {
      headers: {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-cache",
        "request-id": answer.id,
      },
    });
  };

  const listening = Promise.withResolvers<void>();
  const server = Deno.serve({
    hostname: options.hostname ?? "127.0.0.1",
    port: options.port ?? 0,
    signal: shutdown.signal,
    onListen: ({ hostname, port }) => {
      say(`simulated Messages API listening on http://${hostname}:${port}`);
      listening.resolve();
    },
  }, handle);
  const addr = server.addr as Deno.NetAddr;
  return listening.promise.then(() => ({
    url: `http://${addr.hostname}:${addr.port}`,
    requests,
    auth,
    usages,
    faults,
    get cancelledStreams() {
      return cancelledStreams;
    },
    async close() {
      shutdown.abort();
      await server.finished;
    },
  }));
}
