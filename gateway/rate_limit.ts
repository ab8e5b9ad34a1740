/**
 * @module
 * Per-client rate limit for `POST /task`: a token bucket per remote address (pure logic in
 * {@link TokenBuckets}, the middleware in {@link rateLimit}). Over the limit → 429 with
 * `Retry-After` in whole seconds.
 */
import type { MiddlewareHandler } from "hono";
import { HttpError } from "./http_errors.ts";

export interface BucketOptions {
  /** Tokens added per second (sustained requests per second). */
  ratePerSecond: number;
  /** Bucket size (largest burst). @default 2 × ratePerSecond */
  burst?: number;
  /** Buckets kept before the oldest idle ones are dropped. @default 10000 */
  maxClients?: number;
}

/** Token buckets keyed by client. Time is passed in, so the logic is pure and testable. */
export class TokenBuckets {
  readonly #rate: number;
  readonly #burst: number;
  readonly #max: number;
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  constructor(options: BucketOptions) {
    this.#rate = options.ratePerSecond;
    this.#burst = options.burst ?? options.ratePerSecond * 2;
    this.#max = options.maxClients ?? 10_000;
  }

  /** Takes one token; returns 0 when allowed, else the milliseconds until one is available. */
  take(client: string, nowMs: number): number {
    let bucket = this.#buckets.get(client);
    if (!bucket) {
      if (this.#buckets.size >= this.#max) {
        // Map iteration is insertion order: the first key is the least recently refreshed.
        this.#buckets.delete(this.#buckets.keys().next().value!);
      }
      bucket = { tokens: this.#burst, at: nowMs };
    } else {
      this.#buckets.delete(client);
      bucket.tokens = Math.min(
        this.#burst,
        bucket.tokens + ((nowMs - bucket.at) / 1000) * this.#rate,
      );
      bucket.at = nowMs;
    }
    this.#buckets.set(client, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - bucket.tokens) / this.#rate) * 1000);
  }
}

export interface RateLimitOptions extends BucketOptions {
  /** How to name the client. @default the remote address from Deno.serve */
  clientKey?: (c: Parameters<MiddlewareHandler>[0]) => string;
  now?: () => number;
}

export function rateLimit(options: RateLimitOptions): MiddlewareHandler {
  const buckets = new TokenBuckets(options);
  const now = options.now ?? Date.now;
  const key = options.clientKey ?? ((c) => {
    const info = c.env as { remoteAddr?: { hostname?: string } } | undefined;
    return info?.remoteAddr?.hostname ?? "local";
  });
  return async function rateLimitMiddleware(c, next) {
    const waitMs = buckets.take(key(c), now());
    if (waitMs > 0) {
      const seconds = Math.max(1, Math.ceil(waitMs / 1000));
      throw new HttpError(
        429,
        "rate_limited",
        `Too many requests: limit is ${options.ratePerSecond} per second; retry in ${seconds} s`,
        undefined,
        { "retry-after": String(seconds) },
      );
    }
    await next();
  };
}
