import { assertEquals } from "@shared/testing/asserts.ts";
import { Hono } from "hono";
import { bodyLimit } from "./body_limit.ts";

/** An app that answers 413 over `max` bytes, else the body it read back. */
function app(max: number) {
  const a = new Hono();
  a.use("*", bodyLimit({ maxSize: max, onError: (c) => c.text("too large", 413) }));
  a.all("/", async (c) => c.text(`got ${(await c.req.text()).length}`));
  return a;
}

/** A request whose `body` getter counts how often it is read. */
function watched(init: RequestInit & { headers?: Record<string, string> }) {
  const req = new Request("http://127.0.0.1/", init);
  const body = req.body;
  let opened = 0;
  Object.defineProperty(req, "body", {
    get() {
      opened++;
      return body;
    },
  });
  return { req, opened: () => opened };
}

Deno.test("a declared length is judged by the header, without opening the body", async () => {
  for (const [size, status, text] of [[10, 200, "got 10"], [11, 413, "too large"]] as const) {
    const { req, opened } = watched({
      method: "POST",
      body: "x".repeat(size),
      headers: { "content-length": String(size) },
    });
    const res = await app(10).fetch(req);
    assertEquals([res.status, await res.text()], [status, text]);
    // Nothing opened the stream: the handler read the body whole.
    assertEquals(opened(), 0);
  }
  // A declared length over the limit is refused from the header alone.
  const lying = await app(10).fetch(
    new Request("http://127.0.0.1/", {
      method: "POST",
      body: "x".repeat(11),
      headers: { "content-length": "99" },
    }),
  );
  assertEquals(lying.status, 413);
});

Deno.test("a chunked body, or one without a length, is read up to the limit and handed on", async () => {
  const chunks = (n: number) =>
    new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < n; i++) controller.enqueue(new TextEncoder().encode("abcde"));
        controller.close();
      },
    });
  for (const [n, status, text] of [[2, 200, "got 10"], [3, 413, "too large"]] as const) {
    const res = await app(10).fetch(
      new Request("http://127.0.0.1/", {
        method: "POST",
        body: chunks(n),
        headers: { "transfer-encoding": "chunked" },
      }),
    );
    assertEquals([res.status, await res.text()], [status, text], `${n} chunks`);
  }
  // In process, a body may come with no header at all.
  const bare = await app(10).fetch(
    new Request("http://127.0.0.1/", { method: "POST", body: "x".repeat(11) }),
  );
  assertEquals([bare.status, await bare.text()], [413, "too large"]);
  const small = await app(10).fetch(
    new Request("http://127.0.0.1/", { method: "POST", body: "x".repeat(3) }),
  );
  assertEquals(await small.text(), "got 3");
});

Deno.test("a GET without length or chunks has no body to open", async () => {
  const { req, opened } = watched({ method: "GET" });
  const res = await app(10).fetch(req);
  assertEquals([res.status, opened()], [200, 0]);
});
