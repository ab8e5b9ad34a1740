/**
 * @module
 * `POST /task`: natural language (routed) or explicit TaskSpecs in, jobs out. Idempotent on
 * `utterance_id`.
 */
import { Hono } from "hono";
import {
  exceedsDepth,
  MAX_JSON_DEPTH,
  type QueuedJob,
  type SkippedClause,
  type TaskAccepted,
  TaskRequest,
  type TaskSpec,
  type TaskUnrouted,
} from "@shared/schemas/mod.ts";
import type { AppDeps } from "../app_deps.ts";
import { HttpError, validationError } from "../http_errors.ts";
import { createRouting, type Routing } from "../router/routing.ts";
import { unroutedSay } from "../router/unrouted_say.ts";
import { newId } from "../queue/ids.ts";
import type { NewUtterance } from "../queue/queue.ts";
import { jsonCopy } from "@shared/schemas/json_copy.ts";
import type { JsonValue } from "@shared/schemas/json_value.ts";
import { runVoiceCommand } from "../control/voice_control.ts";
import { commandPatterns } from "../control/command_parser.ts";

export function taskRoutes(deps: AppDeps): Hono {
  const app = new Hono();
  const maxAttempts = deps.maxAttempts ?? (() => 3);
  const route = deps.route ?? createRouting(deps.skills, { mode: "patterns" });
  // The voice-command grammars are built now, at start-up, rather than on the first request.
  commandPatterns(deps.skills.map((s) => s.intent));

  app.post("/task", async (c) => {
    const raw = await c.req.text();
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch (err) {
      throw new HttpError(
        400,
        "invalid_json",
        `Request body is not valid JSON: ${err instanceof Error ? err.message : err}`,
      );
    }
    if (exceedsDepth(body)) {
      throw new HttpError(
        422,
        "validation_failed",
        `Invalid request body: nested deeper than ${MAX_JSON_DEPTH} levels`,
      );
    }
    const parsed = TaskRequest.safeParse(body);
    if (!parsed.success) throw validationError(parsed.error);
    const req = parsed.data;
    const utteranceId = req.utterance_id ?? newId();
    if (req.text !== undefined && !req.tasks) {
      // A whole-utterance voice command ("cancel that") steers the session's jobs instead.
      const command = await runVoiceCommand(deps, {
        utterance_id: utteranceId,
        text: req.text,
        source: req.source,
        session_id: req.session_id,
      });
      if (command) return Response.json(command, { status: 200 });
    }
    const priority = req.source === "voice" ? "interactive" : "background";
    let tasks: TaskSpec[];
    let skipped: SkippedClause[] = [];
    let routing: Routing | undefined;
    const text = req.text ?? req.tasks!.map((t) => t.instruction).join("; ");
    if (req.tasks) {
      // A task that names no priority takes the request's: interactive when it was spoken.
      const raw = (body as { tasks?: { priority?: unknown }[] }).tasks ?? [];
      tasks = req.tasks.map((t, i) => ({
        ...t,
        priority: raw[i]?.priority === undefined ? priority : t.priority,
        clause: t.clause ?? t.instruction,
      }));
    } else {
      routing = await route(text, priority);
      tasks = routing.tasks;
      skipped = routing.skipped;
    }
    const started = performance.now();
    const record: NewUtterance = {
      utterance_id: utteranceId,
      text,
      source: req.source,
      session_id: req.session_id,
    };
    if (!tasks.length) record.unrouted = true;
    if (routing?.usage) record.router_usage = routing.usage;
    const { created, utterance, jobs } = await deps.queue.enqueue(
      record,
      tasks.map((spec) => ({ spec, max_attempts: maxAttempts(spec.intent) })),
    );
    if (created) {
      for (const job of jobs) deps.metrics.countEnqueued(job.intent);
      if (jobs.length === 0) deps.metrics.unrouted.inc();
      const data: Record<string, JsonValue> = {
        text: text.slice(0, 500),
        source: req.source,
        session_id: req.session_id ?? null,
        intents: jobs.map((j) => j.intent),
        skipped: jsonCopy(skipped),
      };
      if (routing) data.router = routingTrace(routing);
      deps.tracer.emit({
        source: "gateway.router",
        event: jobs.length ? "utterance.routed" : "utterance.unrouted",
        utterance_id: utteranceId,
        duration_ms: Math.round((performance.now() - started) * 1000) / 1000,
        data,
      });
      for (const job of jobs) {
        deps.tracer.emit({
          source: "gateway.queue",
          event: "job.enqueued",
          job_id: job.job_id,
          utterance_id: utteranceId,
          data: { intent: job.intent, priority: job.priority, clause: job.spec.clause ?? null },
        });
      }
    }
    const jobsOut = jobs.map((j): QueuedJob => ({
      job_id: j.job_id,
      intent: j.intent,
      status: j.status,
      clause: j.spec.clause ?? j.spec.instruction,
    }));
    if (utterance.job_ids.length === 0) {
      const answer: TaskUnrouted = {
        utterance_id: utteranceId,
        jobs: [],
        unrouted: true,
        duplicate: !created,
        message: "No skill matched this request; nothing was queued",
        say: unroutedSay(deps.skills),
        skipped,
      };
      return Response.json(answer, { status: 200 });
    }
    const answer: TaskAccepted = {
      utterance_id: utteranceId,
      jobs: jobsOut,
      duplicate: !created,
      skipped,
    };
    // Answered as a plain Response: the same JSON and content type as `c.json`, without Hono
    // building and checking a header set for it on every request (no middleware before this
    // route prepares headers; those after it add theirs to the response itself).
    return Response.json(answer, { status: 202 });
  });

  return app;
}

/** What a trace keeps of a routing decision: who decided, why, and each clause's scores. */
function routingTrace(r: Routing) {
  return jsonCopy({
    by: r.by,
    reason: r.reason.slice(0, 500),
    margin: r.margin,
    clauses: r.clauses.map((c) => ({ ...c, clause: c.clause.slice(0, 200) })),
    ...(r.learned ? { learned: r.learned } : {}),
    ...(r.usage ? { usage: r.usage } : {}),
  });
}
