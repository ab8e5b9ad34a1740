/**
 * @module
 * The gateway among web pages. It listens on loopback, often without a token, so every page its
 * user opens can send it requests. `webSafety()` refuses what a browser sends on a hostile page's
 * behalf, with or without `GATEWAY_TOKEN`:
 * - a `Host` that is not the gateway's (DNS rebinding: a hostile name resolved to 127.0.0.1)
 *   → 403 on routes that hold data, 421 elsewhere; `/healthz` answers any `Host` so that probes
 *   may address the gateway by IP or service name (it holds no job data);
 * - a state-changing request (any method but GET, HEAD, OPTIONS) whose `Origin` is not the
 *   gateway's own, nor one given with `--allow-origin` → 403; a missing `Origin` is fine (curl
 *   and the edge send none; browsers always send one on such requests);
 * - a state-changing request whose body is not declared `application/json` → 415, and the JSON
 *   routes (`POST /task`, `POST /jobs/{id}/confirm`) need that declaration even when empty.
 *   A JSON content type makes any cross-site attempt a CORS preflight, which only
 *   `--allow-origin` origins pass. Body-less actions (cancel, retry) need no content type: a
 *   cross-site form posting to them is refused by the `Origin` check.
 *
 * The decisions are pure functions of the request's headers (`hostVerdict`, `originVerdict`,
 * `contentTypeVerdict`); the middleware only applies them. `pageSecurityHeaders` gives the
 * pages their strict Content-Security-Policy, scripts and styles admitted by hash.
 */
import { createHash } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import { HttpError } from "./http_errors.ts";

export interface ListenAddress {
  hostname: string;
  port: number;
}

export interface WebSafetyOptions {
  /** Origins besides the gateway's own that may change state (`--allow-origin`). */
  allowOrigins?: readonly string[];
  /** Host names besides loopback and the listening address (`--allowed-host`): `name` admits
   * it on any port, `name:port` on that port only. */
  allowedHosts?: readonly string[];
  /** Where the server listens, once known. Until then (in-process use) the loopback names
   * pass on any port. */
  listening?: () => ListenAddress | undefined;
}

/** Methods that never change state. */
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
/** Routes whose body is JSON, so that they need the content type even without a body. */
const JSON_ROUTES = [/^\/task\/?$/, /^\/jobs\/[^/]+\/confirm\/?$/];
/** Routes that hold no data: a wrong `Host` there is merely misdirected (421). */
const DATALESS = [/^\/$/, /^\/job\/[^/]*$/, /^\/docs$/, /^\/openapi\.json$/, /^\/favicon\.ico$/];
/** Answered whatever the `Host`: health probes address the gateway by IP or service name. */
const ANY_HOST = new Set(["/healthz"]);
const LOOPBACK_NAMES = ["localhost", "127.0.0.1", "[::1]"];
/** Addresses one listens on but no client names. */
const WILDCARDS = new Set(["0.0.0.0", "[::]"]);

interface Authority {
  readonly hostname: string;
  /** Always present: 80 when the authority names none. */
  readonly port: string;
}

/** `host[:port]` as a browser sends it, normalised (case, IP forms); undefined if malformed. */
export function parseAuthority(value: string): Authority | undefined {
  // Every request names the same few hosts: parse each once (`new URL` costs microseconds).
  if (authorities.has(value)) return authorities.get(value);
  const authority = parseAuthorityOnce(value);
  if (authorities.size >= AUTHORITIES_KEPT) authorities.clear();
  authorities.set(value, authority);
  return authority;
}

const AUTHORITIES_KEPT = 256;
const authorities = new Map<string, Authority | undefined>();

function parseAuthorityOnce(value: string): Authority | undefined {
  if (!value || value.length > 255 || /[\s/\\?#@%]/.test(value)) return undefined;
  try {
    const url = new URL(`http://${value}`);
    return Object.freeze({ hostname: url.hostname.toLowerCase(), port: url.port || "80" });
  } catch {
    return undefined;
  }
}

/** `--allowed-host` values: `name` or `name:port` (IPv6 in brackets). */
export function isHostPattern(value: string): boolean {
  return parseAuthority(value) !== undefined;
}

/** `--allow-origin` values: `scheme://host[:port]`, nothing more. */
export function normaliseOrigin(value: string): string | undefined {
  try {
    const url = new URL(value);
    if (url.protocol !== "http:" && url.protocol !== "https:") return undefined;
    if (url.username || url.password || url.search || url.hash) return undefined;
    if (url.pathname !== "/" || !/^https?:\/\/[^/]+\/?$/i.test(value)) return undefined;
    return url.origin;
  } catch {
    return undefined;
  }
}

const bracket = (hostname: string) => hostname.includes(":") ? `[${hostname}]` : hostname;

/** The names a client may use for this gateway, as written in the error message. */
function expectedHosts(listen: ListenAddress | undefined): string[] {
  const own = listen && bracket(listen.hostname.toLowerCase());
  const names = LOOPBACK_NAMES.filter((n) => n !== own);
  if (own && !WILDCARDS.has(own)) names.unshift(own);
  return listen ? names.map((n) => `${n}:${listen.port}`) : names;
}

function hostAllowed(
  authority: Authority,
  listen: ListenAddress | undefined,
  allowedHosts: readonly string[],
): boolean {
  const own = listen && bracket(listen.hostname.toLowerCase());
  const named = LOOPBACK_NAMES.includes(authority.hostname) ||
    (!!own && !WILDCARDS.has(own) && authority.hostname === own);
  if (named && (!listen || authority.port === String(listen.port))) {
    return true;
  }
  return allowedHosts.some((pattern) => {
    const allowed = parseAuthority(pattern);
    if (!allowed || allowed.hostname !== authority.hostname) return false;
    const withPort = /:\d+$/.test(pattern) && !pattern.endsWith("]");
    return !withPort || allowed.port === authority.port;
  });
}

export type Verdict = { ok: true } | { ok: false; error: HttpError };

const OK: Verdict = { ok: true };
const quote = (value: string) =>
  JSON.stringify(value.length > 120 ? value.slice(0, 120) + "…" : value);

/** Whether `host` names this gateway. */
export function namesGateway(
  host: string | undefined,
  listen: ListenAddress | undefined,
  allowedHosts: readonly string[] = [],
): boolean {
  const authority = host === undefined ? undefined : parseAuthority(host);
  return authority !== undefined && hostAllowed(authority, listen, allowedHosts);
}

/** The `Host` check. */
export function hostVerdict(
  host: string | undefined,
  path: string,
  listen: ListenAddress | undefined,
  allowedHosts: readonly string[] = [],
): Verdict {
  if (ANY_HOST.has(path) || namesGateway(host, listen, allowedHosts)) return OK;
  return { ok: false, error: hostError(host, path, listen) };
}

/** Why `host` is refused: 403 on routes that hold data, 421 (misdirected) elsewhere. */
function hostError(host: string | undefined, path: string, listen: ListenAddress | undefined) {
  const authority = host === undefined ? undefined : parseAuthority(host);
  const dataless = DATALESS.some((re) => re.test(path));
  const named = host ? `Host ${quote(host)}` : "A request without a Host header";
  const hint = authority && host ? `, or start the gateway with --allowed-host ${host}` : "";
  return new HttpError(
    dataless ? 421 : 403,
    "host_not_allowed",
    `${named} does not name this gateway: use ${expectedHosts(listen).join(", ")}${hint}`,
  );
}

/** The `Origin` check of a state-changing request; `host` is the request's Host if it names
 * this gateway (else undefined: an unchecked Host must not make a page "our own"). */
export function originVerdict(
  method: string,
  origin: string | undefined,
  fetchSite: string | undefined,
  host: string | undefined,
  allowOrigins: ReadonlySet<string>,
): Verdict {
  if (SAFE_METHODS.has(method)) return OK;
  if (origin === undefined) {
    // Browsers send an Origin on every such request; Sec-Fetch-Site backs that up.
    if (fetchSite !== "cross-site" && fetchSite !== "same-site") return OK;
    return {
      ok: false,
      error: new HttpError(
        403,
        "origin_not_allowed",
        `A ${fetchSite} request may not change this gateway's state: only its own pages may`,
      ),
    };
  }
  const own = host !== undefined ? parseAuthority(host) : undefined;
  const from = normaliseOrigin(origin);
  if (from && own) {
    const url = new URL(from);
    // http or https: behind a TLS proxy the page's scheme differs from the gateway's own.
    const authority = parseAuthority(url.host);
    const port = url.port || (url.protocol === "https:" ? "443" : "80");
    if (
      authority?.hostname === own.hostname &&
      (port === own.port || (url.protocol === "https:" && !url.port && own.port === "80"))
    ) return OK;
  }
  if (from && allowOrigins.has(from)) return OK;
  const admit = from ? ` (start it with --allow-origin ${from} to admit that origin)` : "";
  return {
    ok: false,
    error: new HttpError(
      403,
      "origin_not_allowed",
      `Origin ${quote(origin)} may not change this gateway's state: only its own pages may${admit}`,
    ),
  };
}

/** `application/json`, with no charset or UTF-8. */
export function isJsonContentType(value: string | undefined): boolean {
  if (!value) return false;
  // What clients send nearly always, answered before splitting and lower-casing the parameters.
  if (value === "application/json") return true;
  const [type, ...params] = value.split(";").map((p) => p.trim().toLowerCase());
  if (type !== "application/json") return false;
  return params.every((p) => {
    const [name, v = ""] = p.split("=").map((s) => s.trim());
    return name !== "charset" || v.replace(/^"|"$/g, "") === "utf-8";
  });
}

/** The content-type check of a state-changing request. */
export function contentTypeVerdict(
  method: string,
  path: string,
  contentType: string | undefined,
  hasBody: boolean,
): Verdict {
  if (SAFE_METHODS.has(method)) return OK;
  if (!hasBody && !JSON_ROUTES.some((re) => re.test(path))) return OK;
  if (isJsonContentType(contentType)) return OK;
  const got = contentType ? `got ${quote(contentType)}` : "got no content type";
  return {
    ok: false,
    error: new HttpError(
      415,
      "unsupported_media_type",
      `${method} ${path} takes a JSON body in UTF-8: add -H 'content-type: application/json' (${got})`,
    ),
  };
}

/** As HTTP/1.1 frames it (RFC 9112 §6.3): a request has a body only by Content-Length or
 * Transfer-Encoding (`Request.body` is never null on a served request, so it cannot tell). */
function hasBody(req: Request): boolean {
  if (req.headers.has("transfer-encoding")) return true;
  const length = req.headers.get("content-length");
  return length !== null && length.trim() !== "0";
}

/** The middleware: Host, then Origin, then content type; CORS for `--allow-origin` origins. */
export function webSafety(options: WebSafetyOptions = {}): MiddlewareHandler {
  const allowOrigins = new Set(
    (options.allowOrigins ?? []).map((o) => normaliseOrigin(o) ?? o),
  );
  const allowedHosts = options.allowedHosts ?? [];
  return async function webSafetyMiddleware(c, next) {
    const req = c.req.raw;
    const host = req.headers.get("host") ?? new URL(req.url).host;
    const origin = req.headers.get("origin") ?? undefined;
    const listen = options.listening?.();
    const path = c.req.path;
    // The Host is checked once, for both the Host and the Origin verdicts.
    const named = namesGateway(host, listen, allowedHosts);
    if (!named && !ANY_HOST.has(path)) throw hostError(host, path, listen);
    let v = originVerdict(
      req.method,
      origin,
      req.headers.get("sec-fetch-site") ?? undefined,
      named ? host : undefined,
      allowOrigins,
    );
    if (!v.ok) throw v.error;
    v = contentTypeVerdict(
      req.method,
      path,
      req.headers.get("content-type") ?? undefined,
      hasBody(req),
    );
    if (!v.ok) throw v.error;
    const admitted = origin !== undefined && allowOrigins.has(normaliseOrigin(origin) ?? "");
    if (admitted && req.method === "OPTIONS" && req.headers.has("access-control-request-method")) {
      return c.body(null, 204, {
        "access-control-allow-origin": normaliseOrigin(origin)!,
        "access-control-allow-methods": "GET, POST",
        "access-control-allow-headers": "authorization, content-type",
        "access-control-max-age": "600",
        vary: "Origin",
      });
    }
    await next();
    if (admitted) {
      c.res.headers.set("access-control-allow-origin", normaliseOrigin(origin)!);
      c.res.headers.append("vary", "Origin");
    }
  };
}

const sha256 = (text: string) => `'sha256-${createHash("sha256").update(text).digest("base64")}'`;

/** Headers for an HTML page whose inline scripts and styles are exactly these. */
export function pageSecurityHeaders(
  inline: { scripts: readonly string[]; styles: readonly string[] },
): Record<string, string> {
  const csp = [
    "default-src 'self'",
    `script-src ${inline.scripts.map(sha256).join(" ")}`,
    `style-src ${inline.styles.map(sha256).join(" ")}`,
    // Screenshots are fetched with the bearer header and shown from blob: URLs.
    "img-src 'self' blob:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
  return {
    "content-security-policy": csp,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
  };
}

/** `pageSecurityHeaders` for a constant page: its own inline scripts and styles, by hash. */
export function staticPageHeaders(html: string): Record<string, string> {
  const inner = (tag: string) =>
    [...html.matchAll(new RegExp(`<${tag}(?:\\s[^>]*)?>([\\s\\S]*?)</${tag}>`, "g"))].map((m) =>
      m[1]!
    );
  return pageSecurityHeaders({ scripts: inner("script"), styles: inner("style") });
}
