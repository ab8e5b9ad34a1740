/// <reference path="./globals.d.ts" />
/**
 * @module
 * The dashboard's browser script, served inline as it is (no build step, no dependencies) and
 * type-checked by `deno check` with the DOM library (this folder's `deno.json`). It keeps the
 * token in the tab's sessionStorage and sends it as a bearer header on every call, never in a
 * URL; reads `/events` with fetch streaming (EventSource cannot send headers) through the
 * tested `createSseParser` (prepended, with the formatting of `page_format.ts`, when served), reconnecting with exponential
 * backoff and reloading its lists after a reconnect or a `gap`, so nothing missed stays missing.
 * Images and diffs are fetched with the header too and shown from blob URLs.
 */

/** @typedef {import("../../shared/schemas/wire.ts").PublicJob} Job */
/** @typedef {import("../../shared/schemas/wire.ts").FanIn} FanIn */
/** @typedef {import("../../shared/schemas/trace.ts").TraceEvent} TraceEvent */
/** @typedef {import("../dashboard/live_stats.ts").StatsPoint} StatsPoint */
/** @typedef {Record<string, (data: any) => unknown> & { reconnected?: () => unknown }} Handlers */
/** The element `s` selects; the pages always have the ones this script asks for. */
const $ = (/** @type {string} */ s) => /** @type {HTMLInputElement} */ (document.querySelector(s));
const TOKEN_KEY = "gateway-token";
let token = sessionStorage.getItem(TOKEN_KEY) || "";
class Unauthorized extends Error {}

/**
 * @param {string} path
 * @param {RequestInit & { headers?: Record<string, string> }} [init]
 */
async function api(path, init = {}) {
  /** @type {Record<string, string>} */
  const headers = { ...(init.headers || {}) };
  if (token) headers.authorization = "Bearer " + token;
  const res = await fetch(path, { ...init, headers });
  if (res.status === 401) {
    sessionStorage.removeItem(TOKEN_KEY);
    token = "";
    showLogin("The gateway did not accept this token.");
    throw new Unauthorized("unauthorized");
  }
  if (!res.ok) {
    const body = await res.json().catch(() => ({}));
    throw new Error(path + ": " + res.status + " " + (body.message || res.statusText));
  }
  return res;
}
const json = async (/** @type {string} */ path) => (await api(path)).json();

/** @param {string} [message] */
function showLogin(message) {
  $("#login").hidden = false;
  $("#main").hidden = true;
  $("#login-message").textContent = message || "";
  $("#token").focus();
}
$("#login-form").addEventListener("submit", (e) => {
  e.preventDefault();
  token = $("#token").value.trim();
  $("#token").value = "";
  if (!token) return showLogin("Enter the gateway token.");
  sessionStorage.setItem(TOKEN_KEY, token);
  // After a refused token the page already started once: begin again cleanly.
  if (booted) return location.reload();
  $("#login").hidden = true;
  $("#main").hidden = false;
  boot();
});
$("#logout").addEventListener("click", (e) => {
  e.preventDefault();
  sessionStorage.removeItem(TOKEN_KEY);
  location.reload();
});

const setLive = (/** @type {string} */ text, /** @type {string} */ cls) => {
  const el = $("#live");
  el.textContent = text;
  el.className = cls || "";
};
const duration = (/** @type {Job} */ j) =>
  j.started_at
    ? (Date.parse(j.finished_at || new Date().toISOString()) - Date.parse(j.started_at))
    : null;
const FINAL = new Set(["succeeded", "failed", "dead", "cancelled"]);

/**
 * Reads /events with fetch, reconnecting with backoff; calls handlers[event](data).
 * @param {string} path
 * @param {Handlers} handlers
 */
async function streamEvents(path, handlers) {
  let delay = 500;
  let first = true;
  for (;;) {
    /** @type {number | undefined} */
    let retry;
    try {
      const res = await api(path);
      if (!first) await handlers.reconnected?.();
      first = false;
      setLive("live", "ok");
      delay = 500;
      const parser = createSseParser((m) => {
        const h = handlers[m.event];
        if (h) h(JSON.parse(m.data));
      });
      const reader = /** @type {ReadableStream<Uint8Array<ArrayBuffer>>} */ (res.body).pipeThrough(
        new TextDecoderStream(),
      ).getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        parser.push(value);
      }
      retry = parser.retryMs();
    } catch (err) {
      if (err instanceof Unauthorized) return;
    }
    setLive("reconnecting…", "warn");
    await new Promise((r) => setTimeout(r, Math.max(delay, retry || 0)));
    delay = Math.min(delay * 2, 15000);
  }
}

/**
 * Runs fn(key) once per key per tick, however many events asked for it.
 * @param {(key: string) => Promise<unknown>} fn
 */
function coalesce(fn) {
  /** @type {Set<string>} */
  const pending = new Set();
  return (/** @type {string} */ key) => {
    if (pending.has(key)) return;
    pending.add(key);
    setTimeout(() => {
      pending.delete(key);
      fn(key).catch(report);
    }, 50);
  };
}
/** @param {unknown} err */
function report(err) {
  if (err instanceof Unauthorized) return;
  setLive("error: " + (err instanceof Error ? err.message : String(err)), "bad");
}

// ---- dashboard -------------------------------------------------------------------------
/** @type {Map<string, Job>} */
const jobs = new Map();
/** @type {Map<string, FanIn>} */
const utterances = new Map();
/** @type {TraceEvent[]} */
const tail = [];
/** @type {StatsPoint[]} */
let points = [];
/** Width of a chart bucket (the gateway says in its `hello`). */
let bucketMs = 5000;

function renderJobs() {
  const list = [...jobs.values()].sort((
    a,
    b,
  ) => (a.created_at < b.created_at
    ? 1
    : a.created_at > b.created_at
    ? -1
    : a.job_id < b.job_id
    ? 1
    : -1)
  ).slice(0, 50);
  $("#jobs tbody").innerHTML =
    list.map((j) =>
      '<tr data-job="' + esc(j.job_id) + '"><td><a href="/job/' + esc(j.job_id) + '">' +
      esc(j.job_id.slice(-8)) + "</a></td><td>" + esc(j.intent) +
      '</td><td class="st ' + esc(j.status) + '">' + esc(j.status) + "</td><td>" +
      esc(fmtMs(duration(j))) + "</td><td>" + esc(fmtCost(j.usage?.cost_usd)) +
      "</td><td>" + esc(j.attempts) + "</td><td>" + esc(j.spec?.clause || j.spec?.instruction) +
      "</td></tr>"
    ).join("") ||
    '<tr><td colspan="7" class="muted">no jobs yet</td></tr>';
}
function renderUtterances() {
  const list = [...utterances.values()].sort((a, b) => (a.created_at < b.created_at ? 1 : -1))
    .slice(0, 10);
  $("#utterances").innerHTML =
    list.map((u) =>
      '<li data-utterance="' + esc(u.utterance_id) + '"><div><b class="st ' + esc(u.status) + '">' +
      esc(u.status) + "</b> “" + esc(u.text) + "” " +
      '<span class="muted">' + esc(u.source) + " · " + esc(fmtCost(u.cost_usd) || "$0") +
      "</span></div><ul>" +
      u.jobs.map((j) =>
        '<li><a href="/job/' + esc(j.job_id) + '">' + esc(j.intent) + '</a> <span class="st ' +
        esc(j.status) + '">' + esc(j.status) + "</span> " +
        esc(
          j.result?.summary
            ? String(j.result.summary).slice(0, 160)
            : j.error
            ? j.error.code + ": " + j.error.message.slice(0, 160)
            : "",
        ) + "</li>"
      ).join("") +
      "</ul></li>"
    ).join("") || '<li class="muted">no utterances yet</li>';
}
function renderTail() {
  const showHttp = $("#show-http").checked;
  $("#tail").textContent = tail.filter((e) => showHttp || e.event !== "http.request").slice(-60)
    .map((e) =>
      fmtTime(e.ts) + " " + e.event.padEnd(22) + (e.job_id ? " " + e.job_id.slice(-8) : "") +
      (e.duration_ms != null ? " " + fmtMs(e.duration_ms) : "") +
      (e.data?.route ? " " + e.data.method + " " + e.data.route + " " + e.data.status : "") +
      (e.data?.error_code ? " " + e.data.error_code : "")
    ).join("\n");
}
/**
 * @param {string} sel
 * @param {string} label
 * @param {(number | null)[]} values
 * @param {string} unit
 */
function chart(sel, label, values, unit) {
  $(sel).innerHTML = chartHtml(label, values, unit, bucketMs);
}
function renderCharts() {
  chart("#chart-depth", "queue depth", points.map((p) => p.depth), "");
  chart("#chart-throughput", "jobs finished / s", points.map((p) => p.per_s), "");
  chart("#chart-latency", "job latency p50", points.map((p) => p.p50_ms), " ms");
  chart("#chart-p95", "job latency p95", points.map((p) => p.p95_ms), " ms");
}
/** @param {StatsPoint} p */
function upsertPoint(p) {
  const last = points.at(-1);
  if (last && last.t === p.t) points[points.length - 1] = p;
  else if (!last || p.t > last.t) {
    points.push(p);
    if (points.length > 120) points.shift();
  }
}

const refreshJob = coalesce(async (id) => {
  const j = await json("/status/" + encodeURIComponent(id));
  jobs.set(id, j);
  renderJobs();
  refreshUtterance(j.utterance_id);
});
const refreshUtterance = coalesce(async (id) => {
  utterances.set(id, await json("/utterances/" + encodeURIComponent(id)));
  renderUtterances();
});

// Jobs run by engines in other processes (deno task worker) send no trace here: while work is
// waiting or running, the list is read again on every stats tick instead.
const pollJobs = coalesce(async () => {
  const list = await json("/jobs?limit=50");
  for (const j of list.jobs) {
    const before = jobs.get(j.job_id);
    jobs.set(j.job_id, j);
    if (!before || before.status !== j.status) refreshUtterance(j.utterance_id);
  }
  renderJobs();
});

async function loadLists() {
  const list = await json("/jobs?limit=50");
  for (const j of list.jobs) jobs.set(j.job_id, j);
  renderJobs();
  const recent = [...new Set(list.jobs.map((/** @type {Job} */ j) => j.utterance_id))].slice(0, 10);
  await Promise.all(
    recent.map(async (id) =>
      utterances.set(id, await json("/utterances/" + encodeURIComponent(id)))
    ),
  );
  renderUtterances();
  const traces = await json("/traces?limit=60");
  tail.length = 0;
  tail.push(...traces.events);
  renderTail();
}

async function startDashboard() {
  $("#show-http").addEventListener("change", renderTail);
  try {
    await loadLists();
  } catch (err) {
    return report(err);
  }
  setInterval(() => {
    if ([...jobs.values()].some((j) => j.status === "running")) renderJobs();
  }, 1000);
  streamEvents("/events", {
    hello: (m) => {
      bucketMs = m.bucket_ms;
      points = m.history;
      renderCharts();
    },
    stats: (m) => {
      upsertPoint(m.point);
      renderCharts();
      if ((m.point.depth ?? 0) > 0 || [...jobs.values()].some((j) => !FINAL.has(j.status))) {
        pollJobs("all");
      }
    },
    trace: (e) => {
      tail.push(e);
      if (tail.length > 500) tail.splice(0, tail.length - 500);
      renderTail();
      if (e.job_id && e.event.startsWith("job.")) refreshJob(e.job_id);
    },
    gap: () => loadLists().catch(report),
    reconnected: () => loadLists().catch(report),
  });
}

// ---- job page --------------------------------------------------------------------------
/** @type {number | undefined} */
let timelineStart;
/** @type {TraceEvent[]} */
const timeline = [];
function renderTimeline() {
  if (timeline.length === 0) {
    $("#timeline tbody").innerHTML =
      '<tr><td colspan="5" class="muted">no trace events for this job</td></tr>';
    return;
  }
  const start = timelineStart = timelineStart ?? Date.parse(timeline[0]?.ts ?? "");
  $("#timeline tbody").innerHTML = timeline.map((e) => {
    const d = e.data || {};
    const detail = Object.entries(d).filter(([k]) => k !== "intent").map(([k, v]) =>
      k + "=" + (typeof v === "string" ? v : JSON.stringify(v))
    ).join(" ");
    return '<tr class="ev ' + esc(e.event.replace(/\./g, "-")) + '"><td>' + esc(fmtTime(e.ts)) +
      "</td><td>+" + esc(fmtMs(Date.parse(e.ts) - start)) + "</td><td><b>" + esc(e.event) +
      "</b></td><td>" + esc(fmtMs(e.duration_ms)) + "</td><td>" + esc(detail.slice(0, 400)) +
      "</td></tr>";
  }).join("");
}
/** @param {Job} job */
function renderJob(job) {
  $("#job-head").textContent = job.intent + " · " + job.status;
  $("#job-head").className = "st " + job.status;
  $("#job-clause").textContent = job.spec.clause || job.spec.instruction;
  const facts = [
    ["job", job.job_id],
    ["utterance", job.utterance_id],
    ["attempts", job.attempts + " of " + job.max_attempts],
    ["created", job.created_at],
    ["started", job.started_at],
    ["finished", job.finished_at],
    ["duration", fmtMs(duration(job))],
    [
      "progress",
      job.progress
        ? (job.progress.fraction != null ? Math.round(job.progress.fraction * 100) + "% " : "") +
          (job.progress.message || "")
        : "",
    ],
    [
      "usage",
      job.usage
        ? job.usage.provider + " " + job.usage.model + " · " + job.usage.input_tokens + " in / " +
          job.usage.output_tokens + " out" + (job.usage.cache_read_input_tokens
            ? " / " + job.usage.cache_read_input_tokens + " cache read"
            : "") +
          " · " + fmtCost(job.usage.cost_usd)
        : "",
    ],
    ["confirmation", job.confirmation?.prompt],
  ];
  const r = job.result || {};
  for (const [k, v] of Object.entries(r)) {
    if (k !== "artifacts" && k !== "summary" && v != null) {
      facts.push([k, typeof v === "string" ? v : JSON.stringify(v)]);
    }
  }
  $("#job-facts").innerHTML = facts.filter(([, v]) => v != null && v !== "").map(([k, v]) =>
    "<dt>" + esc(k) + "</dt><dd>" + esc(v) + "</dd>"
  ).join("");
  $("#job-summary").textContent = r.summary || "";
  const err = $("#job-error");
  err.hidden = !job.error;
  if (job.error) {
    err.innerHTML = "<b>" + esc(job.error.code) + "</b>: " + esc(job.error.message) +
      '<div class="muted">' + esc(
        job.error.retryable
          ? "retryable" +
            (job.error.retry_after_ms ? ", after " + fmtMs(job.error.retry_after_ms) : "")
          : "not retryable",
      ) + "</div>";
  }
}
/** @type {Set<string>} */
const shownArtifacts = new Set();
/** @param {Job} job */
async function renderArtifacts(job) {
  for (const a of job.result?.artifacts || []) {
    if (shownArtifacts.has(a.name)) continue;
    shownArtifacts.add(a.name);
    const box = document.createElement("section");
    box.className = "artifact";
    box.dataset.name = a.name;
    box.innerHTML = "<h3>" + esc(a.name) + "</h3>";
    $("#artifacts").append(box);
    try {
      const res = await api(
        "/artifacts/" + encodeURIComponent(job.job_id) + "/" + encodeURIComponent(a.name),
      );
      const ext = (a.name.split(".").pop() ?? "").toLowerCase();
      if (ext === "png" || ext === "jpg" || ext === "jpeg") {
        const img = document.createElement("img");
        img.alt = a.name;
        img.src = URL.createObjectURL(await res.blob());
        box.append(img);
      } else if (ext === "diff" || ext === "patch") {
        const pre = document.createElement("pre");
        pre.className = "diff";
        pre.innerHTML = diffHtml(await res.text());
        box.append(pre);
      } else {
        const pre = document.createElement("pre");
        const text = await res.text();
        let shown = text;
        if (ext === "json") {
          try {
            shown = JSON.stringify(JSON.parse(text), null, 2);
          } catch { /* not JSON after all: shown as it is */ }
        }
        pre.textContent = shown.length > 50000
          ? shown.slice(0, 50000) + "\n… (" + shown.length + " characters)"
          : shown;
        box.append(pre);
      }
    } catch (err) {
      if (err instanceof Unauthorized) return;
      const p = document.createElement("p");
      p.className = "error";
      p.textContent = err instanceof Error ? err.message : String(err);
      box.append(p);
    }
  }
  if (!$("#artifacts").children.length) {
    $("#artifacts").innerHTML = '<p class="muted">no artifacts' +
      (FINAL.has(job.status) ? "" : " yet") + "</p>";
  } else $("#artifacts > p.muted")?.remove();
}

/** @param {string} id */
async function startJobPage(id) {
  const load = async () => {
    const job = await json("/status/" + encodeURIComponent(id));
    renderJob(job);
    await renderArtifacts(job);
    return job;
  };
  const loadTimeline = async () => {
    const traces = await json("/traces?limit=1000&job_id=" + encodeURIComponent(id));
    timeline.length = 0;
    timeline.push(...traces.events);
    renderTimeline();
  };
  try {
    await Promise.all([load(), loadTimeline()]);
  } catch (err) {
    if (err instanceof Unauthorized) return;
    $("#job-head").textContent = "Job " + id;
    const e = $("#job-error");
    e.hidden = false;
    e.textContent = err instanceof Error ? err.message : String(err);
    return;
  }
  const reload = coalesce(load);
  streamEvents("/events?job_id=" + encodeURIComponent(id), {
    trace: (e) => {
      timeline.push(e);
      renderTimeline();
      if (e.event.startsWith("job.")) reload(id);
    },
    reconnected: () => Promise.all([load(), loadTimeline()]).catch(report),
    gap: () => loadTimeline().catch(report),
  });
}

// ---- start -----------------------------------------------------------------------------
let booted = false;
function boot() {
  booted = true;
  const jobId = document.body.dataset.job;
  if (jobId) startJobPage(jobId);
  else startDashboard();
}
(async () => {
  // The open health route says whether a token is needed, so no request fails for lack of one.
  const health = await fetch("/healthz").then((r) => r.json()).catch(() => ({}));
  $("#logout").hidden = !health.auth_required;
  if (health.auth_required && !token) return showLogin();
  boot();
})();
