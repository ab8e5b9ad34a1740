/**
 * What only the Deno KV backend has to get right (the shared behaviour is in
 * `../conformance_test.ts`): index migration of older stores, chunked records, two handles on
 * one file.
 */
import { assertEquals, assertRejects } from "@shared/testing/asserts.ts";
import { TaskSpec } from "@shared/schemas/mod.ts";
import { QueueError } from "../queue.ts";
import { KvQueue } from "./kv_queue.ts";
import {
  BY_INTENT,
  BY_STATUS,
  INDEX_VALUE,
  indexVersionKey,
  JOB_CHUNK,
  READY_BY_INTENT,
  SESSION_UTTERANCE,
} from "./keys.ts";
import { MAX_RECORD_BYTES, RecordTooLargeError } from "./record_codec.ts";

const spec = (intent = "echo", text = "") =>
  TaskSpec.parse({ intent, instruction: "x", params: text ? { text } : {} });

async function keysUnder(kv: Deno.Kv, prefix: Deno.KvKey): Promise<Deno.KvKey[]> {
  const keys: Deno.KvKey[] = [];
  for await (const e of kv.list({ prefix })) keys.push(e.key);
  return keys;
}

Deno.test("KvQueue.open() indexes jobs of a store written before the list indexes", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/queue.kv`;
  try {
    const q = await KvQueue.open(path);
    for (let i = 0; i < 3; i++) {
      await q.enqueue({ utterance_id: `old-${i}`, text: "t", source: "api" }, [{
        spec: spec(i === 2 ? "coding" : "echo"),
        max_attempts: 1,
      }]);
    }
    await q.close();
    // Remove what the older layout did not have.
    const raw = await Deno.openKv(path);
    const old = [
      ...await keysUnder(raw, [BY_STATUS]),
      ...await keysUnder(raw, [BY_INTENT]),
      indexVersionKey,
    ];
    for (const key of old) await raw.delete(key);
    raw.close();

    const reopened = await KvQueue.open(path);
    try {
      assertEquals((await reopened.list({ status: "queued" })).jobs.length, 3);
      assertEquals((await reopened.list({ intent: "coding" })).jobs.length, 1);
      const job = (await reopened.claim({ owner: "t", leaseMs: 10_000, intents: ["coding"] }))!;
      assertEquals((await reopened.list({ status: "running" })).jobs.map((j) => j.job_id), [
        job.job_id,
      ]);
      assertEquals((await reopened.list({ status: "queued" })).jobs.length, 2);
    } finally {
      await reopened.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("KvQueue: index keys hold empty bytes, and index keys holding null (older stores) serve as well", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/queue.kv`;
  try {
    const q = await KvQueue.open(path);
    const { jobs } = await q.enqueue(
      { utterance_id: "u-1", text: "t", source: "api", session_id: "s-1" },
      [{ spec: spec(), max_attempts: 1 }, { spec: spec(), max_attempts: 1 }],
    );
    await q.close();
    const raw = await Deno.openKv(path);
    const values = [];
    for (const prefix of [[BY_STATUS], [BY_INTENT], [READY_BY_INTENT], [SESSION_UTTERANCE]]) {
      for await (const e of raw.list({ prefix })) values.push(e.value);
    }
    // Two jobs' by_intent and ready_by_intent keys and the session's (queued jobs have no
    // by_status key).
    assertEquals(values.length, 5);
    assertEquals(values, Array(5).fill(INDEX_VALUE));
    // As a store written before empty bytes would hold them.
    for (const prefix of [[BY_STATUS], [BY_INTENT], [READY_BY_INTENT], [SESSION_UTTERANCE]]) {
      for await (const e of raw.list({ prefix })) await raw.set(e.key, null);
    }
    raw.close();
    const reopened = await KvQueue.open(path);
    try {
      assertEquals((await reopened.list({ status: "queued" })).jobs.length, 2);
      assertEquals((await reopened.listSessionUtterances("s-1", 10)).length, 1);
      const claimed = (await reopened.claim({ owner: "t", leaseMs: 10_000 }))!;
      assertEquals(claimed.job_id, jobs[0]!.job_id);
      assertEquals((await reopened.depth()).queued, 1);
    } finally {
      await reopened.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("KvQueue: a record that shrinks leaves no chunks behind", async () => {
  const kv = await Deno.openKv(":memory:");
  const q = new KvQueue(kv, { ownsKv: false });
  try {
    await q.enqueue({ utterance_id: "u", text: "t", source: "api" }, [{
      spec: spec(),
      max_attempts: 1,
    }]);
    const c = (await q.claim({ owner: "t", leaseMs: 10_000 }))!;
    await q.fail(c.job_id, c.lease!.token, { code: "x", message: "m".repeat(200_000) });
    assertEquals((await keysUnder(kv, [JOB_CHUNK])).length, 4);
    await q.retry(c.job_id);
    assertEquals(await keysUnder(kv, [JOB_CHUNK]), []);
  } finally {
    await q.close();
    kv.close();
  }
});

Deno.test("KvQueue: a record over the size limit is refused and the job is unchanged", async () => {
  const q = new KvQueue(await Deno.openKv(":memory:"));
  try {
    await q.enqueue({ utterance_id: "u", text: "t", source: "api" }, [{
      spec: spec(),
      max_attempts: 1,
    }]);
    const c = (await q.claim({ owner: "t", leaseMs: 10_000 }))!;
    const err = await assertRejects(
      () => q.complete(c.job_id, c.lease!.token, { summary: "a".repeat(MAX_RECORD_BYTES) }),
      RecordTooLargeError,
      `Cannot store job '${c.job_id}' as its record is `,
    );
    assertEquals(err instanceof QueueError, true);
    assertEquals((await q.get(c.job_id))?.status, "running");
  } finally {
    await q.close();
  }
});

Deno.test("KvQueue: an enqueue the store refuses is a QueueError that names the cause", async () => {
  const q = new KvQueue(await Deno.openKv(":memory:"));
  try {
    // 32 jobs of 40 KB each: every record fits, the whole atomic write (> 800 KiB) does not.
    await assertRejects(
      () =>
        q.enqueue(
          { utterance_id: "u", text: "t", source: "api" },
          Array.from(
            { length: 32 },
            () => ({ spec: spec("echo", "a".repeat(40_000)), max_attempts: 1 }),
          ),
        ),
      QueueError,
      "Cannot write to the kv queue: Total mutation size too large",
    );
    assertEquals(await q.getUtterance("u"), null);
  } finally {
    await q.close();
  }
});

/** Two handles on one new store file, closed and removed after `fn`. */
async function withTwoHandles(fn: (a: KvQueue, b: KvQueue) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/queue.kv`;
  const a = await KvQueue.open(path);
  const b = await KvQueue.open(path);
  try {
    await fn(a, b);
  } finally {
    await a.close();
    await b.close();
    await Deno.remove(dir, { recursive: true });
  }
}

/**
 * Twenty jobs (enqueued through `a`, or through both when `keep`, after a first claim on each,
 * so that each keeps what it enqueues), thirty claims through both at once: each job once.
 */
async function claimRace(a: KvQueue, b: KvQueue, keep: boolean): Promise<void> {
  if (keep) {
    for (const q of [a, b]) assertEquals(await q.claim({ owner: "warm", leaseMs: 10_000 }), null);
  }
  for (let i = 0; i < 20; i++) {
    await (keep && i % 2 ? b : a).enqueue({ utterance_id: `u${i}`, text: "t", source: "api" }, [{
      spec: spec(),
      max_attempts: 1,
    }]);
  }
  const claims = await Promise.all(
    Array.from(
      { length: 30 },
      (_, i) => (i % 3 ? a : b).claim({ owner: `e${i}`, leaseMs: 10_000 }),
    ),
  );
  const got = claims.filter((c) => c !== null).map((c) => c!.job_id);
  assertEquals(got.length, 20);
  assertEquals(new Set(got).size, 20);
  for (const id of got) assertEquals((await a.get(id))?.status, "running");
}

Deno.test("KvQueue: two handles on one file never claim the same job", () =>
  withTwoHandles((a, b) => claimRace(a, b, false)));

Deno.test("KvQueue: two handles that both keep what they enqueue never claim the same job", () =>
  withTwoHandles((a, b) => claimRace(a, b, true)));

Deno.test("KvQueue: a job changed by another handle after this one enqueued it is claimed as it now is, never as kept", () =>
  withTwoHandles(async (a, b) => {
    // A first claim (nothing queued yet) makes `a` keep what it enqueues from now on.
    assertEquals(await a.claim({ owner: "a", leaseMs: 10_000 }), null);
    const { jobs } = await a.enqueue({ utterance_id: "u1", text: "t", source: "api" }, [
      { spec: spec(), max_attempts: 1 },
      { spec: spec(), max_attempts: 1 },
    ]);
    const [first, second] = jobs.map((j) => j.job_id);
    // `b` runs the first job for a while and gives it back: queued again, with its progress.
    const taken = (await b.claim({ owner: "b", leaseMs: 10_000 }))!;
    assertEquals(taken.job_id, first);
    const token = taken.lease!.token;
    assertEquals((await b.update(first!, token, { progress: { fraction: 0.5 } })).ok, true);
    assertEquals((await b.release(first!, token)).ok, true);
    // `b` cancels the second.
    assertEquals((await b.cancel(second!))?.status, "cancelled");
    const claimed = (await a.claim({ owner: "a", leaseMs: 10_000 }))!;
    assertEquals([claimed.job_id, claimed.progress, claimed.lease?.owner], [first, {
      fraction: 0.5,
    }, "a"]);
    const stored = (await a.get(first!))!;
    assertEquals([stored.status, stored.progress, stored.lease?.owner], ["running", {
      fraction: 0.5,
    }, "a"]);
    assertEquals((await a.get(second!))?.status, "cancelled");
    assertEquals(await a.claim({ owner: "a", leaseMs: 10_000 }), null);
  }));
