/** @jsxImportSource hono/jsx */
/**
 * @module
 * The dashboard: `GET /` (live jobs, utterances with fan-in, trace tail, charts), `GET /job/:id`
 * (timeline and artifacts: diffs rendered, screenshots shown), `GET /events` (Server-Sent Events)
 * and `GET /artifacts/:job_id/:name`. The HTML pages hold no data, so they load without the
 * token; every data call sends it as a bearer header (entered once, kept in sessionStorage).
 */
import { Hono } from "hono";
import { raw } from "hono/html";
import { streamSSE } from "hono/streaming";
import { join } from "node:path";
import { Id, type TraceEvent } from "@shared/schemas/mod.ts";
import type { AppDeps } from "../deps.ts";
import { HttpError } from "../http_errors.ts";
import { CLIENT_SCRIPT } from "./client_script.ts";

const STYLE = `
body{font:14px system-ui,sans-serif;margin:0;color:#222}header{background:#1d2b3a;color:#fff;padding:.6rem 1rem;display:flex;gap:1rem;align-items:center}
header a{color:#cde}main{padding:1rem;display:grid;gap:1rem;grid-template-columns:2fr 1fr}section{border:1px solid #ddd;border-radius:6px;padding:.6rem}
table{width:100%;border-collapse:collapse}td,th{padding:.25rem .4rem;border-bottom:1px solid #eee;text-align:left;font-size:13px}
.st.succeeded{color:#080}.st.failed,.st.dead{color:#b00}.st.running,.st.awaiting_confirmation{color:#c60}.st.cancelled{color:#777}
pre{background:#f7f7f7;padding:.5rem;overflow:auto;font-size:12px;max-height:30rem}.diff .add{color:#080}.diff .del{color:#b00}.diff .hunk{color:#66c}
#charts{display:flex;gap:1rem;flex-wrap:wrap}img{max-width:100%;border:1px solid #ccc}#job-error{color:#b00;white-space:pre-wrap}
`;

function Page(props: { title: string; job?: string; children: unknown }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <title>{props.title}</title>
        <style>{raw(STYLE)}</style>
      </head>
      <body data-job={props.job ?? ""}>
        <header>
          <b>Voice-to-agent orchestration</b>
          <a href="/">dashboard</a>
          <a href="/docs">API</a>
          <span id="live">connecting…</span>
        </header>
        <div id="login" hidden>
          <form id="login-form" style="padding:1rem">
            <label>
              Gateway token <input id="token" type="password" autocomplete="current-password" />
            </label>{" "}
            <button type="submit">Open</button>
          </form>
        </div>
        <div id="main">{props.children}</div>
        <script type="module">{raw(CLIENT_SCRIPT)}</script>
      </body>
    </html>
  );
}

/** Rolling stats for the charts, from trace events in memory. */
class Stats {
  #done: { at: number; ms: number }[] = [];
  record(e: TraceEvent) {
    if (e.event === "job.succeeded" || e.event === "job.failed" || e.event === "job.dead") {
      this.#done.push({ at: Date.parse(e.ts), ms: e.duration_ms ?? 0 });
      if (this.#done.length > 10_000) this.#done.splice(0, 5_000);
    }
  }
  snapshot(windowMs = 10_000) {
    const since = Date.now() - windowMs;
    const recent = this.#done.filter((d) => d.at >= since).map((d) => d.ms).sort((a, b) => a - b);
    return {
      completed_per_s: recent.length / (windowMs / 1000),
      p50_ms: recent.length ? recent[Math.floor(recent.length / 2)]! : 0,
    };
  }
}

const ARTIFACT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const TYPES: Record<string, string> = {
  png: "image/png",
  json: "application/json",
  diff: "text/x-diff; charset=utf-8",
  md: "text/markdown; charset=utf-8",
  txt: "text/plain; charset=utf-8",
};

export function dashboardRoutes(deps: AppDeps, options: { statsIntervalMs?: number } = {}): Hono {
  const app = new Hono();
  const stats = new Stats();
  deps.tracer.subscribe((e) => stats.record(e));

  app.get("/", async (c) =>
    c.html(
      "<!doctype html>" + await (
        <Page title="Orchestration dashboard">
          <main>
            <section>
              <h2>Jobs</h2>
              <table id="jobs">
                <thead>
                  <tr>
                    <th>job</th>
                    <th>skill</th>
                    <th>state</th>
                    <th>duration</th>
                    <th>cost</th>
                    <th>clause</th>
                  </tr>
                </thead>
                <tbody></tbody>
              </table>
            </section>
            <section>
              <h2>Last minutes</h2>
              <div id="charts">
                <div id="chart-depth"></div>
                <div id="chart-throughput"></div>
                <div id="chart-latency"></div>
              </div>
            </section>
            <section>
              <h2>Utterances</h2>
              <ul id="utterances"></ul>
            </section>
            <section>
              <h2>Trace tail</h2>
              <pre id="tail"></pre>
            </section>
          </main>
        </Page>
      ).toString(),
    ));

  // Browsers ask for it on every page; answer without content rather than with an error.
  app.get("/favicon.ico", (c) => c.body(null, 204));

  app.get("/job/:job_id", async (c) => {
    const id = Id.safeParse(c.req.param("job_id"));
    if (!id.success) throw new HttpError(400, "invalid_id", "Invalid job id");
    return c.html(
      "<!doctype html>" + await (
        <Page title={`Job ${id.data}`} job={id.data}>
          <main>
            <section>
              <h2 id="job-head">Job {id.data}</h2>
              <p id="job-clause"></p>
              <p id="job-summary"></p>
              <p id="job-error" hidden></p>
              <div id="artifacts"></div>
            </section>
            <section>
              <h2>Timeline</h2>
              <ol id="timeline"></ol>
            </section>
          </main>
        </Page>
      ).toString(),
    );
  });

  app.get("/artifacts/:job_id/:name", async (c) => {
    const id = Id.safeParse(c.req.param("job_id"));
    const name = c.req.param("name");
    if (!id.success || !ARTIFACT_NAME.test(name)) {
      throw new HttpError(400, "invalid_id", "Invalid artifact path");
    }
    const path = join(deps.dataDir ?? "data", "artifacts", id.data, name);
    let bytes: Uint8Array;
    try {
      bytes = await Deno.readFile(path);
    } catch {
      throw new HttpError(404, "not_found", `No artifact '${name}' for job '${id.data}'`);
    }
    const type = TYPES[name.split(".").pop() ?? ""] ?? "application/octet-stream";
    return c.body(bytes as Uint8Array<ArrayBuffer>, 200, {
      "content-type": type,
      "x-content-type-options": "nosniff",
    });
  });

  app.get("/events", (c) =>
    streamSSE(c, async (stream) => {
      const queue: TraceEvent[] = [];
      let wake: (() => void) | undefined;
      const unsubscribe = deps.tracer.subscribe((e) => {
        if (queue.length < 1000) queue.push(e);
        wake?.();
      });
      const ticker = setInterval(() => wake?.(), options.statsIntervalMs ?? 2000);
      let nextStats = 0;
      stream.onAbort(() => {
        unsubscribe();
        clearInterval(ticker);
        wake?.();
      });
      try {
        while (!stream.aborted && !stream.closed) {
          while (queue.length) {
            await stream.writeSSE({ event: "trace", data: JSON.stringify(queue.shift()) });
          }
          if (Date.now() >= nextStats) {
            const d = await deps.queue.depth();
            await stream.writeSSE({
              event: "stats",
              data: JSON.stringify({
                depth: d.queued + d.delayed + d.running + d.awaiting_confirmation,
                ...d,
                ...stats.snapshot(),
              }),
            });
            nextStats = Date.now() + (options.statsIntervalMs ?? 2000);
          }
          await new Promise<void>((r) => (wake = r));
          wake = undefined;
        }
      } finally {
        unsubscribe();
        clearInterval(ticker);
      }
    }));

  return app;
}
