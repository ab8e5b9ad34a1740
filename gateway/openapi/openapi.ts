/**
 * @module
 * The OpenAPI 3.1 document of the gateway, generated from the same zod schemas the routes
 * parse with (`z.toJSONSchema`), plus `GET /openapi.json` and a small docs page at `/docs`.
 */
import { Hono } from "hono";
import { z } from "zod";
import { JobRecord, TaskRequest, TraceEvent, Usage, UtteranceRecord } from "@shared/schemas/mod.ts";

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
const TaskAccepted = z.object({
  utterance_id: z.string(),
  jobs: z.array(
    z.object({ job_id: z.string(), intent: z.string(), status: z.string(), clause: z.string() }),
  ),
  duplicate: z.boolean(),
  skipped: z.array(z.unknown()),
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
const common = { "401": error("Missing or wrong bearer token (when GATEWAY_TOKEN is set)") };

export function buildOpenApi(): Record<string, unknown> {
  return {
    openapi: "3.1.0",
    info: {
      title: "Voice-to-agent orchestration gateway",
      version: "0.1.0",
      description:
        "Routes natural-language requests into jobs run by sandboxed agent workers; fans results back in per utterance.",
    },
    servers: [{ url: "http://127.0.0.1:8787" }],
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
        Job: schema(JobRecord.omit({ lease: true }), "Job"),
        Utterance: schema(UtteranceRecord, "Utterance"),
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
              description: "No skill matched: nothing was queued (unrouted)",
              ...json("TaskAccepted"),
            },
            "400": error("Body is not valid JSON"),
            "413": error("Body over 64 KiB"),
            "422": error("Schema errors, with the field paths"),
            "429": error("Over the per-client rate limit; see Retry-After"),
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
            "200": {
              description: "Fan-in",
              content: { "application/json": { schema: { type: "object" } } },
            },
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
            "200": {
              description: "A page of jobs",
              content: {
                "application/json": {
                  schema: {
                    type: "object",
                    properties: {
                      jobs: { type: "array", items: { $ref: "#/components/schemas/Job" } },
                      next_cursor: { type: ["string", "null"] },
                    },
                  },
                },
              },
            },
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
          ],
          responses: {
            "200": {
              description: "Events",
              content: {
                "application/json": {
                  schema: {
                    type: "object",
                    properties: {
                      events: { type: "array", items: { $ref: "#/components/schemas/TraceEvent" } },
                    },
                  },
                },
              },
            },
            ...common,
          },
        },
      },
      "/events": {
        get: {
          operationId: "events",
          summary: "Live trace events and queue snapshots (Server-Sent Events)",
          responses: {
            "200": {
              description: "text/event-stream",
              content: { "text/event-stream": { schema: { type: "string" } } },
            },
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
            "200": {
              description: "Healthy",
              content: { "application/json": { schema: { type: "object" } } },
            },
            "503": {
              description: "A dependency is down",
              content: { "application/json": { schema: { type: "object" } } },
            },
          },
        },
      },
    },
  };
}

const DOCS_PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>Gateway API</title>
<style>body{font:15px system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}code{background:#f3f3f3;padding:0 .3em}
.op{border:1px solid #ddd;border-radius:6px;margin:.6rem 0;padding:.5rem .8rem}.m{font-weight:700;display:inline-block;width:4.5rem}
.get{color:#06c}.post{color:#080}pre{background:#f7f7f7;padding:.6rem;overflow:auto;font-size:12px}</style></head>
<body><h1>Gateway API</h1><p>Generated from the gateway's zod schemas: <a href="openapi.json">openapi.json</a> (OpenAPI 3.1).
With <code>GATEWAY_TOKEN</code> set, send <code>Authorization: Bearer &lt;token&gt;</code>.</p><div id="ops">Loading…</div>
<script type="module">
const doc = await (await fetch("openapi.json")).json();
const ops = document.getElementById("ops"); ops.textContent = "";
for (const [path, item] of Object.entries(doc.paths)) for (const [method, op] of Object.entries(item)) {
  const el = document.createElement("div"); el.className = "op";
  const codes = Object.entries(op.responses).map(([c, r]) => c + " " + r.description).join(" · ");
  el.innerHTML = '<span class="m ' + method + '">' + method.toUpperCase() + '</span><code></code> <span></span><br><small></small>';
  el.querySelector("code").textContent = path; el.querySelector("span:last-of-type").textContent = op.summary;
  el.querySelector("small").textContent = codes;
  if (op.requestBody) { const pre = document.createElement("pre"); pre.textContent = JSON.stringify(op.requestBody.content["application/json"].schema, null, 2); el.append(pre); }
  ops.append(el);
}
</script></body></html>`;

export function openapiRoutes(): Hono {
  const app = new Hono();
  const doc = buildOpenApi();
  app.get("/openapi.json", (c) => c.json(doc));
  app.get("/docs", (c) => c.html(DOCS_PAGE));
  return app;
}
