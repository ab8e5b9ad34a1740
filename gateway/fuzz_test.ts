/**
 * Abuse suite: thousands of generated requests against real gateway sockets, one gateway open
 * and one with `GATEWAY_TOKEN`. Whatever comes in, the answer is never 500 or above; without
 * the right token nothing but the open pages answers; oversized headers get 431; SSE streams
 * close when the client goes; the gateway stays healthy and memory stays bounded.
 */
import { assert, assertEquals } from "@shared/testing/asserts.ts";
import { createApp } from "./app.ts";
import { DEFAULT_MAX_HEADER_BYTES, headerBytes } from "./header_limits.ts";
import { MemoryQueue } from "./queue/memory/memory_queue.ts";
import { Tracer } from "./traces/tracer.ts";
import { Metrics } from "./metrics/metrics.ts";
import { echoSkill } from "./skills/echo/echo_skill.ts";
import { Engine } from "./engine/engine.ts";
import { rawRequest } from "@shared/testing/raw_http.ts";

const REQUESTS = 10_000;
const CONNECTIONS = 16;
/** Share of the requests sent to the gateway that has a token. */
const TOKEN_SHARE = 0.35;
const TOKEN = "fuzz-gateway-token-5d1e8a";
/** Deadline for reading an SSE stream's first event, and for closing it. */
const STREAM_DEADLINE_MS = 3000;

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
  "/vocabulary",
  "/metrics",
  "/healthz",
  "/",
  "/{id}",
  "/events",
  "/events",
  "/artifacts/{id}/{name}",
  "/artifacts/{id}/{name}",
  "/job/{id}",
  "/docs",
  "/openapi.json",
  "/favicon.ico",
];
/** Paths answered without a token (besides `GET /job/<id>`). */
const OPEN_PATHS = new Set(["/healthz", "/", "/docs", "/openapi.json", "/favicon.ico"]);
/** Artifacts on disk for job 01ABCDEF; `link.txt` is a symlink and `sub` a directory. */
const ARTIFACTS: Record<string, string> = {
  "report.txt": "the report\n",
  "patch.diff": "--- a/x\n+++ b/x\n",
  "answer.json": '{"ok":true}',
};
const ARTIFACT_NAMES = [
  ...Object.keys(ARTIFACTS),
  "link.txt",
  "sub",
  "missing.png",
  "..",
  ".hidden",
  "a..b",
  "%2e%2e%2fsecret",
  "..%2F..%2Fetc%2Fpasswd",
  "x".repeat(200),
  "%00.txt",
  "😀.md",
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
  "?job_id=01ABCDEF",
  "?utterance_id=u-1",
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
  switch (r.int(11)) {
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
    case 10: // a well-formed task, so that jobs run while the rest goes on
      return JSON.stringify({
        text: r.pick(["echo fuzz", "echo Bearer fuzz-token-123456", "please echo 😀"]),
        utterance_id: `fuzz-${r.int(1e9)}`,
      });
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

/** Authorization headers, each with what the token-guarded gateway must make of it. */
const AUTH: readonly { values: readonly string[]; verdict: "valid" | "invalid" | "missing" }[] = [
  { values: [`Bearer ${TOKEN}`], verdict: "valid" },
  { values: [`bearer ${TOKEN}`], verdict: "valid" },
  { values: [`Bearer    ${TOKEN}`], verdict: "valid" },
  { values: [`Bearer\t${TOKEN}`], verdict: "valid" },
  { values: ["Bearer x"], verdict: "invalid" },
  { values: [`Bearer ${TOKEN}x`], verdict: "invalid" },
  { values: [`Bearer ${TOKEN.slice(0, -1)}`], verdict: "invalid" },
  { values: [`Bearer ${TOKEN.toUpperCase()}`], verdict: "invalid" },
  { values: [`Bearer ${TOKEN} ${TOKEN}`], verdict: "invalid" },
  { values: [`Bearer ${TOKEN}`, "Bearer x"], verdict: "invalid" }, // sent twice: joined by ", "
  { values: ["Bearer " + "a".repeat(4000)], verdict: "invalid" },
  { values: ["Bearer \u00ff\u00fe\u00e9"], verdict: "invalid" },
  { values: ["Bearer %00"], verdict: "invalid" },
  { values: ["Bearer"], verdict: "missing" },
  { values: ["Bearer "], verdict: "missing" }, // trailing space is trimmed on the wire
  { values: [TOKEN], verdict: "missing" },
  { values: [`Token ${TOKEN}`], verdict: "missing" },
  { values: [`Basic ${btoa(`user:${TOKEN}`)}`], verdict: "missing" },
  { values: ["Basic abc"], verdict: "missing" },
  { values: [""], verdict: "missing" },
  { values: ["\u00ff"], verdict: "missing" },
];

/**
 * Header sizes around the limit: most requests carry small headers; some carry clearly less
 * or clearly more than the limit (a margin of 1 KiB for what `fetch` adds: host, user agent…).
 */
const MARGIN = 1024;

function oddHeaders(r: Rng, h: [string, string][]): void {
  switch (r.int(14)) {
    case 0: // one large header just under the limit once fetch's own are added
      h.push(["x-large", "l".repeat(DEFAULT_MAX_HEADER_BYTES - MARGIN - 2000 + r.int(1000))]);
      break;
    case 1: // one large header over it
      h.push(["x-large", "l".repeat(DEFAULT_MAX_HEADER_BYTES + r.int(40_000))]);
      break;
    case 2: // many headers adding up to more than the limit
      for (let i = 80 + r.int(30); i > 0; i--) h.push([`x-many-${i}`, "m".repeat(250)]);
      break;
    case 3: // a repeated header, joined into one value
      for (let i = 10 + r.int(90); i > 0; i--) h.push(["x-dup", "d".repeat(40)]);
      break;
    case 4: // beyond what Deno's HTTP server reads at all: in bytes, or in header lines
      if (r.int(2)) h.push(["x-huge", "h".repeat(70_000 + r.int(30_000))]);
      else for (let i = 140 + r.int(200); i > 0; i--) h.push([`x-line-${i}`, "l"]);
      break;
    case 5:
      h.push(["cookie", Array.from({ length: 50 + r.int(300) }, (_, i) => `c${i}=v`).join("; ")]);
      break;
    case 6:
      h.push(["x-latin1", "\u00e9\u00ff\u0080\u00a0".repeat(1 + r.int(2000))]);
      break;
    case 7:
      h.push(["x-!#$%&'*+.^_`|~", "token characters in the name"]);
      break;
    case 8:
      h.push(["x-empty", ""], ["x-tab", "a\tb\t c"]);
      break;
    case 9:
      h.push(["x-" + "y".repeat(1 + r.int(8000)), "z".repeat(r.int(6000))]);
      break;
    case 10:
      h.push(["content-length", r.pick(["0", "-1", "99999999999", "abc"])]);
      break;
    case 11:
      h.push(["host", r.pick(["", "evil.example", "127.0.0.1:1", "a".repeat(300)])]);
      break;
    case 12:
      h.push(["accept", r.pick(["text/event-stream", "*/*;q=0", "\u00ff/\u00ff"])]);
      break;
    default:
      break;
  }
}

/** Where a request claims to come from: the gateway's own page, another site, or nowhere. */
type OriginKind = "none" | "own" | "foreign" | "null";
const FOREIGN_ORIGINS = ["http://evil.example", "http://127.0.0.1:1", "https://localhost:2"];

function headers(r: Rng): {
  pairs: [string, string][];
  auth: "valid" | "invalid" | "missing";
  origin: OriginKind;
} {
  const h: [string, string][] = [];
  const origin = r.pick<OriginKind>(["none", "none", "none", "own", "foreign", "null"]);
  // Mostly JSON, as clients send it, so that bodies reach the routes and jobs run; the rest
  // must get 415 (fetch itself labels a string body text/plain when none is given).
  if (r.int(3)) {
    h.push([
      "content-type",
      r.int(2) ? "application/json" : r.pick([
        "application/json; charset=utf-8",
        "text/plain",
        "multipart/form-data; boundary=x",
        "application/json; charset=latin1",
        "\u00ff",
      ]),
    ]);
  }
  let auth: "valid" | "invalid" | "missing" = "missing";
  if (r.int(2)) {
    const choice = r.pick(AUTH);
    for (const v of choice.values) h.push(["authorization", v]);
    auth = choice.verdict;
  }
  if (r.int(3) === 0) oddHeaders(r, h);
  if (r.int(8) === 0) h.push(["content-encoding", "gzip"]);
  return { pairs: h, auth, origin };
}

/** The path as the server routes it, decoded where it decodes. */
function serverPaths(base: string, path: string): string[] {
  const pathname = new URL(base + path).pathname;
  try {
    return [pathname, decodeURI(pathname)];
  } catch {
    return [pathname];
  }
}

/** Paths that may answer without a token: the open pages and `/job/<id>`. */
function mayBeOpen(base: string, path: string): boolean {
  return serverPaths(base, path).some((p) => OPEN_PATHS.has(p) || p.startsWith("/job/"));
}

function withDeadline<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what}: no answer in ${STREAM_DEADLINE_MS} ms`)),
      STREAM_DEADLINE_MS,
    );
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/** A response's JSON, or its text when it is not JSON. */
async function jsonOf(res: Response): Promise<Record<string, unknown> | string> {
  const text = await res.text();
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** A tracer that counts its live subscriptions: each open SSE stream holds one. */
class CountingTracer extends Tracer {
  live = 0;
  override subscribe(fn: Parameters<Tracer["subscribe"]>[0]): () => void {
    const unsubscribe = super.subscribe(fn);
    this.live++;
    let done = false;
    return () => {
      if (!done) this.live--;
      done = true;
      return unsubscribe();
    };
  }
}

/**
 * The web-safety refusal a request must get, modelled here from the rules (not from the
 * module): a foreign Host (403 on data, 421 on pages; /healthz answers any), then a foreign
 * Origin on a state change (403), then an undeclared JSON body (415).
 */
function expectedRefusal(req: {
  method: string;
  path: string;
  hostAllowed: boolean;
  origin: OriginKind;
  contentType: string | undefined;
  hasBody: boolean;
}): { status: number; error: string } | undefined {
  if (!req.hostAllowed && req.path !== "/healthz") {
    const page = req.path === "/" || /^\/job\/[^/]*$/.test(req.path) ||
      ["/docs", "/openapi.json", "/favicon.ico"].includes(req.path);
    return { status: page ? 421 : 403, error: "host_not_allowed" };
  }
  if (["GET", "HEAD", "OPTIONS"].includes(req.method)) return undefined;
  if (req.origin === "foreign" || req.origin === "null") {
    return { status: 403, error: "origin_not_allowed" };
  }
  const jsonRoute = /^\/task\/?$/.test(req.path) || /^\/jobs\/[^/]+\/confirm\/?$/.test(req.path);
  const type = req.contentType?.toLowerCase().replaceAll(" ", "");
  const json = type === "application/json" || type === "application/json;charset=utf-8";
  if ((req.hasBody || jsonRoute) && !json) return { status: 415, error: "unsupported_media_type" };
  return undefined;
}

/** What fetch sends as the content type: the one given, or text/plain for a string body. */
function sentContentType(
  pairs: readonly [string, string][],
  body: BodyInit | undefined,
): string | undefined {
  const given = pairs.filter(([k]) => k === "content-type").map(([, v]) => v);
  if (given.length) return given.join(", ");
  return typeof body === "string" ? "text/plain;charset=UTF-8" : undefined;
}

function bodyLength(body: BodyInit | undefined): number {
  if (body === undefined) return 0;
  return typeof body === "string" ? body.length : (body as Uint8Array).length;
}

/** Checks an answer against the refusal it should be; returns what was wrong, if anything. */
async function refusedAs(
  res: { status: number; text?: string } | Response,
  method: string,
  refusal: { status: number; error: string },
): Promise<string | undefined> {
  if (res.status !== refusal.status) {
    return `expected ${refusal.status} ${refusal.error}, got ${res.status}`;
  }
  if (method === "HEAD") return;
  const text = res instanceof Response ? await res.text() : res.text ?? "";
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text);
  } catch { /* checked below */ }
  const hint = refusal.error === "unsupported_media_type"
    ? "add -H 'content-type: application/json'"
    : refusal.error === "host_not_allowed"
    ? "does not name this gateway"
    : "may not change this gateway's state";
  return body.error === refusal.error && String(body.message).includes(hint) &&
      Object.keys(body).length === 2
    ? undefined
    : `${refusal.status} body ${text.slice(0, 200)}`;
}

const UNAUTHORIZED = {
  invalid: { error: "unauthorized", message: "Invalid bearer token" },
  missing: {
    error: "unauthorized",
    message: "Missing bearer token: send 'Authorization: Bearer <GATEWAY_TOKEN>'",
  },
};

Deno.test({
  name: "fuzz: 10,000 generated requests never get a 5xx, and the gateway stays healthy",
  permissions: { net: ["127.0.0.1"], read: true, write: true, env: true, sys: true },
  async fn() {
    const dataDir = await Deno.makeTempDir({ prefix: "fuzz-" });
    const jobDir = `${dataDir}/artifacts/01ABCDEF`;
    await Deno.mkdir(`${jobDir}/sub`, { recursive: true });
    for (const [name, text] of Object.entries(ARTIFACTS)) {
      await Deno.writeTextFile(`${jobDir}/${name}`, text);
    }
    await Deno.writeTextFile(`${dataDir}/secret.txt`, "outside the artifacts");
    await Deno.symlink(`${dataDir}/secret.txt`, `${jobDir}/link.txt`);

    const queue = new MemoryQueue();
    const tracer = new CountingTracer([], { ringSize: 1000 });
    const metrics = new Metrics(() => queue.depth());
    const engine = new Engine({
      queue,
      skills: [echoSkill],
      tracer,
      metrics,
      dataDir,
      skillContext: { dataDir, env: () => undefined, settings: {} },
    });
    engine.start();
    const deps = { queue, tracer, metrics, skills: [echoSkill], engine, dataDir };
    const servers = [createApp(deps), createApp({ ...deps, token: TOKEN })].map((app) => {
      const ac = new AbortController();
      const server = Deno.serve(
        { hostname: "127.0.0.1", port: 0, signal: ac.signal, onListen() {} },
        app.fetch,
      );
      return { ac, server, base: `http://127.0.0.1:${server.addr.port}` };
    });
    const [open, guarded] = servers as [typeof servers[0], typeof servers[0]];
    const baselineSubscriptions = tracer.live; // the dashboards' charts, for the app's lifetime

    const r = prng(20261124);
    const plan = Array.from({ length: REQUESTS }, () => {
      const template = r.pick(PATHS);
      const path = template.replace("{id}", r.int(3) ? r.pick(IDS) : "01ABCDEF")
        .replace("{name}", r.pick(ARTIFACT_NAMES)) + (r.int(3) ? "" : r.pick(QUERIES));
      // Pages and streams are mostly fetched with GET as a browser would; tasks are POSTed.
      const method = r.int(2) ? (template === "/task" ? "POST" : "GET") : r.pick(METHODS);
      const withToken = r.next() < TOKEN_SHARE;
      const { pairs, auth, origin } = headers(r);
      const target = withToken ? guarded : open;
      if (origin !== "none") {
        pairs.push([
          "origin",
          origin === "own" ? target.base : origin === "null" ? "null" : r.pick(FOREIGN_ORIGINS),
        ]);
      }
      return {
        path,
        method,
        body: method === "GET" || method === "HEAD" ? undefined : body(r),
        pairs,
        auth,
        origin,
        target,
        ownHeaderBytes: headerBytes(
          new Headers(pairs.filter(([, v]) => [...v].every((ch) => ch.charCodeAt(0) <= 0xff))),
        ),
      };
    });
    const statuses = new Map<number, number>();
    const serverErrors: string[] = [];
    const wrongAnswers: string[] = [];
    const streamProblems: string[] = [];
    let transportErrors = 0;
    let streamsRead = 0;
    let guardedRefusals = 0;
    let headerRefusals = 0;
    const safetyRefusals = new Map<string, number>();
    // Memory must stay bounded: the same mix sent twice must not grow the heap the second time.
    // `--v8-flags=--expose-gc` (deno task test) lets us measure after a full collection.
    const gc = (globalThis as { gc?: () => void }).gc;
    assert(gc, "run with --v8-flags=--expose-gc (deno task test does) so the heap can be measured");
    const heapAfterGc = () => {
      gc();
      return Deno.memoryUsage().heapUsed;
    };

    type Planned = typeof plan[number];
    /** Checks one answer; returns what was wrong with it, if anything. */
    const check = async (req: Planned, res: Response): Promise<string | undefined> => {
      const guardedTarget = req.target === guarded;
      const big = req.ownHeaderBytes > DEFAULT_MAX_HEADER_BYTES;
      const small = req.ownHeaderBytes + MARGIN <= DEFAULT_MAX_HEADER_BYTES;
      // Deno's server itself answers 400 without a body to a header section past about
      // 64 KiB or 128 lines (fetch adds a few lines of its own): the app never sees those.
      const beyondDeno = req.ownHeaderBytes > 60_000 || req.pairs.length > 128;
      if (beyondDeno) {
        if (res.status === 400 && (await res.text()) === "") return;
        if (res.status !== 431) return `headers beyond Deno's limits → ${res.status}`;
      }
      if (big) {
        if (res.status !== 431) return `headers of ${req.ownHeaderBytes} bytes → ${res.status}`;
        headerRefusals++;
        if (req.method === "HEAD") return;
        const body = await jsonOf(res);
        const shape = typeof body === "object" && body.error === "headers_too_large" &&
          /^Request header fields exceed the limit of 16384 bytes: current size is \d+$/.test(
            String(body.message),
          ) && Object.keys(body).length === 2;
        return shape ? undefined : `431 body ${JSON.stringify(body)}`;
      }
      if (small && res.status === 431) return `headers of ${req.ownHeaderBytes} bytes → 431`;
      if (!small && res.status === 431) return; // near the limit: either answer is right
      const refusal = expectedRefusal({
        method: req.method,
        path: serverPaths(req.target.base, req.path)[0]!,
        hostAllowed: true, // fetch sends the URL's own Host
        origin: req.origin,
        contentType: sentContentType(req.pairs, req.body),
        hasBody: bodyLength(req.body) > 0,
      });
      if (refusal) {
        safetyRefusals.set(refusal.error, (safetyRefusals.get(refusal.error) ?? 0) + 1);
        return await refusedAs(res, req.method, refusal);
      }
      if ([415, 421].includes(res.status)) return `refused with ${res.status} though admissible`;
      if (!guardedTarget) {
        return res.status === 401 ? "401 from the gateway without a token" : undefined;
      }
      if (req.auth === "valid" || mayBeOpen(req.target.base, req.path)) return;
      if (res.status === 431 && !small) return; // near the limit: either answer is right
      if (res.status !== 401) return `no valid token (${req.auth}) → ${res.status}`;
      guardedRefusals++;
      if (res.headers.get("www-authenticate") !== 'Bearer realm="gateway"') {
        return "401 without www-authenticate";
      }
      if (req.method === "HEAD") return;
      const body = await jsonOf(res);
      return JSON.stringify(body) === JSON.stringify(UNAUTHORIZED[req.auth])
        ? undefined
        : `401 body ${JSON.stringify(body)} for ${req.auth} authorization`;
    };

    /** An SSE answer: the first event must be `hello`, and cancelling must end the stream. */
    const readStream = async (req: Planned, res: Response) => {
      const reader = res.body!.getReader();
      const what = `${req.method} ${req.path.slice(0, 60)}`;
      try {
        const first = await withDeadline(reader.read(), `${what} first event`);
        const text = new TextDecoder().decode(first.value ?? new Uint8Array());
        if (!text.startsWith("event: hello\n")) {
          streamProblems.push(`${what} began with ${JSON.stringify(text.slice(0, 40))}`);
        }
        streamsRead++;
      } catch (err) {
        streamProblems.push(String(err));
      }
      try {
        await withDeadline(reader.cancel(), `${what} cancel`);
      } catch (err) {
        streamProblems.push(String(err));
      }
    };

    let next = 0;
    const send = async (upTo: number) => {
      await Promise.all(Array.from({ length: CONNECTIONS }, async () => {
        while (next < upTo) {
          const req = plan[next++]!;
          let res: Response;
          try {
            res = await fetch(req.target.base + req.path, {
              method: req.method,
              headers: req.pairs,
              ...(req.body !== undefined ? { body: req.body } : {}),
            });
          } catch {
            // e.g. a header value fetch itself refuses to send; the request never reached us.
            transportErrors++;
            continue;
          }
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          const where = `${req.target === guarded ? "token" : "open"} ${req.method} ${
            req.path.slice(0, 80)
          }`;
          if (res.status >= 500) serverErrors.push(`${where} → ${res.status}`);
          const wrong = await check(req, res);
          if (wrong) wrongAnswers.push(`${where}: ${wrong}`);
          if (res.headers.get("content-type")?.startsWith("text/event-stream") && res.body) {
            await readStream(req, res);
          } else if (
            res.status === 200 && req.method === "GET" &&
            serverPaths(req.target.base, req.path).some((p) => p.startsWith("/artifacts/"))
          ) {
            // Only the files written above can be served, each with its own content.
            const text = await res.text();
            const name = new URL(req.target.base + req.path).pathname.split("/").at(-1)!;
            if (ARTIFACTS[name] !== text) {
              wrongAnswers.push(`${where}: served ${text.slice(0, 40)}`);
            }
          } else if (!res.bodyUsed) {
            await res.body?.cancel();
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
      } MB; ${streamsRead} SSE streams read and closed, ${guardedRefusals} requests refused ` +
        `for want of the token, ${headerRefusals} for their headers; web safety refusals ${
          JSON.stringify(Object.fromEntries(safetyRefusals))
        }; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => a - b)))}`,
    );
    for (const { base } of servers) {
      const health = await fetch(`${base}/healthz`);
      assertEquals(health.status, 200);
      await health.body?.cancel();
    }
    const sent = [...statuses.values()].reduce((a, b) => a + b, 0);
    assertEquals(serverErrors, [], `5xx answers (${serverErrors.length})`);
    assertEquals(wrongAnswers.slice(0, 20), [], `wrong answers (${wrongAnswers.length})`);
    assertEquals(streamProblems.slice(0, 20), [], `SSE problems (${streamProblems.length})`);
    // The mix must exercise what it claims to: streams, the token gate, the header limit.
    assert(streamsRead >= 100, `only ${streamsRead} SSE streams were read`);
    assert(guardedRefusals >= 300, `only ${guardedRefusals} requests were refused a token`);
    assert(headerRefusals >= 100, `only ${headerRefusals} requests were refused for headers`);
    const accepted = statuses.get(202) ?? 0;
    assert(accepted >= 5, `only ${accepted} tasks were accepted: the mix must run jobs`);
    for (const error of ["origin_not_allowed", "unsupported_media_type"]) {
      const n = safetyRefusals.get(error) ?? 0;
      assert(n >= 100, `only ${n} requests were refused with ${error}`);
    }
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
    // Every stream the clients closed has ended on the server too: no subscription is left.
    for (let waited = 0; tracer.live > baselineSubscriptions && waited < 3000; waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assertEquals(tracer.live - baselineSubscriptions, 0, "SSE subscriptions left open");
    for (const { ac, server } of servers) {
      ac.abort();
      await server.finished;
    }
    await engine.stop({ graceMs: 2000 });
    await tracer.close();
    await Deno.remove(dataDir, { recursive: true });
  },
});

Deno.test({
  name: "HEAD /events answers the stream's headers and leaves no subscription behind",
  permissions: { net: ["127.0.0.1"] },
  async fn() {
    const queue = new MemoryQueue();
    const tracer = new CountingTracer([]);
    const metrics = new Metrics(() => queue.depth());
    const app = createApp({ queue, tracer, metrics, skills: [echoSkill] });
    const ac = new AbortController();
    const server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, signal: ac.signal, onListen() {} },
      app.fetch,
    );
    const base = `http://127.0.0.1:${server.addr.port}`;
    const baseline = tracer.live;
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${base}/events`, { method: "HEAD" });
      assertEquals(res.status, 200);
      assertEquals(res.headers.get("content-type"), "text/event-stream");
      assertEquals(await res.text(), "");
    }
    const inProcess = await app.request("/events", { method: "HEAD" });
    assertEquals(inProcess.status, 200);
    assertEquals(await inProcess.text(), "");
    // A GET stream holds a subscription while it is open, and gives it back when closed.
    const get = await fetch(`${base}/events`);
    const reader = get.body!.getReader();
    assertEquals(
      new TextDecoder().decode((await reader.read()).value).split("\n")[0],
      "event: hello",
    );
    assertEquals(tracer.live - baseline, 1);
    await reader.cancel();
    for (let waited = 0; tracer.live > baseline && waited < 2000; waited += 20) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assertEquals(tracer.live - baseline, 0, "subscriptions left after HEAD and a closed GET");
    ac.abort();
    await server.finished;
    await tracer.close();
  },
});

Deno.test({
  name: "fuzz: 3,000 raw requests mixing Host, Origin and content type get exactly their refusal",
  permissions: { net: ["127.0.0.1"], read: true, write: true, env: true, sys: true },
  async fn() {
    const queue = new MemoryQueue();
    const tracer = new Tracer([], { ringSize: 1000 });
    const metrics = new Metrics(() => queue.depth());
    const gateways = [undefined, TOKEN].map((token) => {
      let port = 0;
      const app = createApp({
        queue,
        tracer,
        metrics,
        skills: [echoSkill],
        ...(token ? { token } : {}),
        webSafety: { listening: () => ({ hostname: "127.0.0.1", port }) },
      });
      const ac = new AbortController();
      const server = Deno.serve(
        { hostname: "127.0.0.1", port: 0, signal: ac.signal, onListen() {} },
        app.fetch,
      );
      port = server.addr.port;
      return { token, port, ac, server };
    });
    // Host values, each with whether it names the gateway (P is the gateway's port).
    const HOSTS: [string, boolean][] = [
      ["127.0.0.1:P", true],
      ["localhost:P", true],
      ["[::1]:P", true],
      ["LocalHost:P", true],
      ["127.0.0.1", false],
      ["localhost:1", false],
      ["evil.example", false],
      ["evil.example:P", false],
      ["localhost.:P", false],
      ["127.0.0.1.nip.io:P", false],
      ["user@127.0.0.1:P", false],
      ["127.0.0.1:P?x", false],
      ["[::1]", false],
      ["0.0.0.0:P", false],
    ];
    const TYPES = [
      undefined,
      "application/json",
      "application/json; charset=utf-8",
      "text/plain",
      "text/plain;charset=UTF-8",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=x",
      "application/json; charset=latin1",
      "text/json",
    ];
    const RAW_PATHS = [
      "/task",
      "/jobs/01ABCDEF/confirm",
      "/jobs/01ABCDEF/cancel",
      "/jobs/01ABCDEF/retry",
      "/jobs",
      "/status/01ABCDEF",
      "/",
      "/job/01ABCDEF",
      "/docs",
      "/openapi.json",
      "/healthz",
      "/events",
      "/artifacts/01ABCDEF/report.txt",
      "/metrics",
    ];
    const r = prng(20261203);
    const wrong: string[] = [];
    const tally = new Map<string, number>();
    let next = 0;
    const TOTAL = 3000;
    await Promise.all(Array.from({ length: 8 }, async () => {
      while (next < TOTAL) {
        next++;
        const g = r.pick(gateways);
        const [hostTemplate, hostAllowed] = r.pick(HOSTS);
        const host = hostTemplate.replace("P", String(g.port));
        const method = r.pick(["GET", "POST", "POST", "POST", "PUT", "DELETE", "OPTIONS", "HEAD"]);
        const path = r.pick(RAW_PATHS);
        const origin = r.pick<OriginKind>(["none", "none", "own", "foreign", "null"]);
        const contentType = r.pick(TYPES);
        const body = method === "GET" || method === "HEAD" || r.int(4) === 0
          ? undefined
          : r.pick(['{"text":"echo raw"}', '{"decision":"allow"}', "text=echo", "x"]);
        const pairs: [string, string][] = [["host", host]];
        if (origin !== "none") {
          pairs.push([
            "origin",
            origin === "own"
              ? `http://${host}`
              : origin === "null"
              ? "null"
              : r.pick(FOREIGN_ORIGINS),
          ]);
        }
        if (contentType) pairs.push(["content-type", contentType]);
        const authorized = g.token !== undefined && r.int(2) === 0;
        if (authorized) pairs.push(["authorization", `Bearer ${g.token}`]);
        const res = await rawRequest(g.port, method, path, pairs, body);
        const where = `${g.token ? "token" : "open"} ${method} ${path} host=${host} ` +
          `origin=${origin} type=${contentType} body=${body !== undefined}`;
        if (res.status >= 500) {
          wrong.push(`${where} → ${res.status}`);
          continue;
        }
        const refusal = expectedRefusal({
          method,
          path,
          hostAllowed,
          // Only a Host that names the gateway makes a page its own (/healthz takes any Host).
          origin: origin === "own" && !hostAllowed ? "foreign" : origin,
          contentType,
          hasBody: body !== undefined,
        });
        if (refusal) {
          tally.set(refusal.error, (tally.get(refusal.error) ?? 0) + 1);
          const problem = await refusedAs(res, method, refusal);
          if (problem) wrong.push(`${where}: ${problem}`);
          continue;
        }
        tally.set("admitted", (tally.get("admitted") ?? 0) + 1);
        if ([415, 421].includes(res.status)) {
          wrong.push(`${where}: ${res.status} though admissible`);
        }
        if (res.status === 403) wrong.push(`${where}: 403 ${res.text.slice(0, 120)}`);
        const open = ["/healthz", "/", "/docs", "/openapi.json"].includes(path) ||
          (method === "GET" && path.startsWith("/job/"));
        if (g.token && !authorized && !open && res.status !== 401) {
          wrong.push(`${where}: no token → ${res.status}`);
        }
      }
    }));
    console.log(`raw fuzz outcomes ${JSON.stringify(Object.fromEntries(tally))}`);
    assertEquals(wrong.slice(0, 20), [], `wrong answers (${wrong.length})`);
    for (
      const what of ["host_not_allowed", "origin_not_allowed", "unsupported_media_type", "admitted"]
    ) {
      assert((tally.get(what) ?? 0) >= 200, `only ${tally.get(what) ?? 0} requests ${what}`);
    }
    for (const { ac, server } of gateways) {
      ac.abort();
      await server.finished;
    }
    await tracer.close();
  },
});
