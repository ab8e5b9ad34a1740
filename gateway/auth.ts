/**
 * @module
 * Bearer-token check for `GATEWAY_TOKEN`, compared in constant time over SHA-256 digests so
 * neither content nor length leaks through timing.
 */
import type { MiddlewareHandler } from "hono";
import { HttpError } from "./http_errors.ts";

async function digest(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
}

/** Constant-time equality of two strings. */
export async function safeEqual(a: string, b: string): Promise<boolean> {
  const [da, db] = await Promise.all([digest(a), digest(b)]);
  let diff = 0;
  for (let i = 0; i < da.length; i++) diff |= da[i]! ^ db[i]!;
  return diff === 0;
}

export interface BearerAuthOptions {
  token: string;
  /**
   * Paths open without a token: health, and the dashboard's and docs' HTML pages, which hold no
   * data (their scripts send the token with every data call).
   * @default ["/healthz", "/", "/docs", "/openapi.json"] and `/job/<id>` pages
   */
  open?: readonly string[];
}

export function bearerAuth(options: BearerAuthOptions): MiddlewareHandler {
  const open = new Set(options.open ?? ["/healthz", "/", "/docs", "/openapi.json", "/favicon.ico"]);
  return async function bearerAuthMiddleware(c, next) {
    if (
      open.has(c.req.path) || (c.req.method === "GET" && /^\/job\/[A-Za-z0-9_-]+$/.test(c.req.path))
    ) return next();
    const header = c.req.header("authorization") ?? "";
    const match = /^Bearer\s+(.+)$/i.exec(header);
    if (!match || !(await safeEqual(match[1]!.trim(), options.token))) {
      throw new HttpError(
        401,
        "unauthorized",
        match
          ? "Invalid bearer token"
          : "Missing bearer token: send 'Authorization: Bearer <GATEWAY_TOKEN>'",
        undefined,
        { "www-authenticate": 'Bearer realm="gateway"' },
      );
    }
    return next();
  };
}
