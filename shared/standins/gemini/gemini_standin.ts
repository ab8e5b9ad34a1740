/**
 * @module
 * A local STAND-IN for the Gemini API's `generateContent` with the Computer Use tool, for tests
 * and the offline demo. It answers on the paths the `@google/genai` SDK uses
 * (`POST /v1beta/models/{model}:generateContent`, and `/v1/...`), requires an API key
 * (`x-goog-api-key` or `?key=`), and returns scripted Computer Use function calls in the API's
 * response shape (typed with the SDK's own types). Like the real API it fails a turn, with
 * `400 INVALID_ARGUMENT`, when the function responses do not match the calls they answer, or a
 * function response lacks the current URL or a PNG screenshot.
 *
 * It cannot see the page: what it "decides" comes from {@link GeminiScript}s, which speak the
 * Computer Use function set of the model named in the path (legacy names for the three legacy
 * models, current ones for every other), and its answers about the QA dashboard come from that
 * page's fixture. It also serves the QA dashboard at
 * `/qa/`, so that one process is enough for the demo.
 */
import { z } from "zod";
import {
  type Candidate,
  FinishReason,
  type GenerateContentResponse,
  type GenerateContentResponseUsageMetadata,
  type Part,
} from "@google/genai/web";
import { qaDashboardHandler } from "./qa_dashboard.ts";
import { autoScript, type GeminiScript } from "./gemini_scripts.ts";

/** An injected failure, used once by the next `generateContent` call. */
export type GeminiFault =
  | { kind: "status"; status: 429 | 500 | 503; retryDelaySeconds?: number }
  | { kind: "delay"; ms: number };

export interface GeminiStandInOptions {
  /** The only key accepted; any non-empty key when unset. */
  apiKey?: string;
  /** @default 0 (a free port) */
  port?: number;
  /** @default autoScript */
  script?: GeminiScript;
  faults?: GeminiFault[];
  /** Where the banner goes. @default console.error */
  log?: (line: string) => void;
}

/** What each accepted request carried (tests inspect it). */
export interface RecordedRequest {
  path: string;
  model: string;
  contents: WireContent[];
  /** The Computer Use tool as declared (`environment`, `excludedPredefinedFunctions`, …). */
  computerUse: Record<string, unknown>;
}

/** The request body, as the REST API defines `GenerateContentRequest` (the parts used here). */
const WirePart = z.looseObject({
  text: z.string().optional(),
  inlineData: z.object({ mimeType: z.string(), data: z.string() }).optional(),
  functionCall: z.looseObject({
    id: z.string().optional(),
    name: z.string(),
    args: z.record(z.string(), z.unknown()).optional(),
  }).optional(),
  functionResponse: z.looseObject({
    id: z.string().optional(),
    name: z.string(),
    response: z.record(z.string(), z.unknown()),
    parts: z.array(z.looseObject({
      inlineData: z.object({ mimeType: z.string(), data: z.string() }).optional(),
    })).optional(),
  }).optional(),
});
const WireContent = z.object({
  role: z.enum(["user", "model"]).optional(),
  parts: z.array(WirePart).min(1),
});
type WireContent = z.infer<typeof WireContent>;
const GenerateContentRequest = z.looseObject({
  contents: z.array(WireContent).min(1),
  tools: z.array(z.looseObject({
    computerUse: z.looseObject({
      environment: z.string().optional(),
      excludedPredefinedFunctions: z.array(z.string()).optional(),
    }).optional(),
  })).optional(),
  generationConfig: z.looseObject({}).optional(),
  systemInstruction: z.unknown().optional(),
});

/** The response fields the API sends (the SDK's class adds getters such as `.text`). */
type WireResponse = Pick<
  GenerateContentResponse,
  "candidates" | "usageMetadata" | "modelVersion" | "responseId"
>;

function apiError(
  code: number,
  status: string,
  message: string,
  details?: Record<string, unknown>[],
): Response {
  return Response.json(
    { error: { code, message, status, ...(details ? { details } : {}) } },
    { status: code },
  );
}

const PNG_BASE64_MAGIC = "iVBORw0KGgo"; // "\x89PNG\r\n\x1a\n"
/** Tokens of a 1440×900 screenshot: the API tiles large images at 258 tokens a tile. */
const IMAGE_TOKENS = 1032;

/** Why a turn would fail at the real API, or null when it is well formed. */
function turnProblem(contents: WireContent[]): string | null {
  const last = contents[contents.length - 1]!;
  const responses = last.parts.filter((p) => p.functionResponse);
  if (responses.length === 0) return null;
  const previous = contents[contents.length - 2];
  const calls = previous?.role === "model" ? previous.parts.filter((p) => p.functionCall) : [];
  if (calls.length === 0) {
    return "Please ensure that function response turn comes immediately after a function call turn.";
  }
  if (calls.length !== responses.length) {
    return "Please ensure that the number of function response parts is equal to the number of function call parts of the function call turn.";
  }
  for (const [i, part] of responses.entries()) {
    const fr = part.functionResponse!;
    if (fr.name !== calls[i]!.functionCall!.name) {
      return `Function response '${fr.name}' does not answer the function call '${
        calls[i]!.functionCall!.name
      }'.`;
    }
    // What a Computer Use turn needs: where the browser is and what it shows.
    if (typeof fr.response.url !== "string" || fr.response.url === "") {
      return `Function response for '${fr.name}' must include the current 'url'.`;
    }
    const hasPng = (fr.parts ?? []).some((p) =>
      p.inlineData?.mimeType === "image/png" && p.inlineData.data.startsWith(PNG_BASE64_MAGIC)
    );
    if (!hasPng) return `Function response for '${fr.name}' must include a PNG screenshot.`;
  }
  return null;
}

export interface GeminiStandIn {
  /** Base URL for `GEMINI_BASE_URL` / the SDK's `httpOptions.baseUrl`. */
  url: string;
  /** The QA dashboard this process serves. */
  qaUrl: string;
  requests: RecordedRequest[];
  /** Pending faults; push more at any time. */
  faults: GeminiFault[];
  /** Notes saved through the QA dashboard's Save button, in order. */
  savedNotes: string[];
  close(): Promise<void>;
}

export function startGeminiStandIn(options: GeminiStandInOptions = {}): GeminiStandIn {
  const requests: RecordedRequest[] = [];
  const savedNotes: string[] = [];
  const faults = [...(options.faults ?? [])];
  const script = options.script ?? autoScript;
  const ac = new AbortController();
  let qaUrl = "";
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: options.port ?? 0,
    signal: ac.signal,
    onListen: ({ port }) =>
      (options.log ?? console.error)(
        `[gemini STAND-IN] simulated generateContent on http://127.0.0.1:${port} (QA dashboard at /qa/)`,
      ),
  }, async (req) => {
    const qa = qaDashboardHandler(req, savedNotes);
    if (qa) return qa;
    const url = new URL(req.url);
    const m = /^\/(v1|v1beta)\/models\/([^/:]+):generateContent$/.exec(url.pathname);
    if (!m) return apiError(404, "NOT_FOUND", "Requested entity was not found.");
    if (req.method !== "POST") {
      return apiError(405, "METHOD_NOT_ALLOWED", `Method ${req.method} is not allowed here.`);
    }
    const key = req.headers.get("x-goog-api-key") ?? url.searchParams.get("key");
    if (!key) {
      return apiError(
        403,
        "PERMISSION_DENIED",
        "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
      );
    }
    if (options.apiKey !== undefined && key !== options.apiKey) {
      return apiError(400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.");
    }
    let json: unknown;
    try {
      json = await req.json();
    } catch {
      return apiError(400, "INVALID_ARGUMENT", "Invalid JSON payload received.");
    }
    const parsed = GenerateContentRequest.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      return apiError(
        400,
        "INVALID_ARGUMENT",
        `* GenerateContentRequest.${issue.path.join(".")}: ${issue.message}`,
      );
    }
    const body = parsed.data;
    if (!body.tools?.some((t) => t.computerUse)) {
      return apiError(
        400,
        "INVALID_ARGUMENT",
        "This stand-in answers only Computer Use requests: add the tool { computerUse: { environment: 'ENVIRONMENT_BROWSER' } }.",
      );
    }
    requests.push({
      path: url.pathname,
      model: m[2]!,
      contents: body.contents,
      computerUse: body.tools.find((t) => t.computerUse)!.computerUse!,
    });
    let fault = faults.shift();
    while (fault?.kind === "delay") {
      await new Promise((r) => setTimeout(r, (fault as { ms: number }).ms));
      fault = faults.shift();
    }
    if (fault?.kind === "status") {
      if (fault.status === 429) {
        return apiError(
          429,
          "RESOURCE_EXHAUSTED",
          "Resource has been exhausted (e.g. check quota).",
          [
            {
              "@type": "type.googleapis.com/google.rpc.RetryInfo",
              retryDelay: `${fault.retryDelaySeconds ?? 1}s`,
            },
          ],
        );
      }
      return fault.status === 500
        ? apiError(500, "INTERNAL", "An internal error has occurred. Please retry.")
        : apiError(503, "UNAVAILABLE", "The model is overloaded. Please try again later.");
    }
    const problem = turnProblem(body.contents);
    if (problem) return apiError(400, "INVALID_ARGUMENT", problem);

    const instruction = body.contents[0]!.parts.find((p) => p.text)?.text ?? "";
    const turn = body.contents.filter((c) => c.parts.some((p) => p.functionResponse)).length;
    // The model in the path decides the function set the script speaks, as at the real API.
    const steps = script(instruction, qaUrl, m[2]!);
    const step = steps[Math.min(turn, steps.length - 1)]!;
    const parts: Part[] = step.calls
      ? step.calls.map((c) => ({ functionCall: { name: c.name, args: c.args } }))
      : [{ text: step.text ?? "" }];
    const images = body.contents.flatMap((c) =>
      c.parts
    ).filter((p) => p.inlineData || p.functionResponse?.parts?.length).length;
    const textChars = JSON.stringify(body.contents, (k, v) => (k === "data" ? "" : v)).length;
    const promptTokenCount = Math.ceil(textChars / 4) + images * IMAGE_TOKENS;
    const candidatesTokenCount = 12 + Math.ceil(JSON.stringify(parts).length / 4);
    const candidate: Candidate = {
      content: { role: "model", parts },
      finishReason: FinishReason.STOP,
      index: 0,
    };
    const usageMetadata: GenerateContentResponseUsageMetadata = {
      promptTokenCount,
      candidatesTokenCount,
      totalTokenCount: promptTokenCount + candidatesTokenCount,
    };
    const response: WireResponse = {
      candidates: [candidate],
      usageMetadata,
      modelVersion: m[2]!,
      responseId: crypto.randomUUID().replaceAll("-", "").slice(0, 22),
    };
    return Response.json(response);
  });
  const base = `http://127.0.0.1:${server.addr.port}`;
  qaUrl = `${base}/qa/`;
  return {
    url: base,
    qaUrl,
    requests,
    faults,
    savedNotes,
    async close() {
      ac.abort();
      await server.finished;
    },
  };
}
