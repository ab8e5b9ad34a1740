/**
 * @module
 * Gemini API failures (as the `@google/genai` SDK throws them) to worker errors: rate limits and
 * server errors are retried per the skill's policy (after the `RetryInfo.retryDelay` the API
 * asks for, when it does), a bad key or a rejected request ends the job.
 */
import { UnrecoverableError, WorkerError } from "../../skill_kit/worker_errors.ts";

/** `{"error":{"code":429,"status":"RESOURCE_EXHAUSTED","message":...,"details":[...]}}`. */
interface ApiErrorBody {
  error?: {
    code?: number;
    status?: string;
    message?: string;
    details?: { "@type"?: string; retryDelay?: string }[];
  };
}

/** The SDK's `ApiError` carries the HTTP status and the response body as its message. */
function parseBody(message: string): ApiErrorBody {
  try {
    const parsed = JSON.parse(message);
    return typeof parsed === "object" && parsed !== null ? parsed : {};
  } catch {
    return {};
  }
}

/** `"1.5s"` → 1500; undefined for anything else. */
export function parseRetryDelay(delay: string | undefined): number | undefined {
  const m = /^(\d+(?:\.\d+)?)s$/.exec(delay ?? "");
  return m ? Math.round(Number(m[1]) * 1000) : undefined;
}

export function classifyProviderError(err: unknown): Error {
  if (err instanceof Deno.errors.NotCapable) return err; // a sandbox denial is reported as such
  const status = (err as { status?: unknown }).status;
  const raw = err instanceof Error ? err.message : String(err);
  if (typeof status !== "number") {
    if (err instanceof TypeError || (err as Error)?.name === "TimeoutError") {
      return new WorkerError(
        "provider_unreachable",
        `Cannot reach the Gemini API: ${raw.slice(0, 300)}`,
        { cause: err },
      );
    }
    return err instanceof Error ? err : new Error(raw);
  }
  const body = parseBody(raw).error;
  const what = body?.message ? `${body.status ?? ""} ${body.message}`.trim() : raw;
  const message = `Gemini API answered ${status}: ${what.slice(0, 300)}`;
  if (status === 429 || status === 408 || status >= 500) {
    const retryAfterMs = parseRetryDelay(
      body?.details?.find((d) => d["@type"]?.endsWith("google.rpc.RetryInfo"))?.retryDelay,
    );
    return new WorkerError(status === 429 ? "rate_limited" : "provider_error", message, {
      cause: err,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    });
  }
  // The Gemini API answers a bad key with 400 INVALID_ARGUMENT, not 401.
  const auth = status === 401 || status === 403 || /API key not valid/i.test(what);
  return new UnrecoverableError(auth ? "provider_auth" : "provider_rejected", message, {
    cause: err,
  });
}
