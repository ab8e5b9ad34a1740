/** @jsxImportSource hono/jsx */
/**
 * @module
 * The dashboard: `GET /` (live jobs, utterances with their fan-in, a trace tail, charts of the
 * last minutes) and `GET /job/:id` (timeline, error, result and artifacts: diffs rendered,
 * screenshots shown), plus `GET /events` and `GET /artifacts/:job_id/:name`. The HTML pages
 * hold no data, so they load without the token; every data call of their script sends it as a
 * bearer header (entered once, kept in sessionStorage), so without it nothing is shown.
 */
import { Hono } from "hono";
import { raw } from "hono/html";
import { Id } from "@shared/schemas/mod.ts";
import type { AppDeps } from "../app_deps.ts";
import { HttpError } from "../http_errors.ts";
import { CLIENT_SCRIPT } from "./client_script.ts";
import { LiveStats } from "./live_stats.ts";
import { eventsRoute } from "./events_route.ts";
import { artifactRoute } from "./artifact_route.ts";
import { pageSecurityHeaders } from "../web_safety.ts";

const STYLE = `
body{font:14px system-ui,sans-serif;margin:0;color:#222;background:#fff}
header{background:#1d2b3a;color:#fff;padding:.6rem 1rem;display:flex;gap:1rem;align-items:center}
header a{color:#cde}#live{margin-left:auto;font-size:12px}#live.ok{color:#8e8}#live.warn{color:#fc6}#live.bad{color:#f88}
main{padding:1rem;display:grid;gap:1rem;grid-template-columns:minmax(0,3fr) minmax(0,2fr)}
section{border:1px solid #ddd;border-radius:6px;padding:.6rem;min-width:0}h2{font-size:15px;margin:.2rem 0 .6rem}
table{width:100%;border-collapse:collapse}td,th{padding:.25rem .4rem;border-bottom:1px solid #eee;text-align:left;font-size:13px;vertical-align:top}
.st.succeeded{color:#080}.st.failed,.st.dead{color:#b00}.st.running,.st.awaiting_confirmation,.st.partial{color:#c60}
.st.cancelled,.muted{color:#777}.st.queued,.st.delayed{color:#36c}
pre{background:#f7f7f7;padding:.5rem;overflow:auto;font-size:12px;max-height:32rem;margin:0}
.diff .add{color:#080}.diff .del{color:#b00}.diff .hunk{color:#66c}.diff .file{font-weight:700}
#charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(330px,1fr));gap:.6rem}.axis{display:flex;justify-content:space-between;width:320px;font-size:11px}
.chart-label{font-size:12px}img{max-width:100%;border:1px solid #ccc}
#job-error{color:#b00;white-space:pre-wrap;border:1px solid #e99;background:#fff4f4;padding:.5rem;border-radius:4px}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.15rem .8rem;font-size:13px}dt{color:#555}dd{margin:0;overflow-wrap:anywhere}
#utterances>li{margin-bottom:.5rem}ul{padding-left:1.2rem;margin:.2rem 0}.error{color:#b00}
#login{padding:2rem}#login-message{color:#b00}.toggle{font-weight:400;font-size:12px}
`;

function Page(props: { title: string; job?: string; children: unknown }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{props.title}</title>
        <style>{raw(STYLE)}</style>
      </head>
      <body data-job={props.job ?? ""}>
        <header>
          <b>Voice-to-agent orchestration</b>
          <a href="/">dashboard</a>
          <a href="/docs">API</a>
          <a href="#" id="logout" hidden>forget token</a>
          <span id="live">connecting…</span>
        </header>
        <div id="login" hidden>
          <form id="login-form">
            <p>This gateway needs its token (GATEWAY_TOKEN). It is kept in this tab only.</p>
            <label>
              Gateway token <input id="token" type="password" autocomplete="current-password" />
            </label>{" "}
            <button type="submit">Open</button>
            <p id="login-message"></p>
          </form>
        </div>
        <div id="main">{props.children}</div>
        <script type="module">{raw(CLIENT_SCRIPT)}</script>
      </body>
    </html>
  );
}

function DashboardPage() {
  return (
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
                <th>attempts</th>
                <th>clause</th>
              </tr>
            </thead>
            <tbody></tbody>
          </table>
        </section>
        <section>
          <h2>Utterances (fan-out → fan-in)</h2>
          <ul id="utterances"></ul>
        </section>
        <section>
          <h2>Last minutes</h2>
          <div id="charts">
            <div id="chart-depth"></div>
            <div id="chart-throughput"></div>
            <div id="chart-latency"></div>
            <div id="chart-p95"></div>
          </div>
        </section>
        <section>
          <h2>
            Trace tail{" "}
            <label class="muted toggle">
              <input id="show-http" type="checkbox" /> HTTP requests
            </label>
          </h2>
          <pre id="tail"></pre>
        </section>
      </main>
    </Page>
  );
}

function JobPage(props: { id: string }) {
  return (
    <Page title={`Job ${props.id}`} job={props.id}>
      <main>
        <section>
          <h2 id="job-head">Job {props.id}</h2>
          <p id="job-clause"></p>
          <div id="job-error" hidden></div>
          <p id="job-summary"></p>
          <dl id="job-facts"></dl>
          <h2>Artifacts</h2>
          <div id="artifacts"></div>
        </section>
        <section>
          <h2>Timeline</h2>
          <table id="timeline">
            <thead>
              <tr>
                <th>time</th>
                <th>since start</th>
                <th>event</th>
                <th>took</th>
                <th>details</th>
              </tr>
            </thead>
            <tbody></tbody>
          </table>
        </section>
      </main>
    </Page>
  );
}

export interface DashboardOptions {
  /** Charts' buckets and window. @default new LiveStats() (5 s buckets, 10 minutes) */
  stats?: LiveStats;
  /** @default 2000 */
  statsIntervalMs?: number;
  /** @default 15000 */
  heartbeatMs?: number;
}

export function dashboardRoutes(deps: AppDeps, options: DashboardOptions = {}): Hono {
  const app = new Hono();
  const stats = options.stats ?? new LiveStats();
  // For the app's lifetime, as the tracer's: the charts cover time before any page opened. An
  // observer, not a subscriber: the charts count events and show none of their contents.
  deps.tracer.observe((e) => stats.record(e));

  const html = async (page: unknown) => "<!doctype html>" + (await page);
  // A strict CSP: the one inline script and style by hash, no frames, no other origins.
  const headers = pageSecurityHeaders({ scripts: [CLIENT_SCRIPT], styles: [STYLE] });

  app.get("/", async (c) => c.html(await html(<DashboardPage />), 200, headers));

  app.get("/job/:job_id", async (c) => {
    const id = Id.safeParse(c.req.param("job_id"));
    if (!id.success) throw new HttpError(400, "invalid_id", "Invalid job id");
    return c.html(await html(<JobPage id={id.data} />), 200, headers);
  });

  // Browsers ask for it on every page; answer without content rather than with an error.
  app.get("/favicon.ico", (c) => c.body(null, 204));

  app.route(
    "/",
    eventsRoute(deps, {
      stats,
      ...(options.statsIntervalMs !== undefined
        ? { statsIntervalMs: options.statsIntervalMs }
        : {}),
      ...(options.heartbeatMs !== undefined ? { heartbeatMs: options.heartbeatMs } : {}),
    }),
  );
  app.route("/", artifactRoute(deps));
  return app;
}
