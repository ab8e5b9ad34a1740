/**
 * @module
 * What an answer of `POST /task` means for an outbox item. Pure.
 *
 * - 2xx: acknowledged (the gateway owns the utterance now).
 * - 408, 429, 5xx, and network errors: the gateway is busy or down; retry with backoff
 *   (honouring `Retry-After`).
 * - 401/403: our token is wrong. Every item would be refused the same way, and dropping them
 *   would lose speech over a configuration slip, so the outbox stops sending and keeps the
 *   items on disk for the next start with the right `GATEWAY_TOKEN`.
 * - any other 4xx (e.g. 400, 413, 422 for a body that fails validation): this utterance will
 *   never be accepted; it is logged and dropped, not retried forever. (An utterance no skill
 *   matches is not one of these: the gateway takes it with 200 `{ unrouted: true, jobs: [] }`.)
 */

export type Delivery =
  | { kind: "acknowledged" }
  | { kind: "retry"; retryAfterMs?: number }
  | { kind: "unauthorized" }
  | { kind: "rejected" };

/** Classifies an HTTP status (with its `Retry-After` header, if any). */
export function classifyResponse(status: number, retryAfter?: string | null): Delivery {
  if (status >= 200 && status < 300) return { kind: "acknowledged" };
  if (status === 408 || status === 429 || status >= 500) {
    const ms = parseRetryAfter(retryAfter);
    return ms === undefined ? { kind: "retry" } : { kind: "retry", retryAfterMs: ms };
  }
  if (status === 401 || status === 403) return { kind: "unauthorized" };
  if (status >= 400) return { kind: "rejected" };
  // 1xx/3xx should not reach us (fetch follows redirects); treat as a passing fault.
  return { kind: "retry" };
}

/** `Retry-After` as milliseconds: delta-seconds or an HTTP date. Capped at 5 minutes. */
export function parseRetryAfter(
  value: string | null | undefined,
  now = Date.now(),
): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  let ms: number;
  if (/^\d+(\.\d+)?$/.test(trimmed)) ms = Number(trimmed) * 1000;
  else {
    const at = Date.parse(trimmed);
    if (Number.isNaN(at)) return undefined;
    ms = at - now;
  }
  return Math.min(300_000, Math.max(0, Math.round(ms)));
}
