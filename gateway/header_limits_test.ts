import { assert, assertEquals } from "@shared/testing/asserts.ts";
import { createApp } from "./app.ts";
import { DEFAULT_MAX_HEADER_BYTES, headerBytes } from "./header_limits.ts";
import { MemoryQueue } from "./queue/memory/memory_queue.ts";
import { Tracer } from "./traces/tracer.ts";
import { Metrics } from "./metrics/metrics.ts";
import { echoSkill } from "./skills/echo/echo_skill.ts";

function setup(token?: string) {
  const queue = new MemoryQueue();
  const tracer = new Tracer([]);
  const metrics = new Metrics(() => queue.depth());
  const app = createApp({
    queue,
    tracer,
    metrics,
    skills: [echoSkill],
    ...(token ? { token } : {}),
  });
  return { app, close: () => tracer.close() };
}

/** Headers whose section is exactly `total` bytes: the rest padded into `x-pad`. */
function headersOf(total: number, extra: Record<string, string> = {}): Headers {
  const h = new Headers(extra);
  h.set("x-pad", "");
  h.set("x-pad", "p".repeat(total - headerBytes(h)));
  assertEquals(headerBytes(h), total);
  return h;
}

const TOO_LARGE = (size: number) => ({
  error: "headers_too_large",
  message: `Request header fields exceed the limit of 16384 bytes: current size is ${size}`,
});

Deno.test("headerBytes() counts each header as 'name: value\\r\\n'", () => {
  assertEquals(headerBytes(new Headers()), 0);
  assertEquals(headerBytes(new Headers({ a: "b" })), 6);
  assertEquals(headerBytes(new Headers({ a: "b", "x-yz": "12345" })), 6 + 13);
});

Deno.test("a header section at the 16 KiB limit passes; one byte over is 431 with a JSON error", async () => {
  const { app, close } = setup();
  assertEquals(DEFAULT_MAX_HEADER_BYTES, 16_384);
  const under = await app.request("/healthz", { headers: headersOf(16_384) });
  assertEquals(under.status, 200);
  assertEquals((await under.json()).ok, true);

  const over = await app.request("/healthz", { headers: headersOf(16_385) });
  assertEquals(over.status, 431);
  assertEquals(over.headers.get("content-type"), "application/json");
  assertEquals(await over.json(), TOO_LARGE(16_385));

  // Many small headers add up the same way as one large one.
  const many = new Headers();
  for (let i = 0; i < 400; i++) many.set(`x-h${String(i).padStart(3, "0")}`, "v".repeat(40));
  const size = headerBytes(many);
  assertEquals(size, 400 * ("x-h000".length + 40 + 4));
  const res = await app.request("/jobs", { headers: many });
  assertEquals(res.status, 431);
  assertEquals(await res.json(), TOO_LARGE(size));
  await close();
});

Deno.test("the header limit applies before auth and routing", async () => {
  const { app, close } = setup("header-limit-token-1234");
  const auth = { authorization: "Bearer header-limit-token-1234" };
  // A valid token does not lift the limit, and a missing one is not checked first.
  for (const extra of [auth, {}]) {
    for (const path of ["/jobs", "/no/such/route", "/healthz"]) {
      const res = await app.request(path, { headers: headersOf(20_000, extra) });
      assertEquals(res.status, 431, path);
      assertEquals(await res.json(), TOO_LARGE(20_000));
    }
  }
  const ok = await app.request("/jobs", { headers: headersOf(16_384, auth) });
  assertEquals(ok.status, 200);
  const unauthorized = await app.request("/jobs", { headers: headersOf(16_384) });
  assertEquals(unauthorized.status, 401);
  assertEquals((await unauthorized.json()).error, "unauthorized");
  await close();
});

Deno.test({
  name: "over a real socket, a 48 KB header is 431, a 100 KB one is refused, and serving goes on",
  permissions: { net: ["127.0.0.1"] },
  async fn() {
    const { app, close } = setup();
    const ac = new AbortController();
    const server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, signal: ac.signal, onListen() {} },
      app.fetch,
    );
    const base = `http://127.0.0.1:${server.addr.port}`;
    const big = await fetch(`${base}/healthz`, { headers: { "x-big": "b".repeat(48 * 1024) } });
    assertEquals(big.status, 431);
    assertEquals((await big.json()).error, "headers_too_large");
    // Past about 64 KiB, Deno's HTTP server refuses the request itself (400, no body) before
    // the app sees it; either way it is never served.
    const huge = await fetch(`${base}/healthz`, { headers: { "x-big": "b".repeat(100_000) } });
    await huge.body?.cancel();
    assert([400, 431].includes(huge.status), `100 KB header → ${huge.status}`);
    const small = await fetch(`${base}/healthz`, { headers: { "x-small": "s".repeat(8 * 1024) } });
    assertEquals(small.status, 200);
    await small.body?.cancel();
    ac.abort();
    await server.finished;
    await close();
  },
});
