import { assert, assertEquals } from "@shared/testing/asserts.ts";
import { ApiError, Environment, GoogleGenAI } from "@google/genai/web";
import { startGeminiStandIn } from "@shared/standins/gemini/gemini_standin.ts";
import { UnrecoverableError, WorkerError } from "../../skill_kit/worker_errors.ts";
import { classifyProviderError, parseRetryDelay } from "./provider_errors.ts";

function apiError(status: number, body: unknown): ApiError {
  return new ApiError({ status, message: JSON.stringify(body) });
}

Deno.test("parseRetryDelay() reads the API's duration strings", () => {
  const cases: [string | undefined, number | undefined][] = [
    ["1s", 1000],
    ["37s", 37000],
    ["0.5s", 500],
    ["5m", undefined],
    ["", undefined],
    [undefined, undefined],
  ];
  for (const [input, want] of cases) assertEquals(parseRetryDelay(input), want, String(input));
});

Deno.test("classifyProviderError() retries rate limits and server errors, ends the rest", () => {
  const cases: [unknown, string, boolean, number | undefined, string][] = [
    [
      apiError(429, {
        error: {
          code: 429,
          status: "RESOURCE_EXHAUSTED",
          message: "Quota",
          details: [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "7s" }],
        },
      }),
      "rate_limited",
      true,
      7000,
      "Gemini API answered 429: RESOURCE_EXHAUSTED Quota",
    ],
    [
      apiError(500, { error: { code: 500, status: "INTERNAL", message: "oops" } }),
      "provider_error",
      true,
      undefined,
      "Gemini API answered 500: INTERNAL oops",
    ],
    [
      apiError(503, { error: { code: 503, status: "UNAVAILABLE", message: "busy" } }),
      "provider_error",
      true,
      undefined,
      "Gemini API answered 503: UNAVAILABLE busy",
    ],
    [
      apiError(400, {
        error: { code: 400, status: "INVALID_ARGUMENT", message: "API key not valid." },
      }),
      "provider_auth",
      false,
      undefined,
      "Gemini API answered 400: INVALID_ARGUMENT API key not valid.",
    ],
    [
      apiError(403, { error: { code: 403, status: "PERMISSION_DENIED", message: "no" } }),
      "provider_auth",
      false,
      undefined,
      "Gemini API answered 403: PERMISSION_DENIED no",
    ],
    [
      apiError(400, { error: { code: 400, status: "INVALID_ARGUMENT", message: "bad turn" } }),
      "provider_rejected",
      false,
      undefined,
      "Gemini API answered 400: INVALID_ARGUMENT bad turn",
    ],
    [
      new ApiError({ status: 502, message: "<html>bad gateway</html>" }),
      "provider_error",
      true,
      undefined,
      "Gemini API answered 502: <html>bad gateway</html>",
    ],
    [
      new TypeError("error sending request: connection refused"),
      "provider_unreachable",
      true,
      undefined,
      "Cannot reach the Gemini API: error sending request: connection refused",
    ],
  ];
  for (const [err, code, retryable, retryAfterMs, message] of cases) {
    const out = classifyProviderError(err);
    assert(out instanceof WorkerError, code);
    assertEquals(
      { code: out.code, retryable: out.retryable, retryAfterMs: out.retryAfterMs, message },
      { code, retryable, retryAfterMs, message: out.message },
    );
    assertEquals(out instanceof UnrecoverableError, !retryable, code);
  }
  // A sandbox denial and unexpected errors pass through unchanged.
  const denied = new Deno.errors.NotCapable("Requires net access");
  assertEquals(classifyProviderError(denied), denied);
  const bug = new RangeError("bug");
  assertEquals(classifyProviderError(bug), bug);
});

Deno.test({
  name: "classifyProviderError() on what the real SDK throws for stand-in faults",
  permissions: { net: ["127.0.0.1"] },
  async fn() {
    const standin = startGeminiStandIn({
      apiKey: "right",
      faults: [
        { kind: "status", status: 429, retryDelaySeconds: 3 },
        { kind: "status", status: 500 },
      ],
      log: () => {},
    });
    try {
      const ask = (apiKey: string, baseUrl = standin.url) =>
        new GoogleGenAI({ apiKey, httpOptions: { baseUrl } }).models.generateContent({
          model: "gemini-2.5-computer-use-preview-10-2025",
          contents: "open the QA dashboard",
          config: { tools: [{ computerUse: { environment: Environment.ENVIRONMENT_BROWSER } }] },
        }).then(() => null, (err) => classifyProviderError(err) as WorkerError);
      const limited = await ask("right");
      assertEquals([limited?.code, limited?.retryAfterMs], ["rate_limited", 3000]);
      const failed = await ask("right");
      assertEquals([failed?.code, failed?.retryable], ["provider_error", true]);
      const badKey = await ask("wrong");
      assertEquals([badKey?.code, badKey?.retryable], ["provider_auth", false]);
      assertEquals(await ask("right"), null);
      // Port 9 (discard) is closed on loopback.
      const gone = await ask("right", "http://127.0.0.1:9");
      assertEquals([gone?.code, gone?.retryable], ["provider_unreachable", true]);
    } finally {
      await standin.close();
    }
  },
});
