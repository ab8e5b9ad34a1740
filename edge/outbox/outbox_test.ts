import { within } from "@shared/testing/within.ts";
import {
  assert,
  assertEquals,
  assertRejects,
  assertStringIncludes,
} from "@shared/testing/asserts.ts";
import { join } from "node:path";
import type { TraceEvent } from "@shared/schemas/trace.ts";
import { GatewayTokenError, Outbox, type OutboxOptions, TaskAccepted } from "./outbox.ts";
import { FileOutboxStore } from "./outbox_store.ts";
import { startTestGateway } from "../_testing/test_gateway.ts";

async function listJson(dir: string): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const e of Deno.readDir(dir)) {
      if (e.isFile && e.name.endsWith(".json")) names.push(e.name);
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return names.sort();
}

/** A hang deadline, not a speed goal: generous, so that a loaded machine never trips it. */
const HANG_MS = 30_000;

function options(dataDir: string, url: string, extra: Partial<OutboxOptions> = {}): OutboxOptions {
  return {
    dataDir,
    gatewayUrl: url,
    retry: { baseDelayMs: 10, maxDelayMs: 40 },
    tracer: () => {},
    ...extra,
  };
}

Deno.test("Outbox posts each utterance once, in order, with the token, and forgets it after the ack", async () => {
  const dir = await Deno.makeTempDir();
  const gw = await startTestGateway({ token: "tok" });
  const traces: TraceEvent[] = [];
  const outbox = await Outbox.open(
    options(dir, gw.url, { token: "tok", tracer: (e) => traces.push(e) }),
  );
  try {
    const acks: string[] = [];
    outbox.on("acknowledged", (a) => acks.push(`${a.utterance_id}:${a.response?.jobs.length}`));
    outbox.start();
    assertEquals(outbox.enqueue({ utterance_id: "u1", text: "refactor the router" }), {
      accepted: true,
      depth: 1,
    });
    outbox.enqueue({ utterance_id: "u2", text: "open the dashboard and check deploy status" });
    assertEquals(outbox.enqueue({ utterance_id: "u2", text: "again" }), {
      accepted: false,
      reason: "duplicate",
      depth: 2,
    });
    await within(HANG_MS, "drained", outbox.whenDrained());
    assertEquals(acks, ["u1:1", "u2:2"]);
    assertEquals(gw.posts.map((p) => [p.utterance_id, p.authorization]), [
      ["u1", "Bearer tok"],
      ["u2", "Bearer tok"],
    ]);
    assertEquals(await listJson(join(dir, "outbox")), []);
    const acked = traces.filter((t) => t.event === "outbox.acknowledged");
    assertEquals(acked.map((t) => t.utterance_id), ["u1", "u2"]);
    assert(acked.every((t) => typeof t.duration_ms === "number"));
  } finally {
    await outbox.close();
    await gw.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Outbox delivers what was said while the gateway was down once it returns, none twice", async () => {
  const dir = await Deno.makeTempDir();
  const gw = await startTestGateway();
  const outbox = await Outbox.open(options(dir, gw.url));
  try {
    outbox.start();
    outbox.enqueue({ utterance_id: "before", text: "first request" });
    await within(HANG_MS, "first", outbox.whenDrained());
    await gw.stop();
    for (const id of ["d1", "d2", "d3"]) {
      outbox.enqueue({ utterance_id: id, text: `request ${id}` });
    }
    // Still down: the outbox keeps them on disk and retries.
    while (outbox.stats.retries < 3) await new Promise((r) => setTimeout(r, 10));
    assertEquals(await listJson(join(dir, "outbox")), ["d1.json", "d2.json", "d3.json"]);
    // The gateway also answers 503 (with Retry-After) and 429 for a while after it is back.
    gw.failNext(1, 503, "0");
    gw.failNext(1, 429);
    await gw.restart();
    await within(HANG_MS, "drained", outbox.whenDrained());
    assertEquals([...gw.utterances.keys()], ["before", "d1", "d2", "d3"]);
    const posted = gw.posts.map((p) => p.utterance_id);
    assertEquals(posted.filter((id) => id === "d2").length, 1, "no duplicate after the 503s");
    assertEquals(await listJson(join(dir, "outbox")), []);
  } finally {
    await outbox.close();
    await gw.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Outbox after a crash: each persisted utterance is delivered once by the next run", async () => {
  const dir = await Deno.makeTempDir();
  // Nobody listens on this port while the first process runs.
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (probe.addr as Deno.NetAddr).port;
  probe.close();
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL("./_crash_child.ts", import.meta.url).href,
      dir,
      `http://127.0.0.1:${port}`,
      "summarize the pull requests",
      "check the build",
      "open the dashboard",
    ],
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  while (!out.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    out += value;
  }
  const { persisted } = JSON.parse(out) as { persisted: string[] };
  child.kill("SIGKILL");
  await child.status;
  await reader.cancel();
  // A write the crash cut short, and a file damaged on disk.
  await Deno.writeTextFile(join(dir, "outbox", "half.json.tmp-1-1"), '{"version":1,"utt');
  await Deno.writeTextFile(join(dir, "outbox", "broken.json"), "{ not json");

  const gw = await startTestGateway({ port });
  const outbox = await Outbox.open(options(dir, gw.url));
  try {
    assertEquals(outbox.pendingIds(), persisted);
    outbox.start();
    await within(HANG_MS, "drained", outbox.whenDrained());
    assertEquals([...gw.utterances.keys()], persisted);
    assertEquals(gw.posts.length, 3, "each pending item posted once");
    assertEquals([...gw.utterances.values()].map((u) => u.text), [
      "summarize the pull requests",
      "check the build",
      "open the dashboard",
    ]);
    assertEquals(await listJson(join(dir, "outbox")), []);
    // Both are set aside for a person to look at, not deleted.
    const corrupt = [...Deno.readDirSync(join(dir, "outbox", "corrupt"))].map((e) => e.name)
      .sort();
    assertEquals(corrupt.length, 2);
    assertStringIncludes(corrupt[0]!, "broken.json.");
    assertStringIncludes(corrupt[1]!, "half.json.tmp-1-1.");
  } finally {
    await outbox.close();
    await gw.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Outbox drops a refused utterance, stops on a bad token, refuses when full", async () => {
  const dir = await Deno.makeTempDir();
  const gw = await startTestGateway({ token: "right", unrouted: (t) => t.includes("gibberish") });
  const outbox = await Outbox.open(options(dir, gw.url, { token: "right" }));
  try {
    const rejected: string[] = [];
    const acked: string[] = [];
    outbox.on("rejected", (r) => rejected.push(`${r.utterance_id}:${r.status}`));
    outbox.on("acknowledged", (a) => {
      acked.push(`${a.utterance_id}:${a.status}:${a.text}:${a.response?.unrouted ?? false}`);
    });
    outbox.start();
    gw.failNext(1, 422);
    outbox.enqueue({ utterance_id: "bad1", text: "refused for good" });
    outbox.enqueue({ utterance_id: "g1", text: "gibberish words" });
    outbox.enqueue({ utterance_id: "ok1", text: "refactor the router" });
    await within(HANG_MS, "drained", outbox.whenDrained());
    assertEquals(rejected, ["bad1:422"]);
    // No skill matched: the gateway still takes the utterance (200, no jobs).
    assertEquals(acked, ["g1:200:gibberish words:true", "ok1:202:refactor the router:false"]);
    assertEquals([...gw.utterances.keys()], ["g1", "ok1"]);
    assertEquals(await listJson(join(dir, "outbox")), []);
  } finally {
    await outbox.close();
  }
  // The same directory with a wrong token: sending stops, items stay on disk.
  const wrong = await Outbox.open(options(dir, gw.url, { token: "wrong", maxItems: 2 }));
  try {
    const unauthorized = new Promise<number>((r) => wrong.on("unauthorized", (u) => r(u.status)));
    const dropped: string[] = [];
    wrong.on("dropped", (d) => dropped.push(d.utterance_id));
    wrong.start();
    wrong.enqueue({ utterance_id: "k1", text: "keep me" });
    wrong.enqueue({ utterance_id: "k2", text: "keep me too" });
    const full = wrong.enqueue({ utterance_id: "k3", text: "no room" });
    assertEquals(full, { accepted: false, reason: "full", depth: 2 });
    assertEquals(dropped, ["k3"]);
    const drained = wrong.whenDrained();
    assertEquals(await within(HANG_MS, "401", unauthorized), 401);
    // Waiting for delivery ends with the refusal instead of hanging, before and after it.
    const refused = await assertRejects(
      () => within(HANG_MS, "refusal", drained),
      GatewayTokenError,
      "the gateway refused the token (401): check GATEWAY_TOKEN",
    );
    assertEquals(refused.message, "the gateway refused the token (401): check GATEWAY_TOKEN");
    assertEquals(refused.status, 401);
    await assertRejects(() => wrong.whenDrained(), GatewayTokenError);
    assertEquals(wrong.pendingIds(), ["k1", "k2"]);
    await wrong.flushWrites();
    assertEquals(await listJson(join(dir, "outbox")), ["k1.json", "k2.json"]);
    assertEquals(gw.unauthorized, 1, "one refused request, then sending stopped");
  } finally {
    await wrong.close();
    await gw.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("FileOutboxStore writes atomically and loads in enqueue order", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const store = new FileOutboxStore(dir);
    await store.load();
    const base = { version: 1 as const, text: "t", source: "voice" as const };
    await store.put({ ...base, utterance_id: "b", enqueued_at: "2025-01-01T00:00:01.000Z" });
    await store.put({ ...base, utterance_id: "a", enqueued_at: "2025-01-01T00:00:02.000Z" });
    await store.put({ ...base, utterance_id: "c", enqueued_at: "2025-01-01T00:00:01.000Z" });
    // A file whose content names another utterance is set aside, not delivered twice.
    await Deno.writeTextFile(
      join(dir, "outbox", "x.json"),
      JSON.stringify({ ...base, utterance_id: "a", enqueued_at: "2025-01-01T00:00:00.000Z" }),
    );
    const { items, corrupt } = await store.load();
    assertEquals(items.map((i) => i.utterance_id), ["b", "c", "a"]);
    assertEquals(corrupt, ["x.json"]);
    await store.remove("b");
    await store.remove("b");
    assertEquals((await store.load()).items.map((i) => i.utterance_id), ["c", "a"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("FileOutboxStore.load() finishes a write that missed its rename and sets a cut-short one aside", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const store = new FileOutboxStore(dir);
    const outboxDir = join(dir, "outbox");
    await Deno.mkdir(outboxDir, { recursive: true });
    const base = { version: 1 as const, text: "t", source: "voice" as const };
    const item = (id: string, at: string) => ({ ...base, utterance_id: id, enqueued_at: at });
    // Flushed but never renamed: the utterance is whole and must not be lost.
    await Deno.writeTextFile(
      join(outboxDir, "whole.json.tmp-9-1"),
      JSON.stringify(item("whole", "2025-01-01T00:00:01.500Z")),
    );
    // A leftover copy of a file that was renamed: nothing to add.
    await store.put(item("done", "2025-01-01T00:00:01Z"));
    await Deno.writeTextFile(
      join(outboxDir, "done.json.tmp-9-2"),
      JSON.stringify(item("done", "2025-01-01T00:00:01Z")),
    );
    // Cut short before its flush: kept for a person to read, not deleted unseen.
    await Deno.writeTextFile(join(outboxDir, "half.json.tmp-9-3"), '{"version":1,"text":"open');
    const { items, corrupt } = await store.load();
    // Oldest first by time, whatever the precision of the ISO string.
    assertEquals(items.map((i) => i.utterance_id), ["done", "whole"]);
    assertEquals(corrupt, ["half.json.tmp-9-3"]);
    assertEquals(await listJson(outboxDir), ["done.json", "whole.json"]);
    const aside = [...Deno.readDirSync(join(outboxDir, "corrupt"))].map((e) => e.name);
    assertEquals(aside.length, 1);
    assertStringIncludes(aside[0]!, "half.json.tmp-9-3.");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("FileOutboxStore.load() still loads when unreadable files cannot be moved aside", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const store = new FileOutboxStore(dir);
    const outboxDir = join(dir, "outbox");
    await Deno.mkdir(outboxDir, { recursive: true });
    await Deno.writeTextFile(join(outboxDir, "corrupt"), "a file where the folder should be");
    await Deno.writeTextFile(join(outboxDir, "broken.json"), "{ not json");
    await store.put({
      version: 1,
      utterance_id: "kept",
      text: "t",
      source: "voice",
      enqueued_at: "2025-01-01T00:00:00.000Z",
    });
    const { items, corrupt } = await store.load();
    assertEquals(items.map((i) => i.utterance_id), ["kept"]);
    assertEquals(corrupt, ["broken.json"]);
    assertEquals(await Deno.readTextFile(join(outboxDir, "broken.json")), "{ not json");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Outbox sends the run's session_id; items from earlier runs keep theirs, old files none", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.mkdir(join(dir, "outbox"), { recursive: true });
  // A file written before sessions existed, and one from an earlier run with its session.
  await Deno.writeTextFile(
    join(dir, "outbox", "old1.json"),
    JSON.stringify({
      version: 1,
      utterance_id: "old1",
      text: "check the build",
      source: "voice",
      enqueued_at: "2026-01-01T00:00:00.000Z",
    }),
  );
  await Deno.writeTextFile(
    join(dir, "outbox", "old2.json"),
    JSON.stringify({
      version: 1,
      utterance_id: "old2",
      text: "open the dashboard",
      source: "voice",
      session_id: "edge-earlier",
      enqueued_at: "2026-01-01T00:00:01.000Z",
    }),
  );
  const gw = await startTestGateway();
  const outbox = await Outbox.open(options(dir, gw.url, { sessionId: "edge-now:1" }));
  try {
    outbox.start();
    outbox.enqueue({ utterance_id: "new1", text: "refactor the router" });
    await within(5000, "drained", outbox.whenDrained());
    assertEquals(gw.posts.map((p) => [p.utterance_id, p.session_id]), [
      ["old1", undefined],
      ["old2", "edge-earlier"],
      ["new1", "edge-now:1"],
    ]);
  } finally {
    await outbox.close();
    await gw.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("TaskAccepted reads a voice command's answer and the unrouted sentence", () => {
  const control = TaskAccepted.parse({
    utterance_id: "u1",
    jobs: [],
    control: { action: "cancel", job_ids: ["j1"], say: "Cancelled one job." },
  });
  assertEquals(control.control?.say, "Cancelled one job.");
  assertEquals(
    TaskAccepted.parse({ utterance_id: "u2", jobs: [], unrouted: true, say: "Hm?" }).say,
    "Hm?",
  );
  assertEquals(
    TaskAccepted.safeParse({ utterance_id: "u3", jobs: [], control: { action: "cancel" } }).success,
    false,
  );
});
