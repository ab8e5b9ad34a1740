/**
 * One conformance suite, run against every backend (memory, Deno KV, Redis on a real
 * redis-server): the same cases, the same expected states.
 */
import { assert, assertEquals } from "@shared/testing/asserts.ts";
import { startRedisServer } from "@shared/testing/redis_server.ts";
import { TaskSpec } from "@shared/schemas/mod.ts";
import type { JobQueue } from "./queue.ts";
import { MemoryQueue } from "./memory/memory_queue.ts";
import { KvQueue } from "./kv/kv_queue.ts";
import { RedisQueue } from "./redis/redis_queue.ts";

type Factory = () => Promise<JobQueue>;

/**
 * The queues' clock. Cases move it instead of sleeping, so that a loaded machine can neither
 * expire a lease early nor make a delay look short.
 */
let clockMs = Date.parse("2026-01-01T00:00:00Z");
const now = () => clockMs;
const advance = (ms: number) => void (clockMs += ms);

const spec = (intent: string, priority: "interactive" | "background" = "background") =>
  TaskSpec.parse({ intent, instruction: `do ${intent}`, priority });

let seq = 0;
async function enqueueOne(
  q: JobQueue,
  intent = "echo",
  priority: "interactive" | "background" = "background",
) {
  advance(1); // each job a millisecond younger than the one before
  const { jobs } = await q.enqueue(
    { utterance_id: `u${++seq}-${crypto.randomUUID().slice(0, 8)}`, text: "t", source: "api" },
    [{ spec: spec(intent, priority), max_attempts: 2 }],
  );
  return jobs[0]!;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Whether `wait` resolves before `ms` pass. */
function firstOf(wait: Promise<void>, ms: number): Promise<"woke" | "asleep"> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const asleep = new Promise<"asleep">((r) => timer = setTimeout(() => r("asleep"), ms));
  return Promise.race([wait.then(() => "woke" as const), asleep]).finally(() =>
    clearTimeout(timer)
  );
}
const owner = "test-engine";

const cases: [string, (q: JobQueue) => Promise<void>][] = [
  ["enqueue is idempotent on utterance_id", async (q) => {
    const u = { utterance_id: "same-utterance", text: "a and b", source: "voice" as const };
    const first = await q.enqueue(u, [{ spec: spec("echo"), max_attempts: 1 }, {
      spec: spec("coding"),
      max_attempts: 1,
    }]);
    const again = await q.enqueue(u, [{ spec: spec("echo"), max_attempts: 1 }]);
    assertEquals(first.created, true);
    assertEquals(again.created, false);
    assertEquals(again.jobs.map((j) => j.job_id), first.jobs.map((j) => j.job_id));
    assertEquals((await q.list()).jobs.length, 2);
    assertEquals(
      (await q.getUtterance("same-utterance"))?.job_ids,
      first.jobs.map((j) => j.job_id),
    );
  }],
  ["claim takes interactive before background, then oldest first", async (q) => {
    const b1 = await enqueueOne(q, "echo", "background");
    const b2 = await enqueueOne(q, "echo", "background");
    const i1 = await enqueueOne(q, "echo", "interactive");
    const order = [];
    for (let i = 0; i < 3; i++) order.push((await q.claim({ owner, leaseMs: 10_000 }))!.job_id);
    assertEquals(order, [i1.job_id, b1.job_id, b2.job_id]);
    assertEquals(await q.claim({ owner, leaseMs: 10_000 }), null);
  }],
  ["claim honours the intents filter", async (q) => {
    const c = await enqueueOne(q, "coding");
    await enqueueOne(q, "browser");
    const got = await q.claim({ owner, leaseMs: 10_000, intents: ["coding"] });
    assertEquals(got?.job_id, c.job_id);
    assertEquals(got?.status, "running");
    assertEquals(got?.attempts, 1);
    assertEquals(await q.claim({ owner, leaseMs: 10_000, intents: ["coding", "echo"] }), null);
  }],
  ["a wrong lease token changes nothing", async (q) => {
    const j = await enqueueOne(q);
    await q.claim({ owner, leaseMs: 10_000 });
    const r = await q.complete(j.job_id, "not-the-token", { summary: "x" });
    assertEquals(r.ok, false);
    assertEquals(r.ok ? "" : r.reason, "lease_lost");
    assertEquals((await q.get(j.job_id))?.status, "running");
  }],
  ["completion is idempotent: a second one is refused and the result kept", async (q) => {
    await enqueueOne(q);
    const c = (await q.claim({ owner, leaseMs: 10_000 }))!;
    const token = c.lease!.token;
    assertEquals((await q.complete(c.job_id, token, { summary: "first" })).ok, true);
    const second = await q.complete(c.job_id, token, { summary: "second" });
    assertEquals(second.ok ? "" : second.reason, "already_final");
    const job = (await q.get(c.job_id))!;
    assertEquals(job.status, "succeeded");
    assertEquals(job.result?.summary, "first");
    assertEquals(job.lease, undefined);
  }],
  ["fail with retryAt delays the job until its time", async (q) => {
    await enqueueOne(q);
    const c = (await q.claim({ owner, leaseMs: 10_000 }))!;
    const at = now() + 150;
    const r = await q.fail(c.job_id, c.lease!.token, {
      code: "x",
      message: "boom",
      retryable: true,
    }, { retryAt: at });
    assertEquals(r.ok && r.job.status, "delayed");
    assertEquals(await q.claim({ owner, leaseMs: 10_000 }), null);
    assertEquals((await q.depth()).delayed, 1);
    advance(200);
    const again = await q.claim({ owner, leaseMs: 10_000 });
    assertEquals(again?.job_id, c.job_id);
    assertEquals(again?.attempts, 2);
  }],
  ["final failure and dead are final", async (q) => {
    const a = await enqueueOne(q);
    const b = await enqueueOne(q);
    const ca = (await q.claim({ owner, leaseMs: 10_000 }))!;
    const cb = (await q.claim({ owner, leaseMs: 10_000 }))!;
    await q.fail(ca.job_id, ca.lease!.token, { code: "bad", message: "no" });
    await q.fail(cb.job_id, cb.lease!.token, { code: "gone", message: "no" }, {
      finalState: "dead",
    });
    assertEquals((await q.get(a.job_id))?.status, "failed");
    assertEquals((await q.get(b.job_id))?.status, "dead");
    assertEquals(await q.claim({ owner, leaseMs: 10_000 }), null);
  }],
  ["release gives a running job back at once, its attempt not counted", async (q) => {
    const a = await enqueueOne(q);
    const c = (await q.claim({ owner, leaseMs: 10_000 }))!;
    assertEquals(c.attempts, 1);
    const refused = await q.release(c.job_id, "not-the-token");
    assertEquals(!refused.ok && refused.reason, "lease_lost");
    const r = await q.release(c.job_id, c.lease!.token);
    assertEquals(r.ok && [r.job.status, r.job.attempts, r.job.lease], ["queued", 0, undefined]);
    const again = (await q.claim({ owner, leaseMs: 10_000 }))!;
    assertEquals([again.job_id, again.attempts], [a.job_id, 1]);
  }],
  ["cancel: queued at once, running by request then finishCancelled", async (q) => {
    const a = await enqueueOne(q);
    const b = await enqueueOne(q);
    const running = (await q.claim({ owner, leaseMs: 10_000 }))!;
    assertEquals(running.job_id, a.job_id);
    assertEquals((await q.cancel(b.job_id))?.status, "cancelled");
    const requested = (await q.cancel(a.job_id))!;
    assertEquals(requested.status, "running");
    assertEquals(requested.cancel_requested, true);
    const done = await q.finishCancelled(a.job_id, running.lease!.token, "asked");
    assertEquals(done.ok && done.job.status, "cancelled");
    assertEquals(await q.cancel("no-such-job"), null);
  }],
  ["awaitConfirmation pauses and resume continues", async (q) => {
    await enqueueOne(q);
    const c = (await q.claim({ owner, leaseMs: 10_000 }))!;
    const p = await q.awaitConfirmation(c.job_id, c.lease!.token, {
      prompt: "ok?",
      action: { a: 1 },
    });
    assertEquals(p.ok && p.job.status, "awaiting_confirmation");
    assertEquals((await q.depth()).awaiting_confirmation, 1);
    const r = await q.resume(c.job_id, c.lease!.token);
    assertEquals(r.ok && r.job.status, "running");
    assertEquals((await q.get(c.job_id))?.confirmation, undefined);
  }],
  ["retry re-queues a dead job with a fresh attempt budget", async (q) => {
    await enqueueOne(q);
    const c = (await q.claim({ owner, leaseMs: 10_000 }))!;
    await q.fail(c.job_id, c.lease!.token, { code: "x", message: "y" }, { finalState: "dead" });
    const r = await q.retry(c.job_id);
    assertEquals(r?.status, "queued");
    assertEquals(r?.attempts, 0);
    assertEquals((await q.claim({ owner, leaseMs: 10_000 }))?.job_id, c.job_id);
  }],
  ["recoverExpired requeues, kills exhausted and cancels requested", async (q) => {
    const a = await enqueueOne(q);
    const ca = (await q.claim({ owner, leaseMs: 30 }))!;
    assertEquals(ca.job_id, a.job_id);
    advance(60);
    const moved = await q.recoverExpired();
    assertEquals(moved.map((j) => [j.job_id, j.status]), [[a.job_id, "queued"]]);
    const again = (await q.claim({ owner, leaseMs: 30 }))!; // attempt 2 of 2
    advance(60);
    const dead = await q.recoverExpired();
    assertEquals(dead.map((j) => [j.job_id, j.status, j.error?.code]), [[
      again.job_id,
      "dead",
      "lease_expired",
    ]]);
    const b = await enqueueOne(q);
    await q.claim({ owner, leaseMs: 30 });
    await q.cancel(b.job_id);
    advance(60);
    assertEquals((await q.recoverExpired()).map((j) => j.status), ["cancelled"]);
  }],
  ["heartbeat keeps the lease; a lost lease refuses the heartbeat", async (q) => {
    await enqueueOne(q);
    const c = (await q.claim({ owner, leaseMs: 80 }))!;
    for (let i = 0; i < 3; i++) {
      advance(40);
      assertEquals(await q.heartbeat(c.job_id, c.lease!.token, 80), true);
    }
    assertEquals((await q.recoverExpired()).length, 0);
    assertEquals(await q.heartbeat(c.job_id, "stale", 80), false);
  }],
  ["list filters and cursor pagination cover every job exactly once", async (q) => {
    const ids = new Set<string>();
    for (let i = 0; i < 7; i++) ids.add((await enqueueOne(q, i % 2 ? "coding" : "echo")).job_id);
    const seen: string[] = [];
    let cursor: string | null | undefined;
    do {
      const page = await q.list({ limit: 3, ...(cursor ? { cursor } : {}) });
      seen.push(...page.jobs.map((j) => j.job_id));
      cursor = page.next_cursor;
    } while (cursor);
    assertEquals(seen.length, 7);
    assertEquals(new Set(seen), ids);
    assertEquals(seen, [...seen].sort().reverse());
    assertEquals((await q.list({ intent: "coding" })).jobs.length, 3);
    assertEquals((await q.list({ status: "queued", limit: 100 })).jobs.length, 7);
  }],
  ["list filters by state, intent and utterance, and pages within a filter", async (q) => {
    const echo: string[] = [];
    for (let i = 0; i < 5; i++) echo.push((await enqueueOne(q, "echo")).job_id);
    const coding = await enqueueOne(q, "coding");
    // Two echo jobs leave `queued`: one runs, one fails for good.
    const running = (await q.claim({ owner, leaseMs: 10_000, intents: ["echo"] }))!;
    const failed = (await q.claim({ owner, leaseMs: 10_000, intents: ["echo"] }))!;
    await q.fail(failed.job_id, failed.lease!.token, { code: "bad", message: "no" });
    const ids = async (o: Parameters<JobQueue["list"]>[0]) => {
      const seen: string[] = [];
      let cursor: string | null | undefined;
      do {
        const page = await q.list({ ...o, limit: 2, ...(cursor ? { cursor } : {}) });
        assert(page.jobs.length <= 2, "a page holds at most `limit` jobs");
        seen.push(...page.jobs.map((j) => j.job_id));
        cursor = page.next_cursor;
      } while (cursor);
      return seen;
    };
    const queuedEcho = echo.filter((id) => id !== running.job_id && id !== failed.job_id);
    assertEquals(await ids({ status: "queued", intent: "echo" }), queuedEcho.reverse());
    assertEquals(await ids({ status: "queued" }), [coding.job_id, ...queuedEcho]);
    assertEquals(await ids({ status: "running" }), [running.job_id]);
    assertEquals(await ids({ status: "failed", intent: "echo" }), [failed.job_id]);
    assertEquals(await ids({ status: "failed", intent: "coding" }), []);
    assertEquals(await ids({ intent: "coding" }), [coding.job_id]);
    assertEquals(await ids({ utterance_id: coding.utterance_id }), [coding.job_id]);
    assertEquals(await ids({ utterance_id: coding.utterance_id, status: "running" }), []);
    assertEquals(await ids({ status: "succeeded" }), []);
  }],
  ["a large record (about 300 KB) is stored and read back whole", async (q) => {
    const big = "voix à traiter — ".repeat(5_000); // ~100 KB of UTF-8, not only ASCII, three times
    const { jobs } = await q.enqueue({ utterance_id: "big", text: "big", source: "api" }, [{
      spec: TaskSpec.parse({ intent: "echo", instruction: "big", params: { text: big } }),
      max_attempts: 1,
    }]);
    const c = (await q.claim({ owner, leaseMs: 10_000 }))!;
    assertEquals(c.spec.params.text, big);
    const done = await q.complete(c.job_id, c.lease!.token, { summary: big, echo: big });
    assertEquals(done.ok, true);
    const stored = (await q.get(jobs[0]!.job_id))!;
    assertEquals([stored.status, stored.result?.summary, stored.result?.echo], [
      "succeeded",
      big,
      big,
    ]);
    assertEquals((await q.list({ status: "succeeded" })).jobs[0]?.result?.summary, big);
    assertEquals((await q.listByUtterance("big"))[0]?.spec.params.text, big);
  }],
  ["a record that grows large and shrinks again stays whole", async (q) => {
    const j = await enqueueOne(q);
    const c = (await q.claim({ owner, leaseMs: 10_000 }))!;
    const long = "é".repeat(150_000);
    await q.fail(c.job_id, c.lease!.token, { code: "verbose", message: long });
    assertEquals((await q.get(j.job_id))?.error?.message, long);
    const again = await q.retry(j.job_id);
    assertEquals([again?.status, again?.error], ["queued", undefined]);
    const c2 = (await q.claim({ owner, leaseMs: 10_000 }))!;
    await q.complete(c2.job_id, c2.lease!.token, { summary: "short" });
    const stored = (await q.get(j.job_id))!;
    assertEquals([stored.status, stored.result?.summary, stored.error], [
      "succeeded",
      "short",
      undefined,
    ]);
  }],
  ["depth counts each state", async (q) => {
    await enqueueOne(q);
    await enqueueOne(q);
    await enqueueOne(q);
    await q.claim({ owner, leaseMs: 10_000 });
    assertEquals(await q.depth(), { queued: 2, delayed: 0, running: 1, awaiting_confirmation: 0 });
  }],
  ["waitForWork wakes on enqueue", async (q) => {
    const waiting = q.waitForWork(120_000);
    await sleep(20); // the waiter parks first
    await enqueueOne(q);
    // Woken by the enqueue, not by the (real-time) timeout, however slow the machine.
    assertEquals(await firstOf(waiting, 60_000), "woke");
  }],
  ["waitForWork does not sleep through work enqueued after an empty claim", async (q) => {
    assertEquals(await q.claim({ owner, leaseMs: 10_000 }), null);
    await enqueueOne(q); // nobody is waiting yet
    assertEquals(await firstOf(q.waitForWork(120_000), 60_000), "woke");
    assert((await q.claim({ owner, leaseMs: 10_000 })) !== null, "the job is there");
    // Nothing new since that claim: the next wait sleeps (until close() wakes it).
    assertEquals(await firstOf(q.waitForWork(10_000), 50), "asleep");
  }],
  ["utterances are listed per session, newest first, with their session_id", async (q) => {
    const sid = `s-${crypto.randomUUID().slice(0, 8)}`;
    for (
      const [i, session] of [[1, sid], [2, "other.session:1"], [3, sid], [4, undefined]] as const
    ) {
      await q.enqueue(
        { utterance_id: `sess-${sid}-${i}`, text: `t${i}`, source: "voice", session_id: session },
        [{ spec: spec("echo"), max_attempts: 1 }],
      );
      await sleep(2); // distinct creation times
    }
    // An identical enqueue again is idempotent and adds no second index entry.
    await q.enqueue(
      { utterance_id: `sess-${sid}-3`, text: "t3", source: "voice", session_id: sid },
      [],
    );
    const mine = await q.listSessionUtterances(sid, 10);
    assertEquals(mine.map((u) => u.utterance_id), [`sess-${sid}-3`, `sess-${sid}-1`]);
    assertEquals(mine[0]!.session_id, sid);
    assertEquals((await q.listSessionUtterances(sid, 1)).map((u) => u.text), ["t3"]);
    assertEquals((await q.listSessionUtterances("nobody", 10)).length, 0);
    assertEquals((await q.getUtterance(`sess-${sid}-4`))?.session_id, undefined);
    const control = { action: "status" as const, job_ids: [], say: "Nothing is running." };
    await q.enqueue({ utterance_id: `cmd-${sid}`, text: "status", source: "voice", control }, []);
    assertEquals((await q.getUtterance(`cmd-${sid}`))?.control, control);
  }],
  ["decide records the first answer to a paused job and announces it", async (q) => {
    const heard: string[] = [];
    const off = q.watchControl((id) => heard.push(id));
    const job = await enqueueOne(q);
    assertEquals((await q.decide(job.job_id, "allow"))?.decision, undefined, "not paused: ignored");
    const c = (await q.claim({ owner, leaseMs: 10_000 }))!;
    await q.awaitConfirmation(c.job_id, c.lease!.token, { prompt: "Submit?" });
    assertEquals((await q.decide(c.job_id, "deny"))?.decision, "deny");
    assertEquals((await q.decide(c.job_id, "allow"))?.decision, "deny", "the first answer stands");
    assertEquals(await q.decide("nope", "allow"), null);
    for (let i = 0; i < 100 && heard.length === 0; i++) await sleep(20);
    assertEquals(heard, [c.job_id]);
    const resumed = await q.resume(c.job_id, c.lease!.token);
    assert(resumed.ok);
    assertEquals(resumed.job.decision, undefined, "resuming consumes the answer");
    assertEquals(resumed.job.status, "running");
    off();
  }],
  ["a cancel request on a running job is announced; a waiting job's is not needed", async (q) => {
    const heard: string[] = [];
    const off = q.watchControl((id) => heard.push(id));
    const waiting = await enqueueOne(q);
    await enqueueOne(q);
    const running = (await q.claim({ owner, leaseMs: 10_000 }))!;
    assertEquals(running.job_id, waiting.job_id);
    const other = (await q.list({ status: "queued" })).jobs[0]!;
    assertEquals((await q.cancel(other.job_id))?.status, "cancelled");
    assertEquals((await q.cancel(running.job_id))?.cancel_requested, true);
    for (let i = 0; i < 100 && heard.length === 0; i++) await sleep(20);
    await sleep(50);
    assertEquals(heard, [running.job_id]);
    off();
  }],
  ["concurrent claimers never get the same job", async (q) => {
    for (let i = 0; i < 10; i++) await enqueueOne(q);
    const claims = await Promise.all(
      Array.from({ length: 20 }, (_, i) => q.claim({ owner: `e${i}`, leaseMs: 10_000 })),
    );
    const got = claims.filter((c) => c !== null).map((c) => c!.job_id);
    assertEquals(got.length, 10);
    assertEquals(new Set(got).size, 10);
  }],
];

function suite(name: string, factory: Factory, setup?: () => Promise<() => Promise<void>>) {
  Deno.test({
    name: `queue conformance: ${name}`,
    sanitizeOps: false,
    sanitizeResources: false,
    async fn(t) {
      const teardown = setup ? await setup() : undefined;
      try {
        for (const [caseName, run] of cases) {
          await t.step(caseName, async () => {
            const q = await factory();
            try {
              await run(q);
            } finally {
              await q.close();
            }
          });
        }
      } finally {
        await teardown?.();
      }
    },
  });
}

suite("memory", () => Promise.resolve(new MemoryQueue({ now })));
suite("kv", async () => new KvQueue(await Deno.openKv(":memory:"), { now }));
let redisUrl = "";
suite(
  "redis",
  () => RedisQueue.connect(redisUrl, { prefix: `t${crypto.randomUUID().slice(0, 8)}:`, now }),
  async () => {
    const server = await startRedisServer();
    redisUrl = server.url;
    return () => server.stop();
  },
);
