import Anthropic from "@anthropic-ai/sdk";
import { assert, assertEquals } from "@shared/testing/asserts.ts";
import { JobAbortedError, WorkerError } from "../../skill_kit/worker_errors.ts";
import { providerError, retryAfterMs } from "./provider_errors.ts";

const NOW = Date.parse("2026-01-01T00:00:00Z");

Deno.test("retryAfterMs() reads seconds, milliseconds and HTTP dates", () => {
  const h = (init: Record<string, string>) => new Headers(init);
  assertEquals(retryAfterMs(h({ "retry-after": "7" }), NOW), 7000);
  assertEquals(retryAfterMs(h({ "retry-after": "1.5" }), NOW), 1500);
  assertEquals(retryAfterMs(h({ "retry-after-ms": "250", "retry-after": "9" }), NOW), 250);
  assertEquals(retryAfterMs(h({ "retry-after": "Thu, 01 Jan 2026 00:00:03 GMT" }), NOW), 3000);
  assertEquals(retryAfterMs(h({ "retry-after": "soon" }), NOW), undefined);
  assertEquals(retryAfterMs(h({}), NOW), undefined);
  assertEquals(retryAfterMs(undefined, NOW), undefined);
});

/** An error as the SDK makes it from a response with this status and error body. */
function apiError(
  status: number,
  type: string,
  message: string,
  headers: Record<string, string> = {},
) {
  return Anthropic.APIError.generate(
    status,
    { type: "error", error: { type, message }, request_id: "req_1" },
    undefined,
    new Headers(headers),
  );
}

/** An `error` event in a stream, as the SDK raises it. */
function streamError(type: string, message: string) {
  return new Anthropic.APIError(
    undefined,
    { type: "error", error: { type, message } },
    undefined,
    new Headers(),
    type as InstanceType<typeof Anthropic.APIError>["type"],
  );
}

const cases: [
  string,
  unknown,
  { code: string; retryable: boolean; retryAfterMs?: number; message: string },
][] = [
  ["529", apiError(529, "overloaded_error", "Overloaded"), {
    code: "provider_overloaded",
    retryable: true,
    message: "Anthropic API answered 529: Overloaded",
  }],
  ["500", apiError(500, "api_error", "Internal server error"), {
    code: "provider_overloaded",
    retryable: true,
    message: "Anthropic API answered 500: Internal server error",
  }],
  ["429 with retry-after", apiError(429, "rate_limit_error", "Slow down", { "retry-after": "2" }), {
    code: "rate_limited",
    retryable: true,
    retryAfterMs: 2000,
    message: "Anthropic API answered 429: Slow down",
  }],
  ["400", apiError(400, "invalid_request_error", "max_tokens: Field required"), {
    code: "provider_rejected",
    retryable: false,
    message: "Anthropic API answered 400: max_tokens: Field required",
  }],
  ["401", apiError(401, "authentication_error", "invalid x-api-key"), {
    code: "provider_auth",
    retryable: false,
    message: "Anthropic API answered 401: invalid x-api-key. Check ANTHROPIC_API_KEY.",
  }],
  ["404", apiError(404, "not_found_error", "model: claude-x"), {
    code: "provider_rejected",
    retryable: false,
    message:
      "Anthropic API answered 404: model: claude-x. Check CODING_MODEL and ANTHROPIC_BASE_URL.",
  }],
  ["overloaded_error mid-stream", streamError("overloaded_error", "Overloaded"), {
    code: "provider_overloaded",
    retryable: true,
    message: "Anthropic API stream failed with overloaded_error: Overloaded",
  }],
  ["invalid_request_error mid-stream", streamError("invalid_request_error", "bad"), {
    code: "provider_rejected",
    retryable: false,
    message: "Anthropic API stream failed with invalid_request_error: bad",
  }],
  ["a body cut off", new Anthropic.AnthropicError("error reading a body from connection"), {
    code: "stream_interrupted",
    retryable: true,
    message: "The Anthropic API stream broke off: error reading a body from connection",
  }],
  ["no connection", new Anthropic.APIConnectionError({ message: "Connection error." }), {
    code: "provider_unreachable",
    retryable: true,
    message: "Cannot reach the Anthropic API: Connection error.",
  }],
];
for (const [name, err, want] of cases) {
  Deno.test(`providerError(): ${name}`, () => {
    const got = providerError(err, NOW);
    assert(got instanceof WorkerError, `${got.name}: ${got.message}`);
    assertEquals(
      {
        code: got.code,
        retryable: got.retryable,
        retryAfterMs: got.retryAfterMs,
        message: got.message,
      },
      { retryAfterMs: undefined, ...want },
    );
  });
}

Deno.test("providerError(): the caller's abort is the job's abort", () => {
  assert(providerError(new Anthropic.APIUserAbortError()) instanceof JobAbortedError);
});
