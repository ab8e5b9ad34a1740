import {
  assert,
  assertEquals,
  assertMatch,
  assertStringIncludes,
} from "@shared/testing/asserts.ts";
import { createApp } from "./app.ts";
import { MemoryQueue } from "./queue/memory/memory_queue.ts";
import { Tracer } from "./traces/tracer.ts";
import { Metrics } from "./metrics/metrics.ts";
import { echoSkill } from "./skills/echo/echo_skill.ts";
import { CODING_LEXICON, CODING_PATTERNS } from "./skills/coding/coding_patterns.ts";
import { BROWSER_LEXICON, BROWSER_PATTERNS } from "./skills/browser/browser_patterns.ts";
import { Engine } from "./engine/engine.ts";
import { ErrorReply } from "redis";
import { isRedisUnavailable } from "./queue/redis/redis_errors.ts";

const SEED = "Refactor the orchestrator router and open the QA dashboard to verify deploy status";

function setup(options: { token?: string; engine?: boolean } = {}) {
  const queue = new MemoryQueue();
  const tracer = new Tracer([]);
  const metrics = new Metrics(() => queue.depth());
  const skills = [
    echoSkill,
    { intent: "coding", patterns: CODING_PATTERNS, lexicon: CODING_LEXICON },
    { intent: "browser", patterns: BROWSER_PATTERNS, lexicon: BROWSER_LEXICON },
  ];
  const engine = options.engine
    ? new Engine({
      queue,
      skills: [echoSkill],
      tracer,
      metrics,
      dataDir: ".",
      skillContext: { dataDir: ".", env: () => undefined, settings: {} },
    })
    : undefined;
  engine?.start();
  const app = createApp({
    queue,
    tracer,
    metrics,
    skills,
    ...(engine ? { engine } : {}),
    ...(options.token ? { token: options.token } : {}),
  });
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    app.request(path, {
      method: "POST",
      body: typeof body === "string" ? body : JSON.stringify(body),
      headers: { "content-type": "application/json", ...headers },
    });
  return {
    app,
    queue,
    tracer,
    metrics,
    post,
    async close() {
      await engine?.stop({ graceMs: 1000 });
      await tracer.close();
    },
  };
}

Deno.test("POST /task routes the seed sentence into a coding and a browser job with clauses", async () => {
  const t = setup();
  const res = await t.post("/task", { text: SEED });
  assertEquals(res.status, 202);
  const body = await res.json();
  assertEquals(
    body.jobs.map((
      j: { intent: string; clause: string; status: string },
    ) => [j.intent, j.clause, j.status]),
    [
      ["coding", "Refactor the orchestrator router", "queued"],
      ["browser", "open the QA dashboard to verify deploy status", "queued"],
    ],
  );
  await t.close();
});

Deno.test("POST /task answers each outcome as JSON, with its status and the http.request trace", async () => {
  const t = setup();
  const cases: [unknown, number, string][] = [
    [{ text: "echo hi", utterance_id: "u-accepted" }, 202, "u-accepted"],
    [{ text: "water the plants", utterance_id: "u-unrouted" }, 200, "u-unrouted"],
    [{ text: "cancel that", utterance_id: "u-command" }, 200, "u-command"],
  ];
  for (const [request, status, utteranceId] of cases) {
    const res = await t.post("/task", request);
    assertEquals(res.status, status);
    assertEquals(res.headers.get("content-type"), "application/json");
    assertEquals((await res.json()).utterance_id, utteranceId);
  }
  const http = t.tracer.recent({ event: "http.request" }).map((e) => e.data);
  assertEquals(http, cases.map(([, status]) => ({ method: "POST", route: "/task", status })));
  await t.close();
});

Deno.test("POST /task with the same utterance_id returns the same jobs and creates none", async () => {
  const t = setup();
  const first = await (await t.post("/task", { text: "echo hi", utterance_id: "utt-1" })).json();
  const again = await t.post("/task", { text: "echo hi", utterance_id: "utt-1" });
  assertEquals(again.status, 202);
  const second = await again.json();
  assertEquals(
    second.jobs.map((j: { job_id: string }) => j.job_id),
    first.jobs.map((j: { job_id: string }) => j.job_id),
  );
  assertEquals(second.duplicate, true);
  assertEquals((await t.queue.list()).jobs.length, 1);
  await t.close();
});

Deno.test("POST /task: spoken requests are interactive, explicit tasks included", async () => {
  const t = setup();
  const cases: [unknown, string[]][] = [
    [{ text: "echo hi", source: "voice" }, ["interactive"]],
    [{ text: "echo hi" }, ["background"]],
    [{ source: "voice", tasks: [{ intent: "echo", instruction: "a" }] }, ["interactive"]],
    [{
      source: "voice",
      tasks: [
        { intent: "echo", instruction: "b", priority: "background" },
        { intent: "echo", instruction: "c" },
      ],
    }, ["background", "interactive"]],
    [{ tasks: [{ intent: "echo", instruction: "d" }] }, ["background"]],
  ];
  for (const [body, expected] of cases) {
    const res = await t.post("/task", body);
    assertEquals(res.status, 202);
    const { jobs } = await res.json();
    const records = await Promise.all(
      jobs.map((j: { job_id: string }) => t.queue.get(j.job_id)),
    );
    assertEquals(records.map((r) => r!.priority), expected, JSON.stringify(body));
  }
  await t.close();
});

Deno.test("POST /task answers unrouted explicitly when no skill matches", async () => {
  const t = setup();
  const res = await t.post("/task", { text: "what's the weather like" });
  assertEquals(res.status, 200);
  const body = await res.json();
  assertEquals(body.unrouted, true);
  assertEquals(body.jobs, []);
  assertEquals(t.tracer.recent({ event: "utterance.unrouted" }).length, 1);
  const fan = await (await t.app.request(`/utterances/${body.utterance_id}`)).json();
  assertEquals(fan.status, "unrouted");
  await t.close();
});

const badInputs: [string, string | unknown, number, string, RegExp?][] = [
  ["invalid JSON", "{not json", 400, "invalid_json"],
  ["empty text", { text: "" }, 422, "validation_failed", /text: must not be empty|"path":"text"/],
  ["text over 8000 characters", { text: "a".repeat(8001) }, 422, "validation_failed"],
  ["wrong type", { text: 42 }, 422, "validation_failed"],
  ["unknown field", { text: "echo x", evil: true }, 422, "validation_failed"],
  ["neither text nor tasks", { source: "api" }, 422, "validation_failed"],
  ["bad utterance id", { text: "echo x", utterance_id: "../../etc" }, 422, "validation_failed"],
  ["bad source", { text: "echo x", source: "fax" }, 422, "validation_failed"],
  [
    "bad task intent",
    { tasks: [{ intent: "Bad Intent!", instruction: "x" }] },
    422,
    "validation_failed",
  ],
];

for (const [name, body, status, code] of badInputs) {
  Deno.test(`POST /task rejects ${name} with ${status} ${code}`, async () => {
    const t = setup();
    const res = await t.post("/task", body);
    assertEquals(res.status, status);
    const json = await res.json();
    assertEquals(json.error, code);
    assertEquals((await t.queue.list()).jobs.length, 0);
    await t.close();
  });
}

Deno.test("POST /task 422 names the failing field paths", async () => {
  const t = setup();
  const res = await t.post("/task", { tasks: [{ intent: "echo", instruction: "" }] });
  const json = await res.json();
  assertEquals(json.details[0].path, "tasks.0.instruction");
  assertEquals(json.message, "Invalid request body: check tasks.0.instruction");
  await t.close();
});

Deno.test("POST /task rejects a body over 64 KiB with 413", async () => {
  const t = setup();
  const res = await t.post("/task", { text: "x".repeat(70_000) });
  assertEquals(res.status, 413);
  assertEquals((await res.json()).error, "body_too_large");
  await t.close();
});

Deno.test("unknown job is 404, malformed id is 400, wrong method is 405 with Allow", async () => {
  const t = setup();
  const missing = await t.app.request("/status/01ABCDEF");
  assertEquals(missing.status, 404);
  assertEquals((await missing.json()).message, "No job with id '01ABCDEF'");
  const bad = await t.app.request("/status/..%2F..%2Fetc");
  assertEquals(bad.status, 400);
  const wrong = await t.app.request("/status/abc", { method: "DELETE" });
  assertEquals(wrong.status, 405);
  assertEquals(wrong.headers.get("allow"), "GET");
  const nowhere = await t.app.request("/nope");
  assertEquals(nowhere.status, 404);
  await t.close();
});

Deno.test("GATEWAY_TOKEN: missing or wrong bearer is 401, right one passes, /healthz stays open", async () => {
  const t = setup({ token: "s3cret-token-value" });
  assertEquals((await t.post("/task", { text: "echo x" })).status, 401);
  assertEquals(
    (await t.post("/task", { text: "echo x" }, { authorization: "Bearer wrong" })).status,
    401,
  );
  const ok = await t.post("/task", { text: "echo x" }, {
    authorization: "Bearer s3cret-token-value",
  });
  assertEquals(ok.status, 202);
  assertEquals((await t.app.request("/healthz")).status, 200);
  assertEquals((await t.app.request("/metrics")).status, 401);
  await t.close();
});

Deno.test("echo job runs to succeeded and shows in /status, /utterances, /traces and /metrics", async () => {
  const t = setup({ engine: true });
  try {
    const body = await (await t.post("/task", { text: "echo hello", utterance_id: "u-echo" }))
      .json();
    const jobId = body.jobs[0].job_id;
    let status = "";
    for (let i = 0; i < 200 && status !== "succeeded"; i++) {
      await new Promise((r) => setTimeout(r, 25));
      status = (await (await t.app.request(`/status/${jobId}`)).json()).status;
    }
    assertEquals(status, "succeeded");
    const fan = await (await t.app.request("/utterances/u-echo")).json();
    assertEquals(fan.status, "succeeded");
    assertEquals(fan.jobs[0].result.echo, "hello");
    const traces = await (await t.app.request(`/traces?job_id=${jobId}`)).json();
    assertEquals(
      traces.events.map((e: { event: string }) => e.event),
      ["job.enqueued", "job.started", "job.succeeded"],
    );
    const metrics = await (await t.app.request("/metrics")).text();
    assertStringIncludes(metrics, 'orchestrator_jobs_completed_total{intent="echo"} 1');
    assertStringIncludes(metrics, 'orchestrator_jobs_enqueued_total{intent="echo"} 1');
    assertMatch(
      metrics,
      /orchestrator_job_duration_seconds_count\{intent="echo",status="succeeded"\} 1/,
    );
    assertMatch(
      metrics,
      /orchestrator_http_request_duration_seconds_count\{route="\/task",method="POST",status="202"\} 1/,
    );
  } finally {
    await t.close();
  }
});

Deno.test("/metrics passes promtool check metrics", async () => {
  const t = setup();
  await t.post("/task", { text: "echo x" });
  const text = await (await t.app.request("/metrics")).text();
  const child = new Deno.Command("promtool", {
    args: ["check", "metrics"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(text));
  await writer.close();
  const out = await child.output();
  const messages = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  assertEquals(out.code, 0, messages);
  assertEquals(messages.trim(), "");
  await t.close();
});

Deno.test("GET /traces validates its query and filters by utterance", async () => {
  const t = setup();
  await t.post("/task", { text: "echo a", utterance_id: "ua" });
  await t.post("/task", { text: "echo b", utterance_id: "ub" });
  const res = await t.app.request("/traces?utterance_id=ua");
  const events = (await res.json()).events as { utterance_id?: string }[];
  assert(events.length >= 2);
  assert(events.every((e) => e.utterance_id === "ua"));
  assertEquals((await t.app.request("/traces?limit=0")).status, 422);
  assertEquals((await t.app.request("/traces?since=yesterday")).status, 422);
  await t.close();
});

Deno.test("cancel of a queued job is immediate; retry of a non-failed job is 409", async () => {
  const t = setup();
  const body = await (await t.post("/task", { text: "echo wait" })).json();
  const id = body.jobs[0].job_id;
  const retry = await t.post(`/jobs/${id}/retry`, "");
  assertEquals(retry.status, 409);
  const cancel = await t.post(`/jobs/${id}/cancel`, "");
  assertEquals(cancel.status, 202);
  assertEquals((await cancel.json()).status, "cancelled");
  const list = await (await t.app.request("/jobs?status=cancelled")).json();
  assertEquals(list.jobs.length, 1);
  // Without an engine here, the HTTP layer traces the end, once, however often it is asked.
  assertEquals((await t.post(`/jobs/${id}/cancel`, "")).status, 202);
  const ends = (await t.tracer.query({ job_id: id })).filter((e) => e.event === "job.cancelled");
  assertEquals(ends.map((e) => [e.source, e.data?.reason]), [
    ["gateway.http", "cancelled by request"],
  ]);
  await t.close();
});

Deno.test("POST /task over the per-client rate limit answers 429 with Retry-After", async () => {
  const queue = new MemoryQueue();
  const tracer = new Tracer([]);
  const app = createApp({
    queue,
    tracer,
    metrics: new Metrics(),
    skills: [echoSkill],
    rateLimitPerSecond: 2,
    now: () => clock,
  });
  let clock = 1_000_000;
  const statuses: number[] = [];
  let retryAfter: string | null = null;
  for (let i = 0; i < 9; i++) {
    if (i === 6) clock += 1_000; // a second later, two more requests' worth has refilled
    const res = await app.request("/task", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text: "echo x" }),
    });
    statuses.push(res.status);
    if (res.status === 429) {
      retryAfter = res.headers.get("retry-after");
      assertEquals((await res.json()).error, "rate_limited");
    } else await res.body?.cancel();
  }
  assertEquals(statuses, [202, 202, 202, 202, 429, 429, 202, 202, 429]);
  assertEquals(retryAfter, "1");
  // Reads are not limited.
  assertEquals((await app.request("/healthz")).status, 200);
  await tracer.close();
});

Deno.test("/healthz counts the trace sinks' failed writes and dropped lines, without their reasons", async () => {
  const queue = new MemoryQueue();
  const tracer = new Tracer([{
    name: "store",
    write: () => Promise.reject(new Error("disk full at /srv/secret/path")),
    close: () => Promise.resolve(),
  }], { flushIntervalMs: 60_000, maxPendingLines: 10 });
  const app = createApp({ queue, tracer, metrics: new Metrics(), skills: [echoSkill] });
  const before = await (await app.request("/healthz")).json();
  assertEquals(before.trace_sinks, { write_errors: 0, lines_dropped: 0 });
  for (let i = 0; i < 11; i++) tracer.emit({ source: "test", event: `e${i}` });
  await tracer.flush();
  const res = await app.request("/healthz");
  // Failed writes are counted, not a failed check: the store may answer the next one.
  assertEquals(res.status, 200);
  const body = await res.json();
  assertEquals(body.trace_sinks, { write_errors: 1, lines_dropped: 1 });
  assertEquals(JSON.stringify(body).includes("/srv/secret"), false);
  await tracer.close();
});

Deno.test("CORS stays closed: no Access-Control-Allow-Origin on any answer", async () => {
  const t = setup();
  const res = await t.app.request("/healthz", { headers: { origin: "https://evil.example" } });
  assertEquals(res.headers.get("access-control-allow-origin"), null);
  const pre = await t.app.request("/task", {
    method: "OPTIONS",
    headers: { origin: "https://evil.example", "access-control-request-method": "POST" },
  });
  assertEquals(pre.headers.get("access-control-allow-origin"), null);
  await t.close();
});

Deno.test("POST /task answers 503 with Retry-After for a store error the queue calls an outage, though a ping succeeds", async () => {
  // A Redis that restarts answers LOADING for a few milliseconds; a ping just after succeeds.
  const loading = new ErrorReply("LOADING Redis is loading the dataset in memory");
  const queue = new MemoryQueue();
  queue.enqueue = () => Promise.reject(loading);
  const tracer = new Tracer([]);
  const skills = [echoSkill];
  const withClassifier = createApp({
    queue: Object.assign(queue, { isUnavailable: isRedisUnavailable }),
    tracer,
    metrics: new Metrics(() => queue.depth()),
    skills,
  });
  const post = (app: typeof withClassifier) =>
    app.request("/task", {
      method: "POST",
      body: JSON.stringify({ text: "echo hello" }),
      headers: { "content-type": "application/json" },
    });
  const res = await post(withClassifier);
  assertEquals(res.status, 503);
  assertEquals(res.headers.get("retry-after"), "1");
  assertEquals((await res.json()).error, "store_unavailable");
  // Without a classifier the same error, with the store answering, is a bug: 500.
  const bare = new MemoryQueue();
  bare.enqueue = () => Promise.reject(loading);
  const without = createApp({
    queue: bare,
    tracer,
    metrics: new Metrics(() => bare.depth()),
    skills,
  });
  const res500 = await post(without);
  assertEquals(res500.status, 500);
  assertEquals((await res500.json()).error, "internal");
  await tracer.close();
});
