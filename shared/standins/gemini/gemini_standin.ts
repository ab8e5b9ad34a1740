/**
 * @module
 * A local STAND-IN for the Gemini API's `generateContent` with the Computer Use tool, for tests
 * and the offline demo. It answers on the paths the `@google/genai` SDK uses
 * (`/v1beta/models/{model}:generateContent`, `/v1/...`), requires `x-goog-api-key`, returns
 * scripted function calls in the API's response shape, and fails a turn whose function response
 * lacks the current URL or a PNG screenshot, with the API's `INVALID_ARGUMENT` error. It cannot
 * see the page: its final answer is scripted from the QA fixture.
 */
import type { GenerateContentResponse } from "@google/genai/web";
import { QA_DEPLOY_STATUS, QA_TARGETS, qaDashboardHandler } from "./qa_dashboard.ts";

export interface ScriptStep {
  /** A function call, or a final text answer. */
  call?: { name: string; args: Record<string, unknown> };
  text?: string;
}

export type GeminiFault = { kind: "status"; status: 429 | 500 | 503 } | {
  kind: "delay";
  ms: number;
};

export interface GeminiStandInOptions {
  apiKey?: string;
  port?: number;
  /** Steps per conversation turn; the turn index is the number of function responses so far. */
  script?: (instruction: string, qaUrl: string) => ScriptStep[];
  faults?: GeminiFault[];
}

/** Default script for "open the QA dashboard to verify deploy status". */
export function qaScript(instruction: string, qaUrl: string): ScriptStep[] {
  const url = /https?:\/\/\S+/.exec(instruction)?.[0] ?? qaUrl;
  return [
    { call: { name: "open_web_browser", args: {} } },
    { call: { name: "navigate", args: { url } } },
    { call: { name: "click_at", args: { ...QA_TARGETS.status } } },
    {
      text:
        `The QA dashboard shows "Deploy status: ${QA_DEPLOY_STATUS}". The deploy is ${QA_DEPLOY_STATUS.toLowerCase()}.`,
    },
  ];
}

interface Part {
  text?: string;
  inlineData?: { mimeType?: string; data?: string };
  functionCall?: { name: string; args?: Record<string, unknown> };
  functionResponse?: {
    name?: string;
    response?: Record<string, unknown>;
    parts?: { inlineData?: { mimeType?: string; data?: string } }[];
  };
}
interface Content {
  role?: string;
  parts?: Part[];
}

function apiError(code: number, status: string, message: string): Response {
  return Response.json({ error: { code, message, status } }, { status: code });
}

const PNG_MAGIC = "iVBORw0KGgo";

export interface GeminiStandIn {
  url: string;
  qaUrl: string;
  requests: { contents: Content[] }[];
  faults: GeminiFault[];
  close(): Promise<void>;
}

export function startGeminiStandIn(options: GeminiStandInOptions = {}): GeminiStandIn {
  const requests: { contents: Content[] }[] = [];
  const faults = [...(options.faults ?? [])];
  const script = options.script ?? qaScript;
  const ac = new AbortController();
  let qaUrl = "";
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: options.port ?? 0,
    signal: ac.signal,
    onListen: ({ port }) =>
      console.error(`[gemini STAND-IN] simulated generateContent on http://127.0.0.1:${port}`),
  }, async (req) => {
    const qa = qaDashboardHandler(req);
    if (qa) return qa;
    const m = /^\/v1(?:beta)?\/models\/([^/:]+):generateContent$/.exec(new URL(req.url).pathname);
    if (!m || req.method !== "POST") {
      return apiError(404, "NOT_FOUND", "Requested entity was not found.");
    }
    const key = req.headers.get("x-goog-api-key");
    if (!key || (options.apiKey && key !== options.apiKey)) {
      return apiError(400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.");
    }
    let body: { contents?: Content[] };
    try {
      body = await req.json();
    } catch {
      return apiError(400, "INVALID_ARGUMENT", "Invalid JSON payload received.");
    }
    const contents = body.contents ?? [];
    if (contents.length === 0) {
      return apiError(
        400,
        "INVALID_ARGUMENT",
        "* GenerateContentRequest.contents: contents is not specified",
      );
    }
    requests.push({ contents });
    let fault = faults.shift();
    while (fault?.kind === "delay") {
      await new Promise((r) => setTimeout(r, (fault as { ms: number }).ms));
      fault = faults.shift();
    }
    if (fault?.kind === "status") {
      const status =
        { 429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 503: "UNAVAILABLE" }[fault.status];
      return apiError(
        fault.status,
        status,
        fault.status === 429
          ? "Resource has been exhausted (e.g. check quota)."
          : "Internal error encountered.",
      );
    }
    // Every function response must carry the page URL and a PNG screenshot.
    const last = contents[contents.length - 1]!;
    for (const part of last.parts ?? []) {
      const fr = part.functionResponse;
      if (!fr) continue;
      if (typeof fr.response?.url !== "string" || !fr.response.url) {
        return apiError(
          400,
          "INVALID_ARGUMENT",
          `Function response for '${fr.name}' must include the current 'url'.`,
        );
      }
      const hasPng = (fr.parts ?? []).some((p) =>
        p.inlineData?.mimeType === "image/png" && p.inlineData.data?.startsWith(PNG_MAGIC)
      );
      if (!fr.response.error && !hasPng) {
        return apiError(
          400,
          "INVALID_ARGUMENT",
          `Function response for '${fr.name}' must include a PNG screenshot.`,
        );
      }
    }
    const instruction = contents[0]?.parts?.find((p) => p.text)?.text ?? "";
    const turn = contents.filter((c) => c.parts?.some((p) => p.functionResponse)).length;
    const steps = script(instruction, qaUrl);
    const step = steps[Math.min(turn, steps.length - 1)]!;
    const promptTokens = Math.ceil(JSON.stringify(contents).length / 40);
    const parts = step.call
      ? [{ functionCall: { name: step.call.name, args: step.call.args } }]
      : [{ text: step.text ?? "" }];
    const response = {
      candidates: [{ content: { role: "model", parts }, finishReason: "STOP", index: 0 }],
      usageMetadata: {
        promptTokenCount: promptTokens,
        candidatesTokenCount: 20,
        totalTokenCount: promptTokens + 20,
      },
      modelVersion: m[1],
    } as unknown as GenerateContentResponse;
    return Response.json(response);
  });
  const url = `http://127.0.0.1:${server.addr.port}`;
  qaUrl = `${url}/qa/`;
  return {
    url,
    qaUrl,
    requests,
    faults,
    async close() {
      ac.abort();
      await server.finished;
    },
  };
}
