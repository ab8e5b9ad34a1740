/**
 * Web safety over real HTTP: a gateway on a loopback port, with and without `GATEWAY_TOKEN`,
 * answers each rule (Host, Origin, content type) with its exact status and error body, and a
 * refused request changes nothing. Then the pure checks' edge cases, the flags, and the real
 * `main.ts` process (where the listening port is known).
 */
import { assert, assertEquals, assertStringIncludes } from "@shared/testing/asserts.ts";
import { TaskSpec } from "@shared/schemas/mod.ts";
import { shippedPermissions } from "@shared/task_permissions.ts";
import { readLines } from "@shared/io/lines.ts";
import { rawRequest } from "@shared/testing/raw_http.ts";
import { createApp } from "./app.ts";
import { MemoryQueue } from "./queue/memory/memory_queue.ts";
import { Tracer } from "./traces/tracer.ts";
import { Metrics } from "./metrics/metrics.ts";
import { echoSkill } from "./skills/echo/echo_skill.ts";
import { parseGatewayFlags, UsageError } from "./cli.ts";
import {
  contentTypeVerdict,
  hostVerdict,
  isJsonContentType,
  normaliseOrigin,
  parseAuthority,
} from "./web_safety.ts";

const TOKEN = "web-safety-token-8c2d41";
const JSON_TYPE = { "content-type": "application/json" };

function serve(token?: string, extra: { hosts?: string[]; origins?: string[] } = {}) {
  const queue = new MemoryQueue();
  const tracer = new Tracer([]);
  let port = 0;
  const app = createApp({
    queue,
    tracer,
    metrics: new Metrics(() => queue.depth()),
    skills: [echoSkill],
    ...(token ? { token } : {}),
    webSafety: {
      allowedHosts: extra.hosts ?? [],
      allowOrigins: extra.origins ?? [],
      listening: () => ({ hostname: "127.0.0.1", port }),
    },
  });
  const ac = new AbortController();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: ac.signal, onListen() {} },
    app.fetch,
  );
  port = server.addr.port;
  const base = `http://127.0.0.1:${port}`;
  const auth: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  const send = async (path: string, init: RequestInit & { headers?: Record<string, string> }) => {
    const headers = { ...auth, ...init.headers };
    // fetch always sends the URL's Host: another one needs a raw request.
    const res = "host" in headers
      ? await rawRequest(
        port,
        init.method ?? "GET",
        path,
        Object.entries(headers) as [string, string][],
        init.body as string | undefined,
      )
      : await fetch(base + path, { ...init, headers });
    const text = typeof res.text === "string" ? res.text : await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch { /* not JSON */ }
    return { status: res.status, headers: res.headers, body };
  };
  /** A queued job, and one paused for confirmation (no engine: the queue is driven directly). */
  const jobs = async () => {
    const { jobs } = await queue.enqueue(
      { utterance_id: `ws-${crypto.randomUUID()}`, text: "two", source: "api" },
      [
        { spec: TaskSpec.parse({ intent: "echo", instruction: "queued" }), max_attempts: 1 },
        { spec: TaskSpec.parse({ intent: "echo", instruction: "paused" }), max_attempts: 1 },
      ],
    );
    const claimed = (await queue.claim({ owner: "t", leaseMs: 60_000, intents: ["echo"] }))!;
    const other = jobs.find((j) => j.job_id !== claimed.job_id)!;
    await queue.awaitConfirmation(claimed.job_id, claimed.lease!.token, { prompt: "Allow?" });
    return { queued: other.job_id, paused: claimed.job_id };
  };
  return {
    port,
    base,
    queue,
    send,
    jobs,
    async close() {
      ac.abort();
      await server.finished;
      await tracer.close();
    },
  };
}

for (const token of [undefined, TOKEN]) {
  const mode = token ? "with GATEWAY_TOKEN" : "without a token";

  Deno.test(`Host: a foreign name gets 403 on data, 421 on pages; loopback passes (${mode})`, async () => {
    const g = await serve(token);
    try {
      const wrong = (path: string, host: string) => g.send(path, { headers: { host } });
      const message = (host: string) =>
        `Host "${host}" does not name this gateway: use 127.0.0.1:${g.port}, localhost:${g.port}, ` +
        `[::1]:${g.port}, or start the gateway with --allowed-host ${host}`;
      for (const path of ["/jobs", "/events", "/artifacts/01ABCDEF/report.txt", "/metrics"]) {
        const res = await wrong(path, "attacker.example");
        assertEquals(res.status, 403, path);
        assertEquals(res.body, { error: "host_not_allowed", message: message("attacker.example") });
      }
      for (const path of ["/", "/job/01ABCDEF", "/docs", "/openapi.json"]) {
        const res = await wrong(path, `attacker.example:${g.port}`);
        assertEquals(res.status, 421, path);
        assertEquals(res.body, {
          error: "host_not_allowed",
          message: message(`attacker.example:${g.port}`),
        });
      }
      // A loopback name on another port is another server's name.
      assertEquals((await wrong("/jobs", "localhost:1")).status, 403);
      assertEquals((await wrong("/jobs", "localhost")).status, 403);
      // A rebinding page cannot queue work either.
      const post = await g.send("/task", {
        method: "POST",
        headers: { host: "attacker.example", ...JSON_TYPE },
        body: JSON.stringify({ text: "echo rebound" }),
      });
      assertEquals(post.status, 403);
      assertEquals((await g.queue.list({ limit: 10 })).jobs, []);
      // /healthz answers probes whatever name they use.
      assertEquals((await wrong("/healthz", "10.0.0.7:8787")).status, 200);
      // …but a Host it did not check never makes a page the gateway's own.
      const probe = await g.send("/healthz", {
        method: "POST",
        headers: { host: "attacker.example", origin: "http://attacker.example" },
      });
      assertEquals(probe.status, 403);
      assertEquals((probe.body as { error: string }).error, "origin_not_allowed");
      for (const host of [`localhost:${g.port}`, `127.0.0.1:${g.port}`, `[::1]:${g.port}`]) {
        assertEquals((await wrong("/jobs", host)).status, 200, host);
        assertEquals((await wrong("/", host)).status, 200, host);
      }
      assertEquals((await wrong("/jobs", `LocalHost:${g.port}`)).status, 200);
    } finally {
      await g.close();
    }
  });

  Deno.test(`Origin: a foreign page changes nothing; the gateway's own pages may (${mode})`, async () => {
    const g = await serve(token);
    try {
      const { queued, paused } = await g.jobs();
      const evil = "http://127.0.0.1:9"; // another loopback origin: another port
      const refused = (origin: string) => ({
        error: "origin_not_allowed",
        message: `Origin "${origin}" may not change this gateway's state: only its own pages ` +
          `may (start it with --allow-origin ${origin} to admit that origin)`,
      });
      const attempts: [string, string | undefined][] = [
        ["/task", JSON.stringify({ text: "echo cross-site" })],
        [`/jobs/${paused}/confirm`, JSON.stringify({ decision: "allow" })],
        [`/jobs/${queued}/cancel`, undefined],
        [`/jobs/${queued}/retry`, undefined],
      ];
      for (const origin of [evil, `http://localhost:${g.port}`, "https://attacker.example"]) {
        for (const [path, body] of attempts) {
          const res = await g.send(path, {
            method: "POST",
            headers: { origin, ...JSON_TYPE },
            ...(body ? { body } : {}),
          });
          assertEquals([res.status, res.body], [403, refused(origin)], `${origin} ${path}`);
        }
      }
      const nullOrigin = await g.send("/task", {
        method: "POST",
        headers: { origin: "null", ...JSON_TYPE },
        body: JSON.stringify({ text: "echo sandboxed" }),
      });
      assertEquals(nullOrigin.status, 403);
      assertEquals(nullOrigin.body, {
        error: "origin_not_allowed",
        message: `Origin "null" may not change this gateway's state: only its own pages may`,
      });
      const crossSite = await g.send(`/jobs/${queued}/cancel`, {
        method: "POST",
        headers: { "sec-fetch-site": "cross-site" },
      });
      assertEquals(crossSite.body, {
        error: "origin_not_allowed",
        message: "A cross-site request may not change this gateway's state: only its own pages may",
      });
      assertEquals((await g.queue.get(queued))!.status, "queued");
      assertEquals((await g.queue.get(paused))!.status, "awaiting_confirmation");
      assertEquals((await g.queue.list({ limit: 10 })).jobs.length, 2);
      // Reads are not state changes: a foreign Origin on GET is answered (without CORS).
      const read = await g.send("/jobs", { headers: { origin: evil } });
      assertEquals(read.status, 200);
      assertEquals(read.headers.get("access-control-allow-origin"), null);

      // The gateway's own page (same scheme, host and port) and a client with no Origin.
      const own = await g.send("/task", {
        method: "POST",
        headers: { origin: g.base, ...JSON_TYPE },
        body: JSON.stringify({ text: "echo from the dashboard" }),
      });
      assertEquals(own.status, 202);
      const curl = await g.send(`/jobs/${queued}/cancel`, { method: "POST" });
      assertEquals(curl.status, 202);
      assertEquals((await g.queue.get(queued))!.status, "cancelled");
    } finally {
      await g.close();
    }
  });

  Deno.test(`content type: bodies must be declared JSON, 415 says how (${mode})`, async () => {
    const g = await serve(token);
    try {
      const { queued, paused } = await g.jobs();
      const task = JSON.stringify({ text: "echo typed" });
      const cases: [string, Record<string, string>, string | undefined, string][] = [
        ["/task", { "content-type": "text/plain" }, task, 'got "text/plain"'],
        ["/task", {}, task, 'got "text/plain;charset=UTF-8"'], // what fetch adds to a string
        [
          "/task",
          { "content-type": "application/x-www-form-urlencoded" },
          "text=echo",
          'got "application/x-www-form-urlencoded"',
        ],
        [
          "/task",
          { "content-type": "multipart/form-data; boundary=x" },
          "--x--",
          'got "multipart/form-data; boundary=x"',
        ],
        [
          "/task",
          { "content-type": "application/json; charset=latin1" },
          task,
          'got "application/json; charset=latin1"',
        ],
        ["/task", {}, undefined, "got no content type"],
        [
          `/jobs/${paused}/confirm`,
          { "content-type": "text/plain" },
          '{"decision":"allow"}',
          'got "text/plain"',
        ],
        [`/jobs/${paused}/confirm`, {}, undefined, "got no content type"],
        [`/jobs/${queued}/cancel`, { "content-type": "text/plain" }, "x", 'got "text/plain"'],
      ];
      for (const [path, headers, body, got] of cases) {
        const res = await g.send(path, { method: "POST", headers, ...(body ? { body } : {}) });
        assertEquals([res.status, res.body], [415, {
          error: "unsupported_media_type",
          message: `POST ${path} takes a JSON body in UTF-8: add -H 'content-type: ` +
            `application/json' (${got})`,
        }], `${path} ${JSON.stringify(headers)}`);
      }
      assertEquals((await g.queue.list({ limit: 10 })).jobs.length, 2, "nothing was queued");
      assertEquals((await g.queue.get(queued))!.status, "queued");
      assertEquals((await g.queue.get(paused))!.status, "awaiting_confirmation");
      for (
        const type of [
          "application/json",
          "application/json; charset=utf-8",
          'Application/JSON;Charset="UTF-8"',
        ]
      ) {
        const res = await g.send("/task", {
          method: "POST",
          headers: { "content-type": type },
          body: task,
        });
        assertEquals(res.status, 202, type);
      }
      // Body-less actions need no content type (curl -X POST sends none).
      assertEquals((await g.send(`/jobs/${queued}/retry`, { method: "POST" })).status, 409);
      assertEquals((await g.send(`/jobs/${queued}/cancel`, { method: "POST" })).status, 202);
    } finally {
      await g.close();
    }
  });
}

Deno.test("--allowed-host and --allow-origin admit exactly what they name, with CORS", async () => {
  const origin = "http://localhost:3000";
  const g = await serve(undefined, {
    hosts: ["gateway.internal", "proxy.example:8443"],
    origins: [origin],
  });
  try {
    const get = (host: string) => g.send("/jobs", { headers: { host } }).then((r) => r.status);
    assertEquals(await get("gateway.internal"), 200);
    assertEquals(await get("gateway.internal:1234"), 200);
    assertEquals(await get("proxy.example:8443"), 200);
    assertEquals(await get("proxy.example:8444"), 403);
    assertEquals(await get("proxy.example"), 403);
    assertEquals(await get("other.internal"), 403);

    const pre = await g.send("/task", {
      method: "OPTIONS",
      headers: { origin, "access-control-request-method": "POST" },
    });
    assertEquals(pre.status, 204);
    assertEquals(pre.headers.get("access-control-allow-origin"), origin);
    assertEquals(pre.headers.get("access-control-allow-headers"), "authorization, content-type");
    const post = await g.send("/task", {
      method: "POST",
      headers: { origin, ...JSON_TYPE },
      body: JSON.stringify({ text: "echo admitted" }),
    });
    assertEquals(post.status, 202);
    assertEquals(post.headers.get("access-control-allow-origin"), origin);
    // Another port of the same name is another origin.
    const other = await g.send("/task", {
      method: "POST",
      headers: { origin: "http://localhost:3001", ...JSON_TYPE },
      body: JSON.stringify({ text: "echo refused" }),
    });
    assertEquals(other.status, 403);
    const otherPre = await g.send("/task", {
      method: "OPTIONS",
      headers: { origin: "http://localhost:3001", "access-control-request-method": "POST" },
    });
    assertEquals(otherPre.headers.get("access-control-allow-origin"), null);
    // Behind a TLS proxy: the page is https on an allowed name, the gateway sees that Host.
    const proxied = await g.send("/task", {
      method: "POST",
      headers: { host: "gateway.internal", origin: "https://gateway.internal", ...JSON_TYPE },
      body: JSON.stringify({ text: "echo proxied" }),
    });
    assertEquals(proxied.status, 202);
  } finally {
    await g.close();
  }
});

Deno.test("pages carry a strict CSP, nosniff and no framing", async () => {
  const g = await serve();
  try {
    for (const path of ["/", "/job/01ABCDEF", "/docs"]) {
      const res = await fetch(g.base + path);
      await res.body?.cancel();
      const csp = res.headers.get("content-security-policy") ?? "";
      assertStringIncludes(csp, "default-src 'self'", path);
      assertStringIncludes(csp, "frame-ancestors 'none'", path);
      assert(/script-src 'sha256-[A-Za-z0-9+/]+=*'(;|$)/.test(csp), `${path}: ${csp}`);
      assert(!csp.includes("unsafe-inline") && !csp.includes("unsafe-eval"), csp);
      assertEquals(res.headers.get("x-content-type-options"), "nosniff");
      assertEquals(res.headers.get("x-frame-options"), "DENY");
    }
  } finally {
    await g.close();
  }
});

Deno.test("authorities parsed before are answered alike, also past the number remembered", () => {
  for (let round = 0; round < 2; round++) {
    for (let port = 1; port <= 600; port++) {
      assertEquals(parseAuthority(`LocalHost:${port}`), { hostname: "localhost", port: `${port}` });
      assertEquals(parseAuthority(`bad host:${port}`), undefined);
    }
  }
  // What it answers cannot be changed for the next caller.
  const got = parseAuthority("127.0.0.1:5")!;
  assertEquals(Object.isFrozen(got), true);
});

Deno.test("pure checks: authorities, origins, JSON types, and where 403 or 421 applies", () => {
  assertEquals(parseAuthority("LOCALHOST:8787"), { hostname: "localhost", port: "8787" });
  assertEquals(parseAuthority("127.1:80"), { hostname: "127.0.0.1", port: "80" });
  assertEquals(parseAuthority("[::1]:9"), { hostname: "[::1]", port: "9" });
  for (const bad of ["", "a b", "x/y", "user@host", "::1", "h:99999", "%41"]) {
    assertEquals(parseAuthority(bad), undefined, bad);
  }
  assertEquals(normaliseOrigin("http://LocalHost:3000"), "http://localhost:3000");
  assertEquals(normaliseOrigin("https://a.example/"), "https://a.example");
  for (const bad of ["null", "http://a.example/path", "ftp://a.example", "a.example", "*"]) {
    assertEquals(normaliseOrigin(bad), undefined, bad);
  }
  assert(isJsonContentType("application/json"));
  assert(isJsonContentType("application/json;charset=utf-8"));
  assert(!isJsonContentType("application/jsonx"));
  assert(!isJsonContentType("text/json"));
  assert(!isJsonContentType(undefined));
  // Without a known port (in-process use) loopback names pass on any port.
  assertEquals(hostVerdict("localhost", "/jobs", undefined).ok, true);
  const missing = hostVerdict(undefined, "/jobs", { hostname: "::1", port: 5 });
  assert(!missing.ok);
  assertEquals(missing.error.status, 403);
  assertEquals(
    missing.error.message,
    "A request without a Host header does not name this gateway: use [::1]:5, localhost:5, 127.0.0.1:5",
  );
  // A wildcard listener names nothing a client uses: other names need --allowed-host.
  const wild = hostVerdict("192.168.1.9:5", "/", { hostname: "0.0.0.0", port: 5 });
  assert(!wild.ok);
  assertEquals(wild.error.status, 421);
  assertEquals(
    hostVerdict("192.168.1.9:5", "/", { hostname: "0.0.0.0", port: 5 }, ["192.168.1.9"]).ok,
    true,
  );
  assertEquals(contentTypeVerdict("GET", "/task", undefined, false).ok, true);
  assertEquals(contentTypeVerdict("DELETE", "/jobs", "text/plain", true).ok, false);
});

Deno.test("--allowed-host and --allow-origin: repeatable, validated", () => {
  const flags = parseGatewayFlags([
    "--allowed-host",
    "gw.example",
    "--allowed-host",
    "[::1]:9000",
    "--allow-origin",
    "http://localhost:3000",
  ]);
  assertEquals(flags.allowed_host, ["gw.example", "[::1]:9000"]);
  assertEquals(flags.allow_origin, ["http://localhost:3000"]);
  assertEquals(parseGatewayFlags([]).allowed_host, []);
  const error = (args: string[]) => {
    try {
      parseGatewayFlags(args);
    } catch (err) {
      assert(err instanceof UsageError);
      return err.message;
    }
    throw new Error("no error");
  };
  assertEquals(
    error(["--allow-origin", "http://localhost:3000/app"]),
    "Invalid --allow-origin: must be an origin such as http://localhost:3000 (scheme, host, port; no path). See --help.",
  );
  assertEquals(
    error(["--allowed-host", "http://gw.example"]),
    "Invalid --allowed-host: must be a host name, optionally with :port. See --help.",
  );
});

Deno.test({
  name: "the gateway process checks Host against its own port, and --allowed-host",
  sanitizeResources: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "websafety-" });
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        ...await shippedPermissions("gateway"),
        new URL("./main.ts", import.meta.url).pathname,
        "--port",
        "0",
        "--queue",
        "memory",
        "--no-engine",
        "--data-dir",
        `${dir}/data`,
        "--logs-dir",
        `${dir}/logs`,
        "--allowed-host",
        "gw.test",
      ],
      stdout: "piped",
      stderr: "null",
    }).spawn();
    try {
      let url = "";
      for await (const line of readLines(child.stdout)) {
        if (line.startsWith("{")) {
          url = JSON.parse(line).url;
          break;
        }
      }
      const port = new URL(url).port;
      const status = async (host: string) =>
        (await rawRequest(Number(port), "GET", "/jobs", [["host", host]])).status;
      assertEquals(await status(`localhost:${port}`), 200);
      assertEquals(await status(`127.0.0.1:${port}`), 200);
      assertEquals(await status("localhost:8787"), port === "8787" ? 200 : 403);
      assertEquals(await status("gw.test"), 200);
      assertEquals(await status("attacker.example"), 403);
      const post = await fetch(`${url}/task`, {
        method: "POST",
        headers: { origin: "http://localhost:1", ...JSON_TYPE },
        body: JSON.stringify({ text: "echo x" }),
      });
      assertEquals(post.status, 403);
      assertEquals((await post.json()).error, "origin_not_allowed");
    } finally {
      child.kill("SIGTERM");
      await child.status;
      await Deno.remove(dir, { recursive: true });
    }
  },
});
