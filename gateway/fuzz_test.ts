/**
 * Abuse suite: thousands of generated requests against a real gateway socket. Whatever comes
 * in, the answer is never 500 or above, the gateway stays healthy and memory stays bounded.
 */
import { assert, assertEquals } from "@shared/testing/asserts.ts";
import { createApp } from "./app.ts";
import { MemoryQueue } from "./queue/memory/memory_queue.ts";
import { Tracer } from "./traces/tracer.ts";
import { Metrics } from "./metrics/metrics.ts";
import { echoSkill } from "./skills/echo/echo_skill.ts";
import { Engine } from "./engine/engine.ts";

const REQUESTS = 10_000;
const CONNECTIONS = 16;

/** Small seeded PRNG (mulberry32) so a failure can be replayed. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  return { next, int, pick };
}

type Rng = ReturnType<typeof prng>;

const IDS = [
  "01ABCDEF",
  "../../etc/passwd",
  "..%2F..%2Fetc%2Fpasswd",
  "%00",
  "a".repeat(5000),
  "__proto__",
  "constructor",
  "😀",
  "%E2%82",
  "job id with spaces",
  "",
  "%",
];
const PATHS = [
  "/task",
  "/status/{id}",
  "/utterances/{id}",
  "/jobs",
  "/jobs/{id}/retry",
  "/jobs/{id}/cancel",
  "/jobs/{id}/confirm",
  "/traces",
  "/metrics",
  "/healthz",
  "/",
  "/{id}",
];
const QUERIES = [
  "",
  "?limit=-1",
  "?limit=abc",
  "?limit=99999999999999999999",
  "?since=yesterday",
  "?status=__proto__",
  "?cursor=../x",
  "?utterance_id=%00",
  "?job_id[]=1&job_id[]=2",
  "?limit=5&event=job.succeeded",
];
const METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"];

function randomJson(r: Rng, depth: number): unknown {
  const kind = depth > 6 ? r.int(4) : r.int(8);
  switch (kind) {
    case 0:
      return r.pick([0, -1, 1e308, -0, 3.14, Number.MAX_SAFE_INTEGER]);
    case 1:
      return r.pick([
        "",
        "echo hi",
        "x".repeat(r.int(20_000)),
        "\u0000",
        "\ud800",
        "refactor the router",
      ]);
    case 2:
      return r.pick([true, false, null]);
    case 3:
      return [];
    case 4:
    case 5:
      return Array.from({ length: r.int(5) }, () => randomJson(r, depth + 1));
    default: {
      const obj: Record<string, unknown> = {};
      const keys = [
        "text",
        "tasks",
        "utterance_id",
        "source",
        "intent",
        "instruction",
        "params",
        "priority",
        "__proto__",
        "constructor",
        "prototype",
        "decision",
        "x".repeat(100),
      ];
      for (let i = r.int(6); i > 0; i--) obj[r.pick(keys)] = randomJson(r, depth + 1);
      return obj;
    }
  }
}

function nested(depth: number): string {
  return "[".repeat(depth) + "]".repeat(depth);
}

function body(r: Rng): BodyInit | undefined {
  switch (r.int(10)) {
    case 0:
      return undefined;
    case 1:
      return new Uint8Array(Array.from({ length: r.int(200) }, () => r.int(256))); // invalid UTF-8
    case 2:
      return nested(r.pick([10, 1000, 100_000]));
    case 3:
      return JSON.stringify({ text: "echo x", params: JSON.parse(nested(500)) });
    case 4:
      return `{"tasks":[{"intent":"echo","instruction":"x","params":${
        nested(5000).replaceAll("[]", "{}").replaceAll("[", '{"a":').replaceAll("]", "}")
      }}]}`;
    case 5:
      return "x".repeat(r.pick([10, 70_000]));
    case 6:
      return JSON.stringify({
        text: "echo fuzz",
        utterance_id: r.pick(IDS.slice(0, 6)),
        source: r.pick(["voice", "api", "x"]),
      });
    default:
      return JSON.stringify(randomJson(r, 0));
  }
}

function headers(r: Rng): Record<string, string> {
  const h: Record<string, string> = {};
  if (r.int(2)) {
    h["content-type"] = r.pick([
      "application/json",
      "text/plain",
      "multipart/form-data; boundary=x",
      "application/json; charset=latin1",
      "\u00ff",
    ]);
  }
  if (r.int(4) === 0) {
    h["authorization"] = r.pick(["Bearer", "Bearer x", "Basic abc", "Bearer " + "a".repeat(4000)]);
  }
  if (r.int(6) === 0) h["x-" + "y".repeat(r.int(50))] = "z".repeat(r.int(6000));
  if (r.int(8) === 0) h["content-encoding"] = "gzip";
  return h;
}

Deno.test({
  name: "fuzz: 10,000 generated requests never get a 5xx, and the gateway stays healthy",
  permissions: { net: ["127.0.0.1"], read: true, env: true, sys: true },
  async fn() {
    const queue = new MemoryQueue();
    const tracer = new Tracer([], { ringSize: 1000 });
    const metrics = new Metrics(() => queue.depth());
    const engine = new Engine({
      queue,
      skills: [echoSkill],
      tracer,
      metrics,
      dataDir: ".",
      skillContext: { dataDir: ".", env: () => undefined, settings: {} },
    });
    engine.start();
    const app = createApp({ queue, tracer, metrics, skills: [echoSkill], engine });
    const ac = new AbortController();
    const server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, signal: ac.signal, onListen() {} },
      app.fetch,
    );
    const base = `http://127.0.0.1:${server.addr.port}`;
    const r = prng(20261124);
    const plan = Array.from({ length: REQUESTS }, () => {
      const path = r.pick(PATHS).replace("{id}", r.pick(IDS)) + r.pick(QUERIES);
      const method = r.pick(METHODS);
      return {
        path,
        method,
        body: method === "GET" || method === "HEAD" ? undefined : body(r),
        headers: headers(r),
      };
    });
    const statuses = new Map<number, number>();
    const serverErrors: string[] = [];
    let transportErrors = 0;
    // Memory must stay bounded: the same mix sent twice must not grow the heap the second time.
    // `--v8-flags=--expose-gc` (deno task test) lets us measure after a full collection.
    const gc = (globalThis as { gc?: () => void }).gc;
    assert(gc, "run with --v8-flags=--expose-gc (deno task test does) so the heap can be measured");
    const heapAfterGc = () => {
      gc();
      return Deno.memoryUsage().heapUsed;
    };
    let next = 0;
    const send = async (upTo: number) => {
      await Promise.all(Array.from({ length: CONNECTIONS }, async () => {
        while (next < upTo) {
          const req = plan[next++]!;
          try {
            const res = await fetch(base + req.path, {
              method: req.method,
              headers: req.headers,
              ...(req.body !== undefined ? { body: req.body } : {}),
            });
            await res.body?.cancel();
            statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
            if (res.status >= 500) {
              serverErrors.push(`${req.method} ${req.path.slice(0, 80)} → ${res.status}`);
            }
          } catch {
            // e.g. a header value fetch itself refuses to send; the request never reached us.
            transportErrors++;
          }
        }
      }));
    };
    await send(REQUESTS / 2);
    const heapHalf = heapAfterGc();
    await send(REQUESTS);
    const heapEnd = heapAfterGc();
    console.log(
      `heap after 5,000 requests: ${(heapHalf / 1e6).toFixed(1)} MB, after 10,000: ${
        (heapEnd / 1e6).toFixed(1)
      } MB`,
    );
    const health = await fetch(`${base}/healthz`);
    assertEquals(health.status, 200);
    await health.body?.cancel();
    const sent = [...statuses.values()].reduce((a, b) => a + b, 0);
    assertEquals(serverErrors, [], `5xx answers (${serverErrors.length})`);
    assert(
      sent >= REQUESTS * 0.95,
      `only ${sent} of ${REQUESTS} requests got an answer (${transportErrors} transport errors)`,
    );
    assert(
      heapEnd - heapHalf < 32 * 1024 * 1024,
      `the heap grew by ${
        ((heapEnd - heapHalf) / 1e6).toFixed(1)
      } MB over the second 5,000 requests`,
    );
    ac.abort();
    await server.finished;
    await engine.stop({ graceMs: 2000 });
    await tracer.close();
  },
});
