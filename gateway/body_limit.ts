/**
 * @module
 * A cap on the size of a request's body that reads the body's stream only when the headers
 * cannot tell. Hono's `bodyLimit` opens `Request.body` on every request to see whether there is
 * one, and a served request whose stream has been opened is then read through it, costing more
 * CPU than the whole bare handler: a request that declares its `Content-Length` is judged by it
 * and read later in one piece. A chunked body (or an in-process request with a body and no
 * length) is read here, up to the limit, and handed on buffered, as Hono does.
 */
import type { Context, MiddlewareHandler } from "hono";

export interface BodyLimitOptions {
  /** Largest body accepted, in bytes. */
  maxSize: number;
  /** Called for a body over the limit: throws or answers. */
  onError: (c: Context) => Response | Promise<Response>;
}

/** Methods whose requests never carry a body (the Fetch API refuses one). */
const NO_BODY = new Set(["GET", "HEAD"]);

export function bodyLimit(options: BodyLimitOptions): MiddlewareHandler {
  const { maxSize, onError } = options;
  return async function bodyLimitMiddleware(c, next) {
    const req = c.req.raw;
    const chunked = req.headers.has("transfer-encoding");
    const length = req.headers.get("content-length");
    if (length !== null && !chunked) {
      return parseInt(length, 10) > maxSize ? onError(c) : next();
    }
    // No length and no chunks: a served GET or HEAD has no body to read.
    if (!chunked && NO_BODY.has(req.method)) return next();
    if (!req.body) return next();
    const reader = req.body.getReader();
    let size = 0;
    let buffer = new Uint8Array(0);
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const offset = size;
      size += value.length;
      if (size > maxSize) {
        await reader.cancel().catch(() => {});
        return onError(c);
      }
      if (size > buffer.length) {
        const grown = new Uint8Array(Math.min(maxSize, Math.max(size, buffer.length * 2)));
        grown.set(buffer.subarray(0, offset));
        buffer = grown;
      }
      buffer.set(value, offset);
    }
    c.req.raw = new Request(req, { body: buffer.subarray(0, size) });
    await next();
  };
}
