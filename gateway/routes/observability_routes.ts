/**
 * @module
 * `/traces`, `/metrics` and `/healthz`.
 */
import { Hono } from "hono";
import { z } from "zod";
import { Id } from "@shared/schemas/mod.ts";
import type { AppDeps } from "../app_deps.ts";
import { validationError } from "../http_errors.ts";

const TracesQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  job_id: Id.optional(),
  utterance_id: Id.optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  event: z.string().max(64).optional(),
}).strict();

export function observabilityRoutes(deps: AppDeps): Hono {
  const app = new Hono();

  app.get("/traces", async (c) => {
    const parsed = TracesQuery.safeParse(c.req.query());
    if (!parsed.success) throw validationError(parsed.error, "query");
    const { since, ...rest } = parsed.data;
    const events = await deps.tracer.query({
      ...rest,
      ...(since ? { since: new Date(since).toISOString() } : {}),
    });
    return c.json({ events });
  });

  app.get("/metrics", async (c) => {
    return c.body(await deps.metrics.render(), 200, { "content-type": deps.metrics.contentType });
  });

  app.get("/healthz", async (c) => {
    const checks: Record<string, string> = {};
    let ok = true;
    for (
      const [name, ping] of [
        ["queue", () => deps.queue.ping()],
        ["traces", () => deps.tracer.ping()],
      ] as const
    ) {
      try {
        await ping();
        checks[name] = "ok";
      } catch (err) {
        ok = false;
        checks[name] = err instanceof Error ? err.message : String(err);
      }
    }
    // Counts since start, not health: a store that failed a write and answers again is healthy,
    // and the lines it missed are still in the JSONL file. The reasons stay in the logs (this
    // route is open to anyone who can reach the gateway).
    const trace_sinks = {
      write_errors: deps.tracer.sinkErrors,
      lines_dropped: deps.tracer.linesDropped,
    };
    return c.json(
      { ok, queue: deps.queue.backend, auth_required: !!deps.token, checks, trace_sinks },
      ok ? 200 : 503,
    );
  });

  return app;
}
