/**
 * @module
 * A local STAND-IN for the Anthropic Messages API (`POST /v1/messages`), for tests and the
 * offline demo. It speaks the API's wire protocol: JSON or a server-sent event stream
 * (`message_start`, `content_block_start`, `ping`, `content_block_delta`, `content_block_stop`,
 * `message_delta` with cumulative usage, `message_stop`), the API's error shapes and status
 * codes, `x-api-key` or `Authorization: Bearer`. Replies come from a script; the default one
 * writes a real unified diff against the first file shown in the request.
 */
import type Anthropic from "@anthropic-ai/sdk";

type StreamEvent = Anthropic.Messages.RawMessageStreamEvent;
type Message = Anthropic.Messages.Message;

export type AnthropicFault =
  | { kind: "status"; status: 400 | 401 | 429 | 500 | 529; retryAfterS?: number }
  | { kind: "delay"; ms: number }
  | { kind: "drop" }
  | { kind: "slow"; msPerDelta: number };

export interface MessagesRequest {
  model: string;
  max_tokens: number;
  system?: unknown;
  messages: { role: string; content: unknown }[];
  stream?: boolean;
}

export interface AnthropicStandInOptions {
  /** Required key (x-api-key or bearer). Any key when omitted. */
  apiKey?: string;
  port?: number;
  /** Produces the reply text. @default {@link codingScript} */
  script?: (request: MessagesRequest) => string;
  /** Consumed one per request, in order. */
  faults?: AnthropicFault[];
  /** Prompt-cache tokens reported in each answer's usage (as a cached system prompt would). */
  cache?: { read_input_tokens?: number; creation_input_tokens?: number };
}

/** Usage of one answer, as the stand-in reported it. */
export interface StandInUsage {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens: number;
  cache_creation_input_tokens: number;
}

export interface AnthropicStandIn {
  url: string;
  requests: MessagesRequest[];
  /** Usage of each successful answer, in order. */
  usages: StandInUsage[];
  faults: AnthropicFault[];
  close(): Promise<void>;
}

const ERROR_TYPES: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  404: "not_found_error",
  429: "rate_limit_error",
  500: "api_error",
  529: "overloaded_error",
};

function errorResponse(
  status: number,
  message: string,
  headers: Record<string, string> = {},
): Response {
  return Response.json(
    {
      type: "error",
      error: { type: ERROR_TYPES[status] ?? "api_error", message },
      request_id: `req_standin_${crypto.randomUUID().slice(0, 12)}`,
    },
    {
      status,
      headers: { "request-id": `req_standin_${crypto.randomUUID().slice(0, 12)}`, ...headers },
    },
  );
}

/** Text of the request's last user message. */
export function lastUserText(request: MessagesRequest): string {
  const last = [...request.messages].reverse().find((m) => m.role === "user");
  if (!last) return "";
  if (typeof last.content === "string") return last.content;
  if (Array.isArray(last.content)) {
    return last.content.map((
      b,
    ) => (b && typeof b === "object" && "text" in b ? String(b.text) : "")).join("\n");
  }
  return "";
}

/** Files shown in a request as `<file path="...">...</file>` blocks, in order. */
export function filesInRequest(text: string): { path: string; content: string }[] {
  const files: { path: string; content: string }[] = [];
  const re = /<file path="([^"]+)">\n([\s\S]*?)\n<\/file>/g;
  for (let m = re.exec(text); m; m = re.exec(text)) files.push({ path: m[1]!, content: m[2]! });
  return files;
}

/**
 * Default script: documents the first function of the most relevant file (the first shown),
 * as a real unified diff that applies to that file.
 */
export function codingScript(request: MessagesRequest): string {
  const text = lastUserText(request);
  const file = filesInRequest(text)[0];
  const instruction = /<instruction>\n?([\s\S]*?)\n?<\/instruction>/.exec(text)?.[1]?.trim() ??
    "the request";
  if (!file) {
    return "I could not find any source file in the request, so I have no patch to propose.";
  }
  const lines = file.content.split("\n");
  let at = lines.findIndex((l) =>
    /^(export\s+)?(async\s+)?function\s|^export\s+(const|class)\s/.test(l)
  );
  if (at < 0) at = 0;
  const name = /(?:function|const|class)\s+([A-Za-z0-9_$]+)/.exec(lines[at] ?? "")?.[1] ?? "module";
  const comment = `/** ${name}: reviewed for "${
    instruction.replace(/\*\//g, "").slice(0, 80)
  }". */`;
  const before = Math.max(0, at - 3);
  const after = Math.min(lines.length, at + 3);
  const context = lines.slice(before, after);
  const hunk = [
    `@@ -${before + 1},${context.length} +${before + 1},${context.length + 1} @@`,
    ...lines.slice(before, at).map((l) => ` ${l}`),
    `+${comment}`,
    ...lines.slice(at, after).map((l) => ` ${l}`),
  ];
  return [
    `Rationale: \`${name}\` in \`${file.path}\` is the entry point the request is about; documenting it is the smallest safe first step of "${instruction}".`,
    "",
    "```diff",
    `--- a/${file.path}`,
    `+++ b/${file.path}`,
    ...hunk,
    "```",
    "",
  ].join("\n");
}

/** The API's `usage` object for an answer with `output` tokens so far. */
function apiUsage(u: StandInUsage, output: number): Message["usage"] {
  return {
    cache_creation: {
      ephemeral_1h_input_tokens: 0,
      ephemeral_5m_input_tokens: u.cache_creation_input_tokens,
    },
    cache_creation_input_tokens: u.cache_creation_input_tokens,
    cache_read_input_tokens: u.cache_read_input_tokens,
    inference_geo: null,
    input_tokens: u.input_tokens,
    output_tokens: output,
    output_tokens_details: null,
    server_tool_use: null,
    service_tier: "standard",
    speed: null,
  };
}

const tokens = (text: string) => Math.max(1, Math.ceil(text.length / 4));

export function startAnthropicStandIn(
  options: AnthropicStandInOptions = {},
): Promise<AnthropicStandIn> {
  const requests: MessagesRequest[] = [];
  const usages: StandInUsage[] = [];
  const faults = [...(options.faults ?? [])];
  const script = options.script ?? codingScript;
  const ready = Promise.withResolvers<AnthropicStandIn>();
  const ac = new AbortController();
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: options.port ?? 0,
    signal: ac.signal,
    onListen: ({ port }) => {
      console.error(`[anthropic STAND-IN] simulated Messages API on http://127.0.0.1:${port}`);
    },
  }, async (req) => {
    const url = new URL(req.url);
    if (url.pathname !== "/v1/messages") return errorResponse(404, `Not found: ${url.pathname}`);
    if (req.method !== "POST") return errorResponse(405 as 404, "Method not allowed");
    const key = req.headers.get("x-api-key") ??
      req.headers.get("authorization")?.replace(/^Bearer\s+/i, "");
    if (!key || (options.apiKey && key !== options.apiKey)) {
      return errorResponse(401, "invalid x-api-key");
    }
    if (!req.headers.get("anthropic-version")) {
      return errorResponse(400, "anthropic-version: header is required");
    }
    let body: MessagesRequest;
    try {
      body = await req.json();
    } catch {
      return errorResponse(400, "There was an issue with the request body: invalid JSON");
    }
    if (
      typeof body?.model !== "string" || !Number.isInteger(body?.max_tokens) ||
      !Array.isArray(body?.messages) || body.messages.length === 0
    ) {
      return errorResponse(400, "messages: field required; model and max_tokens are required");
    }
    requests.push(body);
    let fault = faults.shift();
    while (fault?.kind === "delay") {
      await new Promise((r) => setTimeout(r, (fault as { ms: number }).ms));
      fault = faults.shift();
    }
    if (fault?.kind === "status") {
      const headers: Record<string, string> = fault.retryAfterS !== undefined
        ? { "retry-after": String(fault.retryAfterS) }
        : {};
      const messages: Record<number, string> = {
        400: "Invalid request",
        401: "invalid x-api-key",
        429: "Number of request tokens has exceeded your rate limit",
        500: "Internal server error",
        529: "Overloaded",
      };
      return errorResponse(fault.status, messages[fault.status]!, headers);
    }
    const text = script(body);
    const id = `msg_standin_${crypto.randomUUID().replaceAll("-", "").slice(0, 20)}`;
    const inputTokens = tokens(JSON.stringify(body.messages) + JSON.stringify(body.system ?? ""));
    const outputTokens = tokens(text);
    const usage: StandInUsage = {
      input_tokens: inputTokens,
      output_tokens: outputTokens,
      cache_creation_input_tokens: options.cache?.creation_input_tokens ?? 0,
      cache_read_input_tokens: options.cache?.read_input_tokens ?? 0,
    };
    usages.push(usage);
    const message = (content: Message["content"], stop: Message["stop_reason"], out: number) =>
      ({
        id,
        type: "message",
        role: "assistant",
        model: body.model,
        container: null,
        content,
        diagnostics: null,
        stop_details: null,
        stop_reason: stop,
        stop_sequence: null,
        usage: apiUsage(usage, out),
      }) satisfies Message;
    if (!body.stream) {
      return Response.json(
        message([{ type: "text", text, citations: null }], "end_turn", outputTokens),
        { headers: { "request-id": id } },
      );
    }
    const chunks = text.match(/[\s\S]{1,40}/g) ?? [];
    const slow = fault?.kind === "slow" ? fault.msPerDelta : 0;
    const drop = fault?.kind === "drop";
    const encoder = new TextEncoder();
    const stream = new ReadableStream<Uint8Array>({
      async start(controller) {
        const send = (event: StreamEvent | { type: "ping" }) => {
          controller.enqueue(
            encoder.encode(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`),
          );
        };
        try {
          send({ type: "message_start", message: message([], null, 1) });
          send({
            type: "content_block_start",
            index: 0,
            content_block: { type: "text", text: "", citations: null },
          });
          send({ type: "ping" });
          for (const [i, chunk] of chunks.entries()) {
            if (drop && i === Math.floor(chunks.length / 2)) {
              controller.error(new Error("connection dropped by the stand-in"));
              return;
            }
            send({
              type: "content_block_delta",
              index: 0,
              delta: { type: "text_delta", text: chunk },
            });
            if (slow) await new Promise((r) => setTimeout(r, slow));
          }
          send({ type: "content_block_stop", index: 0 });
          // The API's message_delta usage is cumulative and repeats the input side.
          send({
            type: "message_delta",
            delta: {
              container: null,
              stop_details: null,
              stop_reason: "end_turn",
              stop_sequence: null,
            },
            usage: {
              input_tokens: usage.input_tokens,
              cache_creation_input_tokens: usage.cache_creation_input_tokens,
              cache_read_input_tokens: usage.cache_read_input_tokens,
              output_tokens: outputTokens,
              output_tokens_details: null,
              server_tool_use: null,
            },
          });
          send({ type: "message_stop" });
          controller.close();
        } catch {
          // The client went away (cancel): nothing more to send.
        }
      },
    });
    return new Response(stream, {
      headers: {
        "content-type": "text/event-stream",
        "cache-control": "no-cache",
        "request-id": id,
      },
    });
  });
  const addr = server.addr as Deno.NetAddr;
  ready.resolve({
    url: `http://127.0.0.1:${addr.port}`,
    requests,
    usages,
    faults,
    async close() {
      ac.abort();
      await server.finished;
    },
  });
  return ready.promise;
}
