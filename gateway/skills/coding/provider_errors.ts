/**
 * @module
 * How a failure of the Anthropic API becomes a job error the engine understands: 429, 529,
 * 5xx, a cut connection and an `overloaded_error` or `api_error` event mid-stream are retried
 * (after `retry-after` when the API sent one); 400, 401, 403, 404 and other refusals end the
 * job at once with a message that says what to check. The SDK's own retries are off, so this
 * is the only retry decision.
 */
import Anthropic from "@anthropic-ai/sdk";
import { JobAbortedError, UnrecoverableError, WorkerError } from "../../skill_kit/worker_errors.ts";

/**
 * The wait the API asked for: `retry-after-ms`, or `retry-after` in seconds or as an HTTP date.
 * `undefined` when there is none or it cannot be read.
 */
export function retryAfterMs(
  headers: Headers | undefined,
  now: number = Date.now(),
): number | undefined {
  const ms = Number(headers?.get("retry-after-ms") ?? NaN);
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const value = headers?.get("retry-after")?.trim();
  if (!value) return undefined;
  if (/^\d+(?:\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

const HINTS: Record<number, string> = {
  401: "Check ANTHROPIC_API_KEY.",
  403: "Check that ANTHROPIC_API_KEY may use this model.",
  404: "Check CODING_MODEL and ANTHROPIC_BASE_URL.",
  413: "The prompt is too large: lower CODING_CONTEXT_CHARS.",
};

/** What the engine should do about `err`, thrown by the SDK while calling or streaming. */
export function providerError(err: unknown, now: number = Date.now()): Error {
  if (err instanceof Anthropic.APIUserAbortError) {
    return new JobAbortedError("aborted while streaming");
  }
  if (err instanceof Anthropic.APIConnectionError) {
    return new WorkerError(
      "provider_unreachable",
      `Cannot reach the Anthropic API: ${err.message}`,
      {
        cause: err,
      },
    );
  }
  if (err instanceof Anthropic.APIError) {
    const after = retryAfterMs(err.headers ?? undefined, now);
    const retry = after === undefined ? { cause: err } : { cause: err, retryAfterMs: after };
    if (err.status === undefined) {
      // An `error` event in a stream that had started: judged by its type, as a status would be.
      const message = `Anthropic API stream failed with ${err.type ?? "an error"}: ${
        err.apiMessage ?? err.message
      }`;
      if (err.type === "rate_limit_error") return new WorkerError("rate_limited", message, retry);
      if (
        err.type === "overloaded_error" || err.type === "api_error" ||
        err.type === "timeout_error" || err.type === null
      ) {
        return new WorkerError("provider_overloaded", message, retry);
      }
      return new UnrecoverableError("provider_rejected", message, { cause: err });
    }
    const status = err.status;
    const message = `Anthropic API answered ${status}: ${err.apiMessage ?? err.message}`;
    if (status === 429) return new WorkerError("rate_limited", message, retry);
    if (status >= 500 || status === 408 || status === 409) {
      return new WorkerError("provider_overloaded", message, retry);
    }
    const hint = HINTS[status];
    if (status === 401 || status === 403) {
      return new UnrecoverableError("provider_auth", `${message}. ${hint}`, { cause: err });
    }
    return new UnrecoverableError(
      "provider_rejected",
      hint ? `${message}. ${hint}` : message,
      { cause: err },
    );
  }
  if (err instanceof Anthropic.AnthropicError || err instanceof TypeError) {
    // A body that stopped mid-stream, or a stream that ended without its final events.
    return new WorkerError(
      "stream_interrupted",
      `The Anthropic API stream broke off: ${(err as Error).message}`,
      { cause: err },
    );
  }
  return err instanceof Error ? err : new Error(String(err));
}
