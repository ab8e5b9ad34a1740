import { assert, assertEquals, assertMatch } from "@shared/testing/asserts.ts";
import { TaskSpec, type TraceEvent } from "@shared/schemas/mod.ts";
import { createApp } from "../app.ts";
import { MemoryQueue } from "../queue/memory/memory_queue.ts";
import { Tracer } from "../traces/tracer.ts";
import { Metrics } from "../metrics/metrics.ts";
import { echoSkill } from "../skills/echo/echo_skill.ts";
import type { AppDeps } from "../app_deps.ts";
import { dashboardRoutes } from "./dashboard_routes.tsx";
import { LiveStats } from "./live_stats.ts";
import { createSseParser, type SseMessage } from "@shared/io/sse_parser.ts";

/** A tracer that counts its live subscribers, to prove a closed stream lets go of its own. */
class CountingTracer extends Tracer {
  subscribers = 0;
  override subscribe(fn: (event: TraceEvent) => void): () => void {
    this.subscribers++;
    const off = super.subscribe(fn);
    let done = false;
    return () => {
      if (!done) this.subscribers--;
      done = true;
      return off();
    };
  }
}

function deps(token?: string): AppDeps & { tracer: CountingTracer; queue: MemoryQueue } {
  const queue = new MemoryQueue();
  const tracer = new CountingTracer([]);
  return {
    queue,
    tracer,
    metrics: new Metrics(() => queue.depth()),
    skills: [echoSkill],
    ...(token ? { token } : {}),
  };
}

/** Reads SSE messages from a response until `until` says stop. */
async function read(res: Response, until: (all: SseMessage[]) => boolean): Promise<SseMessage[]> {
  const all: SseMessage[] = [];
  const parser = createSseParser((m) => all.push(m));
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  while (!until(all)) {
    const { value, done } = await reader.read();
    if (done) break;
    parser.push(value);
  }
  await reader.cancel();
  return all;
}

Deno.test("GET /events streams history, live trace events and stats, then unsubscribes", async () => {
  const d = deps();
  const T = Date.now();
  const stats = new LiveStats({ now: () => T }); // the event and the stats in one bucket
  const app = dashboardRoutes(d, { stats, statsIntervalMs: 40, heartbeatMs: 20 });
  assertEquals(d.tracer.subscribers, 0); // the charts observe, they do not subscribe
  const res = await app.request("/events");
  assertEquals(res.status, 200);
  assertMatch(res.headers.get("content-type")!, /^text\/event-stream/);
  assertEquals(d.tracer.subscribers, 1);
  setTimeout(() => {
    d.tracer.emit({
      ts: new Date(T).toISOString(),
      source: "test",
      event: "job.succeeded",
      job_id: "j1",
      duration_ms: 12,
    });
  }, 10);
  const messages = await read(res, (all) => all.filter((m) => m.event === "stats").length >= 2);
  const hello = JSON.parse(messages[0]!.data);
  assertEquals(messages[0]!.event, "hello");
  assertEquals(hello.history.length, 120);
  assertEquals(hello.depth, {
    total: 0,
    queued: 0,
    delayed: 0,
    running: 0,
    awaiting_confirmation: 0,
  });
  const trace = messages.find((m) => m.event === "trace");
  assertEquals(JSON.parse(trace!.data).job_id, "j1");
  const last = JSON.parse(messages.filter((m) => m.event === "stats").at(-1)!.data);
  assertEquals(last.point.completed, 1);
  assertEquals(last.point.p50_ms, 12);
  // The stream let go of its subscription when the reader went away.
  for (let i = 0; i < 50 && d.tracer.subscribers !== 0; i++) {
    await new Promise((r) => setTimeout(r, 10));
  }
  assertEquals(d.tracer.subscribers, 0);
  await d.tracer.close();
});

Deno.test("GET /events sends ': ping' comments when idle", async () => {
  const d = deps();
  const app = dashboardRoutes(d, { statsIntervalMs: 60_000, heartbeatMs: 15 });
  const res = await app.request("/events");
  const text: string[] = [];
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  while (text.join("").split(": ping").length < 3) text.push((await reader.read()).value ?? "");
  await reader.cancel();
  assertMatch(text.join(""), /^event: hello\n/);
  assertMatch(text.join(""), /\n\n: ping\n\n: ping\n\n/);
  await d.tracer.close();
});

Deno.test("GET /events?job_id= streams only that job's events; a bad id is a 422", async () => {
  const d = deps();
  const app = dashboardRoutes(d, { statsIntervalMs: 60_000, heartbeatMs: 60_000 });
  assertEquals((await app.request("/events?job_id=../x")).status, 422);
  const res = await app.request("/events?job_id=j2");
  setTimeout(() => {
    d.tracer.emit({ source: "test", event: "job.started", job_id: "j1" });
    d.tracer.emit({ source: "test", event: "job.started", job_id: "j2" });
  }, 10);
  const messages = await read(res, (all) => all.some((m) => m.event === "trace"));
  assertEquals(messages.filter((m) => m.event === "trace").map((m) => JSON.parse(m.data).job_id), [
    "j2",
  ]);
  await d.tracer.close();
});

Deno.test("GET /events tells a client that fell behind how many events it missed", async () => {
  const d = deps();
  const app = dashboardRoutes(d, { statsIntervalMs: 60_000, heartbeatMs: 60_000 });
  const res = await app.request("/events?utterance_id=u1");
  // Nothing reads while 1,500 events arrive: the first 1,000 wait, the rest are counted.
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  await reader.read(); // hello
  for (let i = 0; i < 1500; i++) d.tracer.emit({ source: "t", event: "x", utterance_id: "u1" });
  const all: SseMessage[] = [];
  const parser = createSseParser((m) => all.push(m));
  while (!all.some((m) => m.event === "gap")) parser.push((await reader.read()).value ?? "");
  await reader.cancel();
  assertEquals(all.filter((m) => m.event === "trace").length, 1000);
  assertEquals(JSON.parse(all.find((m) => m.event === "gap")!.data), { dropped: 500 });
  await d.tracer.close();
});

Deno.test("the charts' history starts before any page opened and samples queue depth", async () => {
  const d = deps();
  let now = Date.now();
  // A fixed clock: the depth sample and the history are taken in the same bucket.
  const stats = new LiveStats({ bucketMs: 1000, windowMs: 10_000, now: () => now });
  const app = dashboardRoutes(d, { stats, statsIntervalMs: 60_000, heartbeatMs: 60_000 });
  d.tracer.emit({ source: "t", event: "job.failed", job_id: "j", duration_ms: 5 });
  await d.queue.enqueue({ utterance_id: "u", text: "x", source: "api" }, [
    { spec: TaskSpec.parse({ intent: "echo", instruction: "hi" }), max_attempts: 1 },
  ]);
  now = Date.now();
  const res = await app.request("/events");
  const [hello] = await read(res, (all) => all.length >= 1);
  const data = JSON.parse(hello!.data);
  assertEquals(data.bucket_ms, 1000);
  assertEquals(data.depth.total, 1);
  const history = data.history as { completed: number; failed: number; depth: number | null }[];
  assertEquals(history.length, 10);
  assertEquals(history.reduce((s, p) => s + p.completed, 0), 1);
  assertEquals(history.reduce((s, p) => s + p.failed, 0), 1);
  assertEquals(history.map((p) => p.depth), [...Array(9).fill(null), 1]);
  await d.tracer.close();
});

Deno.test("with GATEWAY_TOKEN the pages load without it but /events and artifacts need it", async () => {
  const d = deps("s3cret-token-value");
  const app = createApp(d);
  for (const path of ["/", "/job/01JOBID", "/favicon.ico"]) {
    const res = await app.request(path);
    assert(res.status === 200 || res.status === 204, `${path}: ${res.status}`);
    await res.body?.cancel();
  }
  for (const path of ["/events", "/artifacts/01JOBID/patch.diff", "/jobs", "/traces"]) {
    const res = await app.request(path);
    assertEquals(res.status, 401, path);
    assertEquals((await res.json()).error, "unauthorized");
  }
  const wrong = await app.request("/events", { headers: { authorization: "Bearer nope" } });
  assertEquals([wrong.status, (await wrong.json()).message], [401, "Invalid bearer token"]);
  const ok = await app.request("/events", {
    headers: { authorization: "Bearer s3cret-token-value" },
  });
  assertEquals(ok.status, 200);
  await ok.body!.cancel();
  await d.tracer.close();
});
