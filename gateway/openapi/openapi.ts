/**
 * @module
 * The OpenAPI 3.1 document of the gateway, generated from the same zod schemas the routes
 * parse with (`z.toJSONSchema`), plus `GET /openapi.json` and a small docs page at `/docs`.
 */
import { Hono } from "hono";
import { z } from "zod";
import {
  ControlAnswer,
  FanIn,
  PublicJob,
  TaskAccepted,
  TaskRequest,
  TaskUnrouted,
  TraceEvent,
  Usage,
  UtteranceRecord,
} from "@shared/schemas/mod.ts";
import { staticPageHeaders } from "../web_safety.ts";

/** Shared definitions (e.g. the recursive JSON value) hoisted into `components.schemas`. */
const hoisted: Record<string, unknown> = {};

const schema = (s: z.ZodType, name: string) => {
  const { $schema: _, $defs, ...rest } = z.toJSONSchema(s, {
    io: "input",
    unrepresentable: "any",
  }) as Record<string, unknown>;
  // Local `#/$defs/x` references become document-level component references.
  const rename = (text: string) => text.replaceAll('"#/$defs/', `"#/components/schemas/${name}_`);
  for (const [key, def] of Object.entries(($defs ?? {}) as Record<string, unknown>)) {
    hoisted[`${name}_${key}`] = JSON.parse(rename(JSON.stringify(def)));
  }
  return JSON.parse(rename(JSON.stringify(rest)));
};

const ErrorBody = z.object({
  error: z.string(),
  message: z.string(),
  details: z.unknown().optional(),
});
const Job = PublicJob;
const Health = z.object({
  ok: z.boolean(),
  queue: z.enum(["memory", "kv", "redis"]),
  auth_required: z.boolean(),
  checks: z.record(z.string(), z.string()),
  trace_sinks: z.object({
    write_errors: z.number().int().min(0).describe(
      "trace sink writes that failed or got no answer in time, since start",
    ),
    lines_dropped: z.number().int().min(0).describe(
      "trace lines a sink never got, dropped oldest first while too many waited for it, since start",
    ),
  }),
});
const JobPage = z.object({ jobs: z.array(Job), next_cursor: z.string().nullable() });
const Traces = z.object({ events: z.array(TraceEvent) });
const Vocabulary = z.object({
  terms: z.array(z.string().max(64)).max(100).describe(
    "identifiers and file names of the coding workspace, most mentioned first; no '<', '>' or line breaks",
  ),
});

const json = (ref: string) => ({
  content: { "application/json": { schema: { $ref: `#/components/schemas/${ref}` } } },
});
const error = (description: string) => ({ description, ...json("Error") });
const idParam = (name: string) => ({
  name,
  in: "path",
  required: true,
  schema: { type: "string", pattern: "^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$" },
});
const query = (name: string, type: "string" | "integer", description: string) => ({
  name,
  in: "query",
  required: false,
  description,
  schema: { type },
});
const common = {
  "401": error("Missing or wrong bearer token (when GATEWAY_TOKEN is set)"),
  "431": error("Request headers over 16 KiB in all"),
  "403": error("A Host that does not name this gateway; on a POST, another site's Origin"),
};

export function buildOpenApi(): Record<string, unknown> {
  return {
    openapi: "3.1.0",
    info: {
      title: "Voice-to-agent orchestration gateway",
      version: "0.1.0",
      description:
        "Routes natural-language requests into jobs run by sandboxed agent workers; fans results back in per utterance.",
    },
    // Relative: the document describes the gateway that serves it.
    servers: [{ url: "/", description: "this gateway (default http://127.0.0.1:8787)" }],
    components: {
      securitySchemes: {
        bearer: {
          type: "http",
          scheme: "bearer",
          description: "GATEWAY_TOKEN, when the gateway has one",
        },
      },
      schemas: {
        TaskRequest: schema(TaskRequest, "TaskRequest"),
        TaskAccepted: schema(TaskAccepted, "TaskAccepted"),
        TaskUnrouted: schema(TaskUnrouted, "TaskUnrouted"),
        ControlAnswer: schema(ControlAnswer, "ControlAnswer"),
        Job: schema(Job, "Job"),
        JobPage: schema(JobPage, "JobPage"),
        FanIn: schema(FanIn, "FanIn"),
        Utterance: schema(UtteranceRecord, "Utterance"),
        Health: schema(Health, "Health"),
        Traces: schema(Traces, "Traces"),
        Vocabulary: schema(Vocabulary, "Vocabulary"),
        Usage: schema(Usage, "Usage"),
        TraceEvent: schema(TraceEvent, "TraceEvent"),
        Error: schema(ErrorBody, "Error"),
        ...hoisted,
      },
    },
    security: [{ bearer: [] }],
    paths: {
      "/task": {
        post: {
          operationId: "postTask",
          summary: "Route natural language (or explicit tasks) into jobs",
          requestBody: { required: true, ...json("TaskRequest") },
          responses: {
            "202": {
              description: "Jobs queued (the same utterance_id again returns the same jobs)",
              ...json("TaskAccepted"),
            },
            "200": {
              description: "No skill matched: nothing was queued (a TaskUnrouted); or the whole " +
                "utterance was a voice command (cancel, confirm, deny, status, retry) that acted " +
                "only on jobs of the request's session_id (a ControlAnswer, traced as " +
                "control.<action>)",
              content: {
                "application/json": {
                  schema: {
                    oneOf: [
                      { $ref: "#/components/schemas/TaskUnrouted" },
                      { $ref: "#/components/schemas/ControlAnswer" },
                    ],
                  },
                },
              },
            },
            "400": error("Body is not valid JSON"),
            "413": error("Body over 64 KiB"),
            "422": error("Schema errors, with the field paths"),
            "429": error("Over the per-client rate limit; see Retry-After"),
            "415": error("Body not sent as content-type: application/json"),
            ...common,
          },
        },
      },
      "/status/{job_id}": {
        get: {
          operationId: "getStatus",
          summary: "One job",
          parameters: [idParam("job_id")],
          responses: {
            "200": { description: "The job", ...json("Job") },
            "404": error("Unknown job"),
            "400": error("Malformed id"),
            ...common,
          },
        },
      },
      "/utterances/{utterance_id}": {
        get: {
          operationId: "getUtterance",
          summary: "Fan-in: an utterance, its jobs, overall status, summed usage and cost",
          parameters: [idParam("utterance_id")],
          responses: {
            "200": { description: "Fan-in", ...json("FanIn") },
            "400": error("Malformed id"),
            "404": error("Unknown utterance"),
            ...common,
          },
        },
      },
      "/jobs": {
        get: {
          operationId: "listJobs",
          summary: "Jobs, newest first, with filters and cursor pagination",
          parameters: [
            query(
              "status",
              "string",
              "queued, delayed, running, awaiting_confirmation, succeeded, failed, dead, cancelled",
            ),
            query("intent", "string", "skill name"),
            query("utterance_id", "string", "only this utterance's jobs"),
            query("cursor", "string", "next_cursor of the previous page"),
            query("limit", "integer", "1-500, default 50"),
          ],
          responses: {
            "200": { description: "A page of jobs", ...json("JobPage") },
            "422": error("Bad query"),
            ...common,
          },
        },
      },
      "/jobs/{job_id}/retry": {
        post: {
          operationId: "retryJob",
          summary: "Re-queue a failed or dead job",
          parameters: [idParam("job_id")],
          responses: {
            "202": { description: "Re-queued", ...json("Job") },
            "409": error("Not failed or dead"),
            "404": error("Unknown job"),
            ...common,
          },
        },
      },
      "/jobs/{job_id}/cancel": {
        post: {
          operationId: "cancelJob",
          summary: "Cancel a job (a running one is aborted)",
          parameters: [idParam("job_id")],
          responses: {
            "202": { description: "Cancelled or cancel requested", ...json("Job") },
            "404": error("Unknown job"),
            ...common,
          },
        },
      },
      "/jobs/{job_id}/confirm": {
        post: {
          operationId: "confirmJob",
          summary: "Allow or deny an action a job is waiting on",
          parameters: [idParam("job_id")],
          requestBody: {
            required: true,
            content: {
              "application/json": {
                schema: {
                  type: "object",
                  required: ["decision"],
                  properties: { decision: { enum: ["allow", "deny"] } },
                },
              },
            },
          },
          responses: {
            "202": { description: "Resumed", ...json("Job") },
            "409": error("Not awaiting a confirmation"),
            "404": error("Unknown job"),
            "415": error("Body not sent as content-type: application/json"),
            ...common,
          },
        },
      },
      "/traces": {
        get: {
          operationId: "getTraces",
          summary: "Recent trace events, newest last",
          parameters: [
            query("limit", "integer", "1-1000, default 100"),
            query("job_id", "string", ""),
            query("utterance_id", "string", ""),
            query("since", "string", "ISO timestamp"),
            query("event", "string", "only this event name, e.g. job.failed"),
          ],
          responses: {
            "200": { description: "Events", ...json("Traces") },
            "422": error("Bad query"),
            ...common,
          },
        },
      },
      "/events": {
        get: {
          operationId: "events",
          summary: "Live trace events and queue snapshots (Server-Sent Events)",
          description:
            "`event: hello` first (`{ bucket_ms, history: [chart point], depth }`), then `event: trace` " +
            "(a TraceEvent) for every event, `event: stats` (`{ depth, point }`) every 2 s, " +
            "`event: gap` (`{ dropped }`) when a slow client missed events, and `: ping` comments " +
            "when idle. Browsers read it with fetch to send the bearer header. Narrowed to a " +
            "`session_id` or an `utterance_id`, it is also a speaker's feed read from the queue " +
            "store (so it covers jobs run by other processes): `event: job` on every status " +
            "change (`{ job_id, utterance_id, session_id?, intent, status, clause, attempts, " +
            "confirmation?: { prompt }, summary?, error?, cost_usd?, initial? }`), " +
            "`event: utterance` (the FanIn) when every job of an utterance is final, and " +
            "`event: control` (`{ utterance_id, session_id, text, action, job_ids, say }`) for a " +
            "voice command of the session; `initial: true` marks the state found at connect.",
          parameters: [
            query("job_id", "string", "only this job's trace events"),
            query("utterance_id", "string", "only this utterance's events"),
            query("session_id", "string", "only this session's events (its 20 newest utterances)"),
          ],
          responses: {
            "200": {
              description: "text/event-stream",
              content: { "text/event-stream": { schema: { type: "string" } } },
            },
            "422": error("Bad query"),
            ...common,
          },
        },
      },
      "/vocabulary": {
        get: {
          operationId: "getVocabulary",
          summary: "Words of the coding workspace for the transcription prompt",
          description:
            "At most 100 identifiers and file names of the coding workspace (`--workspace` / CODING_WORKSPACE), most mentioned first; an empty list without a workspace. The edge puts them into its transcription prompt so spoken code names come out right.",
          responses: {
            "200": { description: "Terms", ...json("Vocabulary") },
            "503": error("The configured workspace cannot be read"),
            ...common,
          },
        },
      },
      "/metrics": {
        get: {
          operationId: "metrics",
          summary: "Prometheus text exposition",
          responses: {
            "200": {
              description: "Metrics",
              content: { "text/plain": { schema: { type: "string" } } },
            },
            ...common,
          },
        },
      },
      "/healthz": {
        get: {
          operationId: "health",
          summary: "Queue and trace store answer",
          security: [],
          responses: {
            "200": { description: "Healthy", ...json("Health") },
            "503": { description: "The queue or the trace store is down", ...json("Health") },
          },
        },
      },
      "/artifacts/{job_id}/{name}": {
        get: {
          operationId: "getArtifact",
          summary: "A job's artifact: patch, model answer, screenshot, action log",
          parameters: [idParam("job_id"), {
            name: "name",
            in: "path",
            required: true,
            description: "as listed in the job's result.artifacts",
            schema: { type: "string", pattern: "^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$" },
          }],
          responses: {
            "200": {
              description: "The file, typed by its extension",
              content: {
                "image/png": { schema: { type: "string", contentMediaType: "image/png" } },
                "text/x-diff": { schema: { type: "string" } },
                "application/json": {},
                "text/markdown": { schema: { type: "string" } },
                "text/plain": { schema: { type: "string" } },
                "application/octet-stream": {
                  schema: { type: "string", contentMediaType: "application/octet-stream" },
                },
              },
            },
            "400": error("Malformed id or name"),
            "404": error("No such artifact"),
            ...common,
          },
        },
      },
    },
  };
}

/**
 * The docs page: renders `openapi.json` in the browser (operations, parameters, bodies,
 * responses, and every schema), with no dependencies. It holds no data, so it needs no token.
 */
const DOCS_PAGE =
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Gateway API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font:15px system-ui,sans-serif;max-width:64rem;margin:2rem auto;padding:0 1rem;color:#222}
code{background:#f3f3f3;padding:0 .3em}.op{border:1px solid #ddd;border-radius:6px;margin:.6rem 0;padding:.5rem .8rem}
.m{font-weight:700;display:inline-block;width:4.5rem}.get{color:#06c}.post{color:#080}
pre{background:#f7f7f7;padding:.6rem;overflow:auto;font-size:12px;max-height:24rem}table{border-collapse:collapse;font-size:13px}
td,th{border-bottom:1px solid #eee;padding:.2rem .5rem;text-align:left;vertical-align:top}details{margin:.3rem 0}
.desc{color:#444;font-size:13px}</style></head>
<body><h1>Gateway API</h1><p>Generated from the gateway's zod schemas: <a href="/openapi.json">openapi.json</a> (OpenAPI 3.1).
With <code>GATEWAY_TOKEN</code> set, every route but <code>/healthz</code> needs <code>Authorization: Bearer &lt;token&gt;</code>.
The <a href="/">dashboard</a> uses the same API.</p>
<h2>Operations</h2><div id="ops"></div><h2>Schemas</h2><div id="schemas"></div>
<script type="module">
const el = (tag, props = {}, ...kids) => { const e = Object.assign(document.createElement(tag), props); e.append(...kids); return e; };
const refName = (s) => (s && s.$ref ? s.$ref.split("/").pop() : "");
const doc = await (await fetch("/openapi.json")).json();
document.title = doc.info.title;
for (const [path, item] of Object.entries(doc.paths)) for (const [method, op] of Object.entries(item)) {
  const box = el("div", { className: "op", id: op.operationId });
  box.append(el("span", { className: "m " + method, textContent: method.toUpperCase() }), el("code", { textContent: path }), " ", el("span", { textContent: op.summary }));
  if (op.description) box.append(el("p", { className: "desc", textContent: op.description }));
  if (op.parameters?.length) {
    const t = el("table", {}, el("tr", {}, el("th", { textContent: "parameter" }), el("th", { textContent: "in" }), el("th", { textContent: "schema" }), el("th", { textContent: "description" })));
    for (const p of op.parameters) t.append(el("tr", {}, el("td", { textContent: p.name + (p.required ? " *" : "") }), el("td", { textContent: p.in }), el("td", { textContent: p.schema.pattern || p.schema.type }), el("td", { textContent: p.description || "" })));
    box.append(t);
  }
  const body = op.requestBody?.content["application/json"]?.schema;
  if (body) box.append(el("details", {}, el("summary", { textContent: "request body " + (refName(body) || "") }), el("pre", { textContent: JSON.stringify(doc.components.schemas[refName(body)] || body, null, 2) })));
  const codes = el("table");
  for (const [code, r] of Object.entries(op.responses)) {
    const types = Object.entries(r.content || {}).map(([t, c]) => t + (refName(c.schema) ? " " + refName(c.schema) : "")).join(", ");
    codes.append(el("tr", {}, el("td", { textContent: code }), el("td", { textContent: r.description }), el("td", { textContent: types })));
  }
  box.append(codes);
  document.getElementById("ops").append(box);
}
for (const [name, schema] of Object.entries(doc.components.schemas)) {
  document.getElementById("schemas").append(el("details", { id: "schema-" + name }, el("summary", { textContent: name }), el("pre", { textContent: JSON.stringify(schema, null, 2) })));
}
</script></body></html>`;

export function openapiRoutes(): Hono {
  const app = new Hono();
  const doc = buildOpenApi();
  app.get("/openapi.json", (c) => c.json(doc));
  const docsHeaders = staticPageHeaders(DOCS_PAGE);
  app.get("/docs", (c) => c.html(DOCS_PAGE, 200, docsHeaders));
  return app;
}
