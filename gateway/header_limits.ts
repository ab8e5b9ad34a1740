/**
 * @module
 * A cap on the size of a request's header section. `Deno.serve` on its own lets a 64 KB header
 * through, and every middleware after it (auth, routing, logging) would read it: the gateway
 * refuses oversized headers first, with 431 and the usual JSON error body.
 */
import type { MiddlewareHandler } from "hono";
import { HttpError } from "./http_errors.ts";

/** Header bytes the gateway accepts per request: 16 KiB. */
export const DEFAULT_MAX_HEADER_BYTES = 16 * 1024;

export interface HeaderLimitOptions {
  /** Largest header section accepted, counted as by {@link headerBytes}. @default 16384 */
  maxBytes?: number;
}

/**
 * Size of a header section as sent over HTTP/1.1: `name: value\r\n` per header. Header values
 * are byte strings (one character per byte), so string lengths are byte counts.
 */
export function headerBytes(headers: Headers): number {
  let total = 0;
  // forEach walks the same pairs as for-of without an iterator result per header.
  headers.forEach((value, name) => {
    total += name.length + value.length + 4;
  });
  return total;
}

export function headerLimit(options: HeaderLimitOptions = {}): MiddlewareHandler {
  const max = options.maxBytes ?? DEFAULT_MAX_HEADER_BYTES;
  return async function headerLimitMiddleware(c, next) {
    const size = headerBytes(c.req.raw.headers);
    if (size > max) {
      throw new HttpError(
        431,
        "headers_too_large",
        `Request header fields exceed the limit of ${max} bytes: current size is ${size}`,
      );
    }
    await next();
  };
}
