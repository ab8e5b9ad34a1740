import { assert, assertEquals } from "@shared/testing/asserts.ts";
import { type JobRecord, TaskSpec, type UtteranceRecord } from "@shared/schemas/mod.ts";
import { createApp } from "../app.ts";
import { MemoryQueue } from "../queue/memory/memory_queue.ts";
import { Tracer } from "../traces/tracer.ts";
import { Metrics } from "../metrics/metrics.ts";
import { echoSkill } from "../skills/echo/echo_skill.ts";
import { Engine } from "../engine/engine.ts";
import { createSseParser, type SseMessage } from "@shared/io/sse_parser.ts";
import { diffUtterance } from "./session_feed.ts";
import { eventsRoute } from "./events_route.ts";
import { LiveStats } from "./live_stats.ts";

const utterance: UtteranceRecord = {
  utterance_id: "u1",
  text: "echo a and echo b",
  source: "voice",
  created_at: "2026-01-01T00:00:00.000Z",
  job_ids: ["j1", "j2"],
  session_id: "s1",
};
const job = (id: string, status: JobRecord["status"], extra: Partial<JobRecord> = {}) =>
  ({
    job_id: id,
    utterance_id: "u1",
    intent: "echo",
    spec: TaskSpec.parse({ intent: "echo", instruction: `echo ${id}`, clause: `echo ${id}` }),
    priority: "interactive",
    status,
    attempts: 1,
    max_attempts: 3,
    created_at: "2026-01-01T00:00:00.000Z",
    ...extra,
  }) as JobRecord;

Deno.test("diffUtterance() sends each status change once, the question, then the fan-in end", () => {
  const a = diffUtterance(undefined, utterance, [job("j1", "running"), job("j2", "queued")], false);
  assertEquals(a.events.map((e) => [e.event, e.data.job_id, e.data.status]), [
    ["job", "j1", "running"],
    ["job", "j2", "queued"],
  ]);
  assertEquals(a.events[0]!.data.session_id, "s1");
  const paused = job("j1", "awaiting_confirmation", { confirmation: { prompt: "Send it?" } });
  const b = diffUtterance(a.next, utterance, [paused, job("j2", "queued")], false);
  assertEquals(b.events.length, 1, "an unchanged job is not sent again");
  assertEquals(b.events[0]!.data.confirmation, { prompt: "Send it?" });
  const done = [
    job("j1", "succeeded", { result: { summary: "did a" } }),
    job("j2", "failed", { error: { code: "boom", message: "it broke" } }),
  ];
  const c = diffUtterance(b.next, utterance, done, false);
  assertEquals(c.events.map((e) => e.event), ["job", "job", "utterance"]);
  assertEquals(c.events[0]!.data.summary, "did a");
  assertEquals(c.events[1]!.data.error, { code: "boom", message: "it broke" });
  assertEquals(c.events[2]!.data.status, "partial");
  assertEquals(c.events[2]!.data.session_id, "s1");
  assertEquals(diffUtterance(c.next, utterance, done, false).events, [], "ended: silent");
});

Deno.test("diffUtterance() marks the state found at the start, and skips finished jobs then", () => {
  const done = [job("j1", "succeeded"), job("j2", "succeeded")];
  const ended = diffUtterance(undefined, utterance, done, true);
  assertEquals(ended.events.map((e) => [e.event, e.data.initial]), [["utterance", true]]);
  const half = diffUtterance(
    undefined,
    utterance,
    [job("j1", "succeeded"), job("j2", "running")],
    true,
  );
  assertEquals(half.events.map((e) => [e.event, e.data.job_id, e.data.initial]), [
    ["job", "j2", true],
  ]);
  const command: UtteranceRecord = {
    ...utterance,
    job_ids: [],
    control: { action: "cancel", job_ids: ["j2"], say: "Cancelled the echo job." },
  };
  assertEquals(
    diffUtterance(undefined, command, [], true).events,
    [],
    "old commands are not replayed",
  );
  assertEquals(diffUtterance(undefined, command, [], false).events, [{
    event: "control",
    data: {
      utterance_id: "u1",
      session_id: "s1",
      text: utterance.text,
      action: "cancel",
      job_ids: ["j2"],
      say: "Cancelled the echo job.",
    },
  }]);
});

/** Reads SSE messages until `until` is true of them (or the stream ends). */
async function read(res: Response, until: (all: SseMessage[]) => boolean): Promise<SseMessage[]> {
  const all: SseMessage[] = [];
  const parser = createSseParser((m) => all.push(m));
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  const deadline = setTimeout(() => reader.cancel(), 60_000); // generous on a loaded machine
  try {
    while (!until(all)) {
      const { value, done } = await reader.read();
      if (done) break;
      parser.push(value);
    }
  } finally {
    clearTimeout(deadline);
    await reader.cancel().catch(() => {});
  }
  return all;
}

Deno.test("GET /events?session_id= follows the session's jobs run by an engine elsewhere, and no other session's", async () => {
  const dataDir = await Deno.makeTempDir();
  const queue = new MemoryQueue();
  const tracer = new Tracer([]);
  // The engine traces to its own tracer, as a worker process would: the stream must learn of
  // its jobs from the store alone.
  const engineTracer = new Tracer([]);
  const engine = new Engine({
    queue,
    skills: [echoSkill],
    tracer: engineTracer,
    dataDir,
    skillContext: { dataDir, env: () => undefined, settings: {} },
  });
  engine.start();
  const app = createApp({ queue, tracer, metrics: new Metrics(), skills: [echoSkill] });
  const post = async (body: unknown) =>
    await (await app.request("/task", {
      method: "POST",
      body: JSON.stringify(body),
      headers: { "content-type": "application/json" },
    })).json();
  try {
    const before = await post({ text: "echo earlier", session_id: "s1" });
    const earlier = before.utterance_id as string;
    while ((await queue.get(before.jobs[0].job_id))?.status !== "succeeded") {
      await new Promise((r) => setTimeout(r, 20));
    }
    assertEquals((await app.request("/events?session_id=bad%20id")).status, 422);
    const res = await app.request("/events?session_id=s1");
    assertEquals(res.status, 200);
    const asked = await post({
      tasks: [{
        intent: "echo",
        instruction: "echo hi",
        params: { text: "hi", confirm: "Say hi?" },
      }],
      session_id: "s1",
    });
    const other = await post({
      tasks: [{ intent: "echo", instruction: "echo x", params: { confirm: "Theirs?" } }],
      session_id: "s2",
    });
    const id = asked.jobs[0].job_id as string;
    let answered = false;
    const messages = await read(res, (all) => {
      const paused = all.some((m) =>
        m.event === "job" && JSON.parse(m.data).status === "awaiting_confirmation"
      );
      if (paused && !answered) {
        answered = true;
        void post({ text: "yes, go ahead", session_id: "s1" });
      }
      return all.some((m) =>
        m.event === "utterance" && JSON.parse(m.data).utterance_id === asked.utterance_id
      );
    });
    const feed = messages.filter((m) => ["job", "utterance", "control"].includes(m.event))
      .map((m) => ({ event: m.event, ...JSON.parse(m.data) }));
    assertEquals(feed[0]?.event, "utterance", "the earlier end, replayed at the start");
    assertEquals([feed[0]?.utterance_id, feed[0]?.initial], [earlier, true]);
    const mine = feed.filter((e) => e.job_id === id);
    const statuses = mine.map((e) => e.status);
    assert(statuses.includes("awaiting_confirmation"), `statuses: ${statuses}`);
    assertEquals(mine.find((e) => e.status === "awaiting_confirmation")?.confirmation, {
      prompt: "Say hi?",
    });
    assertEquals(statuses.at(-1), "succeeded");
    assertEquals(mine.at(-1)?.summary, "hi");
    const control = feed.find((e) => e.event === "control");
    assertEquals([control?.action, control?.job_ids, control?.say], [
      "confirm",
      [id],
      "Approved the echo job.",
    ]);
    const end = feed.at(-1)!;
    assertEquals([end.event, end.utterance_id, end.status, end.session_id], [
      "utterance",
      asked.utterance_id,
      "succeeded",
      "s1",
    ]);
    const otherIds = new Set([other.utterance_id, other.jobs[0].job_id]);
    assertEquals(
      messages.filter((m) =>
        otherIds.has(JSON.parse(m.data).utterance_id) ||
        otherIds.has(JSON.parse(m.data).job_id)
      ),
      [],
      "nothing of session s2",
    );
  } finally {
    await engine.stop({ graceMs: 300 });
    await tracer.close();
    await engineTracer.close();
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("GET /events?utterance_id= follows that utterance through store changes alone", async () => {
  const queue = new MemoryQueue();
  const tracer = new Tracer([]);
  const deps = { queue, tracer, metrics: new Metrics(), skills: [echoSkill] };
  const app = eventsRoute(deps, { stats: new LiveStats(), feedPollMs: 20 });
  try {
    const { jobs } = await queue.enqueue(
      { utterance_id: "u-only", text: "echo hi", source: "voice" },
      [{ spec: TaskSpec.parse({ intent: "echo", instruction: "echo hi" }), max_attempts: 1 }],
    );
    await queue.enqueue({ utterance_id: "u-other", text: "echo x", source: "voice" }, [{
      spec: TaskSpec.parse({ intent: "echo", instruction: "echo x" }),
      max_attempts: 1,
    }]);
    const res = await app.request("/events?utterance_id=u-only");
    // Another process's engine: it changes the store and traces nothing here.
    const claimed = (await queue.claim({ owner: "elsewhere", leaseMs: 60_000 }))!;
    const messages = await read(res, (all) => {
      if (all.some((m) => m.event === "job" && JSON.parse(m.data).status === "running")) {
        void queue.complete(claimed.job_id, claimed.lease!.token, { summary: "hi" });
      }
      return all.some((m) => m.event === "utterance");
    });
    const feed = messages.filter((m) => m.event === "job" || m.event === "utterance")
      .map((m) => [m.event, JSON.parse(m.data).utterance_id, JSON.parse(m.data).status]);
    assertEquals(claimed.utterance_id, "u-only", "the oldest job was claimed");
    // The first read may come before or after the claim.
    const rows = feed[0]?.[2] === "queued" ? feed.slice(1) : feed;
    assertEquals(rows, [
      ["job", "u-only", "running"],
      ["job", "u-only", "succeeded"],
      ["utterance", "u-only", "succeeded"],
    ]);
    assertEquals(jobs[0]!.job_id, claimed.job_id);
  } finally {
    await tracer.close();
  }
});
