/**
 * @module
 * The dashboard's browser script, served inline (no build step). It keeps the token in
 * sessionStorage and sends it as a bearer header on every call, never in a URL; reads `/events`
 * with fetch streaming (EventSource cannot send headers), reconnecting with backoff.
 */
export const CLIENT_SCRIPT = String.raw`
const $ = (s) => document.querySelector(s);
const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
let token = sessionStorage.getItem("gateway-token") || "";
const headers = () => (token ? { authorization: "Bearer " + token } : {});
async function api(path) {
  const res = await fetch(path, { headers: headers() });
  if (res.status === 401) { showLogin(); throw new Error("unauthorized"); }
  if (!res.ok) throw new Error(path + " → " + res.status);
  return res;
}
function showLogin() {
  $("#login").hidden = false;
  $("#main").hidden = true;
}
$("#login-form")?.addEventListener("submit", (e) => {
  e.preventDefault();
  token = $("#token").value.trim();
  sessionStorage.setItem("gateway-token", token);
  $("#login").hidden = true;
  $("#main").hidden = false;
  const jobId = document.body.dataset.job;
  if (jobId) startJobPage(jobId); else start();
});
const fmtMs = (ms) => (ms == null ? "" : ms < 1000 ? Math.round(ms) + " ms" : (ms / 1000).toFixed(1) + " s");
const duration = (j) => j.started_at ? (Date.parse(j.finished_at || new Date().toISOString()) - Date.parse(j.started_at)) : null;
const jobs = new Map();
function renderJobs() {
  const rows = [...jobs.values()].sort((a, b) => (a.job_id < b.job_id ? 1 : -1)).slice(0, 50).map((j) =>
    '<tr data-job="' + esc(j.job_id) + '"><td><a href="/job/' + esc(j.job_id) + '">' + esc(j.job_id.slice(-8)) + '</a></td><td>' + esc(j.intent) +
    '</td><td class="st ' + esc(j.status) + '">' + esc(j.status) + '</td><td>' + esc(fmtMs(duration(j))) + '</td><td>' +
    (j.usage ? "$" + j.usage.cost_usd.toFixed(4) : "") + '</td><td>' + esc(j.spec?.clause ?? j.spec?.instruction) + '</td></tr>');
  $("#jobs tbody").innerHTML = rows.join("");
  const byUtt = new Map();
  for (const j of jobs.values()) { const l = byUtt.get(j.utterance_id) || []; l.push(j); byUtt.set(j.utterance_id, l); }
  $("#utterances").innerHTML = [...byUtt.entries()].sort((a, b) => (a[1][0].job_id < b[1][0].job_id ? 1 : -1)).slice(0, 10).map(([id, list]) =>
    '<li><b>' + esc(id.slice(-10)) + '</b> ' + list.map((j) => '<span class="st ' + esc(j.status) + '">' + esc(j.intent) + ": " + esc(j.status) +
    (j.result?.summary ? " — " + esc(String(j.result.summary).slice(0, 120)) : j.error ? " — " + esc(j.error.message.slice(0, 120)) : "") + "</span>").join(" · ") +
    " · $" + list.reduce((s, j) => s + (j.usage?.cost_usd || 0), 0).toFixed(4) + "</li>").join("");
}
const tail = [];
function renderTail() {
  $("#tail").textContent = tail.slice(-40).map((e) => e.ts.slice(11, 23) + " " + e.event + (e.job_id ? " " + e.job_id.slice(-8) : "") + (e.duration_ms != null ? " " + fmtMs(e.duration_ms) : "")).join("\n");
}
const series = { depth: [], throughput: [], latency: [] };
function spark(id, values, label) {
  const w = 260, h = 60, max = Math.max(1, ...values);
  const pts = values.map((v, i) => (i * w / Math.max(1, values.length - 1)).toFixed(1) + "," + (h - (v / max) * (h - 4) - 2).toFixed(1)).join(" ");
  $(id).innerHTML = '<svg width="' + w + '" height="' + h + '" role="img" aria-label="' + label + '"><polyline fill="none" stroke="#36c" stroke-width="2" points="' + pts + '"/></svg><div>' + label + ": " + (values.at(-1) ?? 0).toFixed(1) + " (max " + max.toFixed(1) + ")</div>";
}
const refreshing = new Set();
async function refreshJob(id) {
  if (refreshing.has(id)) return;
  refreshing.add(id);
  try { jobs.set(id, await (await api("/status/" + id)).json()); renderJobs(); } finally { refreshing.delete(id); }
}
async function streamEvents() {
  let delay = 500;
  for (;;) {
    try {
      const res = await api("/events");
      $("#live").textContent = "live";
      delay = 500;
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buf = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += value;
        let i;
        while ((i = buf.indexOf("\n\n")) >= 0) {
          const block = buf.slice(0, i); buf = buf.slice(i + 2);
          const ev = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (!ev || !data) continue;
          const msg = JSON.parse(data);
          if (ev === "trace") {
            tail.push(msg); renderTail();
            if (msg.job_id && msg.event.startsWith("job.")) refreshJob(msg.job_id);
          } else if (ev === "stats") {
            series.depth.push(msg.depth); series.throughput.push(msg.completed_per_s); series.latency.push(msg.p50_ms);
            for (const k of Object.keys(series)) if (series[k].length > 120) series[k].shift();
            spark("#chart-depth", series.depth, "queue depth"); spark("#chart-throughput", series.throughput, "jobs/s"); spark("#chart-latency", series.latency, "p50 job ms");
          }
        }
      }
    } catch (err) { if (String(err.message) === "unauthorized") return; }
    $("#live").textContent = "reconnecting…";
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 10000);
  }
}
async function start() {
  try {
    const list = await (await api("/jobs?limit=50")).json();
    for (const j of list.jobs) jobs.set(j.job_id, j);
    renderJobs();
    const traces = await (await api("/traces?limit=40")).json();
    tail.push(...traces.events); renderTail();
    streamEvents();
  } catch (err) { if (String(err.message) !== "unauthorized") $("#live").textContent = "error: " + err.message; }
}
async function startJobPage(id) {
  $("#live").textContent = "job " + id;
  try {
    const job = await (await api("/status/" + id)).json();
    $("#job-head").textContent = job.intent + " · " + job.status + " · attempts " + job.attempts + (job.usage ? " · $" + job.usage.cost_usd.toFixed(4) : "");
    $("#job-clause").textContent = job.spec.clause ?? job.spec.instruction;
    if (job.error) { $("#job-error").hidden = false; $("#job-error").textContent = job.error.code + ": " + job.error.message; }
    if (job.result?.summary) $("#job-summary").textContent = job.result.summary;
    const traces = await (await api("/traces?limit=500&job_id=" + id)).json();
    if (traces.events.length === 0) $("#timeline").innerHTML = "<li>no trace events for this job</li>";
    else $("#timeline").innerHTML = traces.events.map((e) => "<li>" + esc(e.ts.slice(11, 23)) + " <b>" + esc(e.event) + "</b> " + esc(e.duration_ms != null ? fmtMs(e.duration_ms) : "") + "</li>").join("");
    for (const a of job.result?.artifacts ?? []) {
      const box = document.createElement("section");
      box.className = "artifact";
      box.innerHTML = "<h3>" + esc(a.name) + "</h3>";
      const res = await api("/" + a.path);
      if (a.name.endsWith(".png")) {
        const img = document.createElement("img");
        img.alt = a.name; img.src = URL.createObjectURL(await res.blob());
        box.append(img);
      } else if (a.name.endsWith(".diff")) {
        const pre = document.createElement("pre"); pre.className = "diff";
        pre.innerHTML = (await res.text()).split("\n").map((l) => '<span class="' + (l.startsWith("+++") || l.startsWith("---") ? "file" : l.startsWith("+") ? "add" : l.startsWith("-") ? "del" : l.startsWith("@@") ? "hunk" : "") + '">' + esc(l) + "</span>").join("\n");
        box.append(pre);
      } else {
        const pre = document.createElement("pre"); pre.textContent = (await res.text()).slice(0, 20000); box.append(pre);
      }
      $("#artifacts").append(box);
    }
  } catch (err) { if (String(err.message) !== "unauthorized") $("#job-head").textContent = "error: " + err.message; }
}
const jobId = document.body.dataset.job;
(async () => {
  // Ask the open health route whether a token is needed, so no request fails for lack of one.
  const health = await (await fetch("/healthz")).json().catch(() => ({}));
  if (health.auth_required && !token) return showLogin();
  if (jobId) startJobPage(jobId); else start();
})();
`;
