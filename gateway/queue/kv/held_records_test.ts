/**
 * The records a lease holder keeps to write its job again without a read: kept only while
 * held, and never trusted past a change made elsewhere (another handle on the same file).
 */
import { assertEquals } from "@shared/testing/asserts.ts";
import { type JobRecord, TaskSpec } from "@shared/schemas/mod.ts";
import { claimJob, completeJob, createJob } from "../job_ops.ts";
import { HeldRecords } from "./held_records.ts";
import { KvQueue } from "./kv_queue.ts";

const queued = (id: string): JobRecord =>
  createJob(id, "u", {
    spec: TaskSpec.parse({ intent: "echo", instruction: "x" }),
    max_attempts: 3,
  }, 0);
const leased = (id: string) => claimJob(queued(id), "me", `token-${id}`, 1000, 0);

Deno.test("HeldRecords keeps a leased inline record and forgets it once no longer leased", () => {
  const held = new HeldRecords();
  held.wrote(leased("a"), "v1", true);
  assertEquals(held.get("a")?.versionstamp, "v1");
  held.wrote(completeJob(leased("a"), { summary: "ok" }, undefined, 0), "v2", true);
  assertEquals(held.get("a"), undefined);
  held.wrote(queued("b"), "v3", true);
  held.wrote(leased("c"), "v4", false); // stored in chunks: always read
  assertEquals(held.size, 0);
  held.wrote(leased("d"), "v5", true);
  held.forget("d");
  assertEquals(held.get("d"), undefined);
});

Deno.test("HeldRecords holds at most its limit, dropping the oldest", () => {
  const held = new HeldRecords(2);
  for (const id of ["a", "b", "c"]) held.wrote(leased(id), `v-${id}`, true);
  assertEquals([held.get("a"), held.get("b")?.versionstamp, held.get("c")?.versionstamp], [
    undefined,
    "v-b",
    "v-c",
  ]);
  held.wrote(leased("b"), "v-b2", true); // an update is not a new entry
  assertEquals([held.size, held.get("b")?.versionstamp], [2, "v-b2"]);
});

async function twoHandles(fn: (a: KvQueue, b: KvQueue, clock: { now: number }) => Promise<void>) {
  const dir = await Deno.makeTempDir();
  const clock = { now: 1_000_000 };
  const a = await KvQueue.open(`${dir}/queue.kv`, { now: () => clock.now });
  const b = await KvQueue.open(`${dir}/queue.kv`, { now: () => clock.now });
  try {
    await fn(a, b, clock);
  } finally {
    await a.close();
    await b.close();
    await Deno.remove(dir, { recursive: true });
  }
}

const enqueue = (q: KvQueue, id: string) =>
  q.enqueue({ utterance_id: id, text: "t", source: "api" }, [{
    spec: TaskSpec.parse({ intent: "echo", instruction: "x" }),
    max_attempts: 3,
  }]);

Deno.test("KvQueue: a holder whose job was taken over elsewhere cannot complete it", () =>
  twoHandles(async (a, b, clock) => {
    await enqueue(a, "u1");
    const mine = (await a.claim({ owner: "a", leaseMs: 1000 }))!;
    assertEquals(await a.heartbeat(mine.job_id, mine.lease!.token, 1000), true);
    // The lease runs out; the other handle recovers the job and claims it.
    clock.now += 5000;
    assertEquals((await b.recoverExpired()).map((j) => j.job_id), [mine.job_id]);
    const theirs = (await b.claim({ owner: "b", leaseMs: 60_000 }))!;
    assertEquals(theirs.job_id, mine.job_id);

    assertEquals(await a.heartbeat(mine.job_id, mine.lease!.token, 1000), false);
    const late = await a.complete(mine.job_id, mine.lease!.token, { summary: "late" });
    assertEquals(late.ok ? "ok" : late.reason, "lease_lost");
    const done = await b.complete(theirs.job_id, theirs.lease!.token, { summary: "b" });
    assertEquals(done.ok, true);
    const final = (await a.get(mine.job_id))!;
    assertEquals([final.status, final.result?.summary, final.attempts], ["succeeded", "b", 2]);
  }));

Deno.test("KvQueue: a holder's write after a change made elsewhere keeps that change", () =>
  twoHandles(async (a, b) => {
    await enqueue(a, "u1");
    const job = (await a.claim({ owner: "a", leaseMs: 60_000 }))!;
    // Cancel requested through the other handle: a's kept record is out of date.
    assertEquals((await b.cancel(job.job_id))?.cancel_requested, true);
    const updated = await a.update(job.job_id, job.lease!.token, {
      progress: { fraction: 0.5 },
    });
    assertEquals(updated.ok && updated.job.cancel_requested, true);
    const stored = (await b.get(job.job_id))!;
    assertEquals([stored.cancel_requested, stored.progress?.fraction], [true, 0.5]);
  }));

Deno.test("KvQueue: a retry delayed by another handle on the file is run once due", () =>
  twoHandles(async (a, b, clock) => {
    await enqueue(a, "u1");
    assertEquals(await b.claim({ owner: "b", leaseMs: 60_000 }) !== null, true);
    await enqueue(a, "u2");
    const job = (await a.claim({ owner: "a", leaseMs: 60_000 }))!;
    await a.fail(job.job_id, job.lease!.token, { code: "x", message: "m" }, {
      retryAt: clock.now + 10,
    });
    // The handle that wrote it claims it as soon as it is due.
    clock.now += 10;
    const again = (await a.claim({ owner: "a", leaseMs: 60_000 }))!;
    assertEquals([again.job_id, again.attempts], [job.job_id, 2]);
    await a.fail(again.job_id, again.lease!.token, { code: "x", message: "m" }, {
      retryAt: clock.now + 10,
    });
    // The other handle finds it by reading the delayed index again within a second.
    clock.now += 1000;
    const there = (await b.claim({ owner: "b", leaseMs: 60_000 }))!;
    assertEquals([there.job_id, there.attempts], [job.job_id, 3]);
    assertEquals(await a.claim({ owner: "a", leaseMs: 60_000 }), null);
  }));
