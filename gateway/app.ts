/**
 * @module
 * The gateway's HTTP app: `createApp(deps)` builds it from injected parts, so tests call
 * `app.request(...)` in-process and `main.ts` serves it with `Deno.serve`.
 */
import { type Context, Hono } from "hono";
import { matchedRoutes } from "hono/route";
import { getLogger } from "@logtape/logtape";
import type { AppDeps } from "./app_deps.ts";
import { HttpError } from "./http_errors.ts";
import { bearerAuth } from "./auth.ts";
import { headerLimit } from "./header_limits.ts";
import { bodyLimit } from "./body_limit.ts";
import { rateLimit } from "./rate_limit.ts";
import { webSafety } from "./web_safety.ts";
import { taskRoutes } from "./routes/task_routes.ts";
import { jobRoutes } from "./routes/job_routes.ts";
import { observabilityRoutes } from "./routes/observability_routes.ts";
import { dashboardRoutes } from "./dashboard/dashboard_routes.tsx";
import { openapiRoutes } from "./openapi/openapi.ts";
import { vocabularyRoutes } from "./routes/vocabulary_routes.ts";

const log = getLogger(["gateway", "http"]);

/** `/jobs/:job_id/cancel` → a regex matching concrete paths. */
function patternRegex(path: string): RegExp {
  const body = path.split("/").map((seg) =>
    seg.startsWith(":") ? "[^/]+" : seg.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
  ).join("/");
  return new RegExp(`^${body}/?$`);
}

/** The pattern of the route that answered (the last one matched that is not middleware). */
function routeOf(c: Context): string {
  const matched = matchedRoutes(c);
  for (let i = matched.length - 1; i >= 0; i--) {
    const r = matched[i]!;
    if (r.method !== "ALL") return r.path;
  }
  return "(unmatched)";
}

export function createApp(deps: AppDeps): Hono {
  const app = new Hono();
  const maxBody = deps.maxBodyBytes ?? 64 * 1024;

  // Timing, metrics and a trace event for every request, whatever its outcome.
  app.use("*", async function requestTelemetry(c, next) {
    const started = performance.now();
    await next();
    const seconds = (performance.now() - started) / 1000;
    const route = routeOf(c);
    const status = String(c.res.status);
    deps.metrics.observeHttp(route, c.req.method, status, seconds);
    // Scrapes would drown the traces.
    if (route !== "/metrics" && route !== "/healthz") {
      deps.tracer.emit({
        source: "gateway.http",
        event: "http.request",
        duration_ms: Math.round(seconds * 1e6) / 1e3,
        data: { method: c.req.method, route, status: c.res.status },
      });
    }
    // Hono answers HEAD by running the GET handler and dropping its body without cancelling it,
    // so an SSE stream begun that way would stay subscribed to the tracer for good: end it here.
    // (Here rather than in a middleware of its own: each layer costs every request a closure and
    // a promise.)
    if (c.req.method === "HEAD" && c.res.body && !c.res.bodyUsed) {
      await c.res.body.cancel().catch(() => {});
    }
  });

  // Before auth and routing, so that nothing reads an oversized header.
  app.use("*", headerLimit());

  // Before auth: a hostile page's request is refused alike with and without a token.
  app.use("*", webSafety(deps.webSafety));

  if (deps.token) app.use("*", bearerAuth({ token: deps.token }));

  app.use(
    "*",
    bodyLimit({
      maxSize: maxBody,
      onError: () => {
        throw new HttpError(
          413,
          "body_too_large",
          `Request body exceeds the limit of ${maxBody} bytes`,
        );
      },
    }),
  );

  if (deps.rateLimitPerSecond) {
    app.post(
      "/task",
      rateLimit({ ratePerSecond: deps.rateLimitPerSecond, ...(deps.now ? { now: deps.now } : {}) }),
    );
  }

  app.route("/", taskRoutes(deps));
  app.route("/", jobRoutes(deps));
  app.route("/", observabilityRoutes(deps));
  app.route("/", dashboardRoutes(deps));
  app.route("/", openapiRoutes());
  app.route("/", vocabularyRoutes({ workspace: deps.workspace }));

  // Built on the first unmatched request, when every route is registered: building a regex per
  // route on every 404 made a miss cost several times a routed request.
  let patterns: { method: string; regex: RegExp }[] | undefined;
  app.notFound((c) => {
    patterns ??= app.routes.filter((r) => r.method !== "ALL").map((r) => ({
      method: r.method,
      regex: patternRegex(r.path),
    }));
    const allowed = new Set<string>();
    for (const { method, regex } of patterns) {
      if (regex.test(c.req.path)) allowed.add(method);
    }
    if (allowed.size > 0) {
      const methods = [...allowed].sort().join(", ");
      return c.json(
        {
          error: "method_not_allowed",
          message: `Method ${c.req.method} is not allowed on ${c.req.path}; use ${methods}`,
        },
        405,
        { allow: methods },
      );
    }
    return c.json(
      { error: "not_found", message: `No route for ${c.req.method} ${c.req.path}` },
      404,
    );
  });

  app.onError(async (err, c) => {
    if (err instanceof HttpError) return err.getResponse();
    // The queue store being down is an outage, not a bug: 503 so that clients retry.
    const storeDown = deps.queue.isUnavailable?.(err) ||
      await deps.queue.ping().then(() => false, () => true);
    if (storeDown) {
      log.warn("Queue store unavailable on {method} {path}: {error}", {
        method: c.req.method,
        path: c.req.path,
        error: err instanceof Error ? err.message : String(err),
      });
      return c.json(
        { error: "store_unavailable", message: "The queue store is not answering; retry shortly" },
        503,
        { "retry-after": "1" },
      );
    }
    // Anything else is a bug: log it fully, answer without internals.
    log.error("Unhandled error on {method} {path}: {error}", {
      method: c.req.method,
      path: c.req.path,
      error: err instanceof Error ? (err.stack ?? err.message) : String(err),
    });
    return c.json({ error: "internal", message: "Internal error; see the gateway log" }, 500);
  });

  return app;
}
