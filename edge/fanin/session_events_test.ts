/**
 * The event-stream follower against a real SSE server on loopback: narrowed by session,
 * parsed with zod, reconnecting after the stream ends, given up on a refusal.
 */
import { assert, assertEquals } from "@shared/testing/asserts.ts";
import { followSessionEvents, SessionEvents, type SessionTrace } from "./session_events.ts";

async function until(what: string, ok: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

Deno.test("SessionEvents reports the session's trace events, skips unreadable ones, reconnects", async () => {
  const queries: string[] = [];
  let connection = 0;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    queries.push(new URL(req.url).search);
    const n = ++connection;
    const body = n === 1
      ? 'retry: 50\nevent: hello\ndata: {}\n\nevent: trace\ndata: {"event":"job.succeeded","utterance_id":"u1","job_id":"j1"}\n\nevent: trace\ndata: not json\n\nevent: trace\ndata: {"no_event":1}\n\n'
      : 'event: gap\ndata: {"dropped":3}\n\nevent: trace\ndata: {"event":"job.awaiting_confirmation","job_id":"j2"}\n\n';
    // The first stream ends after its events: the follower must come back by itself.
    return new Response(body, { headers: { "content-type": "text/event-stream" } });
  });
  const traces: SessionTrace[] = [];
  const lives: boolean[] = [];
  let resyncs = 0;
  const events = new SessionEvents({
    gatewayUrl: `http://127.0.0.1:${server.addr.port}`,
    sessionId: "edge-abc:1",
    token: "tok",
    onTrace: (e) => traces.push(e),
    onResync: () => resyncs++,
    onLive: (l) => lives.push(l),
    retry: { baseDelayMs: 10, maxDelayMs: 50 },
  });
  try {
    events.start();
    await until("two connections", () => traces.length >= 2);
    assertEquals(traces.slice(0, 2).map((t) => [t.event, t.utterance_id, t.job_id]), [
      ["job.succeeded", "u1", "j1"],
      ["job.awaiting_confirmation", undefined, "j2"],
    ]);
    assertEquals(queries[0], "?session_id=edge-abc%3A1");
    assertEquals(events.stats.invalid, 2);
    assert(resyncs >= 2, "a reconnect and a gap both ask for a fresh look");
    assertEquals(lives.slice(0, 3), [true, false, true]);
  } finally {
    await events.close();
    await server.shutdown();
  }
});

Deno.test("SessionEvents reads the whole stream from a gateway without session_id, gives up on a refusal", async () => {
  const queries: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    queries.push(new URL(req.url).search);
    return Response.json({ error: { code: "validation" } }, {
      status: queries.length === 1 ? 422 : 400,
    });
  });
  const events = new SessionEvents({
    gatewayUrl: `http://127.0.0.1:${server.addr.port}`,
    sessionId: "s",
    onTrace: () => {},
  });
  try {
    events.start();
    await until("given up", () => events.gaveUp !== undefined);
    assertEquals(events.gaveUp, 'HTTP 400: {"error":{"code":"validation"}}');
    assertEquals(queries, ["?session_id=s", ""]);
    assertEquals(events.live, false);
  } finally {
    await events.close();
    await server.shutdown();
  }
});

Deno.test("followSessionEvents() follows a paused job of the session only on a narrowed stream", async () => {
  for (const narrowing of [true, false]) {
    const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
      if (!narrowing && new URL(req.url).searchParams.has("session_id")) {
        return Response.json({ error: "unknown query" }, { status: 422 });
      }
      const body = 'event: job\ndata: {"utterance_id":"u8","job_id":"j8","status":"running"}\n\n' +
        'event: job\ndata: {"job_id":"no utterance"}\n\n' +
        'event: job\ndata: {"utterance_id":"u7","job_id":"j7","status":"awaiting_confirmation","confirmation":{"prompt":"Go?"}}\n\n';
      // The stream stays open, as the gateway's does: no reconnect repeats the events.
      return new Response(
        new ReadableStream({ start: (c) => c.enqueue(new TextEncoder().encode(body)) }),
        { headers: { "content-type": "text/event-stream" } },
      );
    });
    const followed: string[] = [];
    const pokes: string[] = [];
    const follower = {
      eventsLive: false,
      follow: (id: string) => void followed.push(id),
      poke: (ref: { utterance_id?: string | undefined } = {}) =>
        void pokes.push(ref.utterance_id ?? "*"),
    };
    const events = followSessionEvents(follower, {
      gatewayUrl: `http://127.0.0.1:${server.addr.port}`,
      sessionId: "s",
      retry: { baseDelayMs: 10, maxDelayMs: 20 },
    });
    try {
      await until("an event", () => pokes.includes("u7"));
      assertEquals(followed, narrowing ? ["u7"] : [], `narrowing: ${narrowing}`);
      assertEquals(pokes.slice(0, 2), ["u8", "u7"]);
      assertEquals(events.stats.invalid, 1);
    } finally {
      await events.close();
      await server.shutdown();
    }
  }
});
