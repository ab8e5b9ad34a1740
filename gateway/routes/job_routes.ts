/**
 * @module
 * Reading and steering jobs: `/status/:job_id`, `/utterances/:id` (fan-in), `/jobs` with
 * filters and cursor pagination, and retry, cancel and confirm.
 */
import { Hono } from "hono";
import { z } from "zod";
import { Id, JobState, publicJob, TaskIntent } from "@shared/schemas/mod.ts";
import type { AppDeps } from "../app_deps.ts";
import { HttpError, notFound, validationError } from "../http_errors.ts";
import { fanIn } from "./fan_in.ts";
import { answerConfirmation } from "../control/steer.ts";

function parseId(value: string, what: string): string {
  const r = Id.safeParse(value);
  if (!r.success) {
    throw new HttpError(400, "invalid_id", `Invalid ${what} id: ${r.error.issues[0]!.message}`);
  }
  return r.data;
}

const ListQuery = z.object({
  status: JobState.optional(),
  intent: TaskIntent.optional(),
  utterance_id: Id.optional(),
  cursor: Id.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
}).strict();

const ConfirmBody = z.object({ decision: z.enum(["allow", "deny"]) }).strict();

export function jobRoutes(deps: AppDeps): Hono {
  const app = new Hono();
  const q = deps.queue;

  app.get("/status/:job_id", async (c) => {
    const id = parseId(c.req.param("job_id"), "job");
    const job = await q.get(id);
    if (!job) throw notFound("job", id);
    return c.json(publicJob(job));
  });

  app.get("/utterances/:utterance_id", async (c) => {
    const id = parseId(c.req.param("utterance_id"), "utterance");
    const utterance = await q.getUtterance(id);
    if (!utterance) throw notFound("utterance", id);
    return c.json(fanIn(utterance, await q.listByUtterance(id)));
  });

  app.get("/jobs", async (c) => {
    const parsed = ListQuery.safeParse(c.req.query());
    if (!parsed.success) throw validationError(parsed.error, "query");
    const page = await q.list(parsed.data);
    return c.json({ jobs: page.jobs.map(publicJob), next_cursor: page.next_cursor });
  });

  app.post("/jobs/:job_id/retry", async (c) => {
    const id = parseId(c.req.param("job_id"), "job");
    const before = await q.get(id);
    if (!before) throw notFound("job", id);
    if (before.status !== "failed" && before.status !== "dead") {
      throw new HttpError(
        409,
        "not_retryable",
        `Cannot retry job '${id}' as it is '${before.status}': only failed or dead jobs can be retried`,
      );
    }
    const job = (await q.retry(id))!;
    deps.tracer.emit({
      source: "gateway.http",
      event: "job.retried",
      job_id: id,
      utterance_id: job.utterance_id,
      data: { intent: job.intent, from: before.status },
    });
    return c.json(publicJob(job), 202);
  });

  app.post("/jobs/:job_id/cancel", async (c) => {
    const id = parseId(c.req.param("job_id"), "job");
    if (deps.engine) {
      const job = await deps.engine.cancel(id);
      if (!job) throw notFound("job", id);
      return c.json(publicJob(job), 202);
    }
    // HTTP only (--no-engine): a waiting job ends here, so its end is traced here; a running
    // one is stopped by the engine that holds it, which traces that.
    const before = await q.get(id);
    const job = await q.cancel(id);
    if (!job) throw notFound("job", id);
    if (before?.status !== "cancelled" && job.status === "cancelled") {
      deps.tracer.emit({
        source: "gateway.http",
        event: "job.cancelled",
        job_id: id,
        utterance_id: job.utterance_id,
        data: { intent: job.intent, reason: "cancelled by request", attempts: job.attempts },
      });
    }
    return c.json(publicJob(job), 202);
  });

  app.post("/jobs/:job_id/confirm", async (c) => {
    const id = parseId(c.req.param("job_id"), "job");
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      throw new HttpError(400, "invalid_json", "Request body is not valid JSON");
    }
    const parsed = ConfirmBody.safeParse(body);
    if (!parsed.success) throw validationError(parsed.error);
    const job = await q.get(id);
    if (!job) throw notFound("job", id);
    // Through this process's engine when it holds the job, through the store otherwise: the
    // engine holding it in another process (a worker) passes the answer on.
    const answered = job.status === "awaiting_confirmation"
      ? await answerConfirmation(deps, id, parsed.data.decision)
      : null;
    if (!answered) {
      const now = (await q.get(id)) ?? job;
      throw new HttpError(
        409,
        "not_awaiting_confirmation",
        now.status === "awaiting_confirmation"
          ? `Cannot confirm job '${id}' as it was answered already`
          : `Cannot confirm job '${id}' as it is '${now.status}', not awaiting a confirmation`,
      );
    }
    return c.json(publicJob(answered), 202);
  });

  return app;
}
