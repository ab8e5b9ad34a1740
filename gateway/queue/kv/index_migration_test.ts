/**
 * Opening a store written with index version 2 (a `ready` index beside `ready_by_intent`, a
 * `by_status` key for running jobs, records stored as objects): the old keys are gone, every
 * queued job is still claimed, exactly once, in the claim order, and the jobs that were running
 * keep their leases and are still listed as running.
 */
import { assert, assertEquals } from "@shared/testing/asserts.ts";
import { type JobRecord, TaskSpec } from "@shared/schemas/mod.ts";
import { newId } from "../ids.ts";
import { claimJob, createJob, priorityRank } from "../job_ops.ts";
import { KvQueue } from "./kv_queue.ts";
import {
  BY_STATUS,
  INDEX_VERSION,
  indexVersionKey,
  jobKey,
  OLD_READY,
  READY_BY_INTENT,
} from "./keys.ts";

async function keysUnder(kv: Deno.Kv, prefix: Deno.KvKey): Promise<Deno.KvKey[]> {
  const keys: Deno.KvKey[] = [];
  for await (const e of kv.list({ prefix })) keys.push(e.key);
  return keys;
}

const job = (intent: string, priority: "interactive" | "background", now: number) =>
  createJob(newId(), `u-${newId()}`, {
    spec: TaskSpec.parse({ intent, instruction: "x", priority }),
    max_attempts: 3,
  }, now);

/** Writes `jobs` with every key index version 2 gave them, as that version did. */
async function writeVersion2(path: string, jobs: readonly JobRecord[]): Promise<void> {
  const kv = await Deno.openKv(path);
  try {
    for (const j of jobs) {
      const op = kv.atomic()
        .set(["job", j.job_id], j)
        .set(["utt", j.utterance_id], {
          utterance_id: j.utterance_id,
          text: "t",
          source: "api",
          created_at: j.created_at,
          job_ids: [j.job_id],
        })
        .set(["by_status", j.status, j.job_id], null)
        .set(["by_intent", j.intent, j.job_id], null);
      if (j.status === "queued") {
        const rank = priorityRank(j);
        op.set([OLD_READY, rank, j.job_id], null)
          .set([READY_BY_INTENT, j.intent, rank, j.job_id], null);
      }
      if (j.status === "running") op.set(["lease", j.lease!.expires_at, j.job_id], null);
      assert((await op.commit()).ok);
    }
    await kv.set(indexVersionKey, 2);
  } finally {
    kv.close();
  }
}

Deno.test("KvQueue.open() drops the version-2 ready index; every job is leased exactly once", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/queue.kv`;
  const now = Date.now();
  const queued = [
    job("echo", "background", now),
    job("coding", "background", now),
    job("echo", "interactive", now),
    ...Array.from({ length: 12 }, (_, i) => job(i % 2 ? "echo" : "browser", "background", now)),
    job("browser", "interactive", now),
  ];
  const running = claimJob(job("echo", "background", now), "gone", newId(), 60_000, now);
  await writeVersion2(path, [...queued, running]);

  const a = await KvQueue.open(path);
  const b = await KvQueue.open(path);
  try {
    const raw = await Deno.openKv(path);
    assertEquals(await keysUnder(raw, [OLD_READY]), []);
    assertEquals(await keysUnder(raw, [BY_STATUS, "running"]), []);
    assertEquals(await keysUnder(raw, [BY_STATUS, "queued"]), []);
    assertEquals((await raw.get(indexVersionKey)).value, INDEX_VERSION);
    raw.close();
    assertEquals(await a.depth(), {
      queued: queued.length,
      delayed: 0,
      running: 1,
      awaiting_confirmation: 0,
    });
    assertEquals((await a.list({ status: "running" })).jobs, [running]);
    // Utterances written as objects are read as they are.
    assertEquals((await a.getUtterance(queued[0]!.utterance_id))?.job_ids, [queued[0]!.job_id]);
    assertEquals(
      (await a.list({ status: "queued", limit: 100 })).jobs.map((j) => j.job_id),
      queued.map((j) => j.job_id).sort().reverse(),
    );

    // The first claim takes the oldest interactive job of any intent.
    const first = await a.claim({ owner: "a", leaseMs: 60_000 });
    assertEquals(first?.job_id, queued[2]!.job_id);
    // Two handles on the file race for the rest: each job once, none of them the running one.
    const claims = await Promise.all(
      Array.from(
        { length: 30 },
        (_, i) => (i % 2 ? a : b).claim({ owner: `e${i}`, leaseMs: 60_000 }),
      ),
    );
    const got = claims.filter((c) => c !== null).map((c) => c!.job_id);
    assertEquals(got.length, queued.length - 1);
    assertEquals(new Set(got).size, got.length);
    assertEquals(
      new Set([first!.job_id, ...got]),
      new Set(queued.map((j) => j.job_id)),
    );
    assertEquals((await a.get(running.job_id))?.lease?.token, running.lease!.token);
    assertEquals(await a.claim({ owner: "a", leaseMs: 60_000 }), null);
  } finally {
    await a.close();
    await b.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("KvQueue.open() on a version-2 store keeps the claim order: interactive, then oldest", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/queue.kv`;
  const now = Date.now();
  const jobs = [
    job("echo", "background", now),
    job("coding", "interactive", now),
    job("browser", "background", now),
    job("echo", "interactive", now),
  ];
  await writeVersion2(path, jobs);
  const q = await KvQueue.open(path);
  try {
    const order: string[] = [];
    for (let i = 0; i < jobs.length; i++) {
      order.push((await q.claim({ owner: "t", leaseMs: 60_000 }))!.job_id);
    }
    assertEquals(order, [jobs[1], jobs[3], jobs[0], jobs[2]].map((j) => j!.job_id));
  } finally {
    await q.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("KvQueue.open() on a current store changes nothing", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/queue.kv`;
  try {
    const q = await KvQueue.open(path);
    await q.enqueue({ utterance_id: "u", text: "t", source: "api" }, [{
      spec: TaskSpec.parse({ intent: "echo", instruction: "x" }),
      max_attempts: 1,
    }]);
    await q.close();
    const raw = await Deno.openKv(path);
    const before = await keysUnder(raw, []);
    raw.close();
    const again = await KvQueue.open(path);
    await again.close();
    const after = await Deno.openKv(path);
    assertEquals(await keysUnder(after, []), before);
    after.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("A version-4 store keeps records as JSON bytes and lists running jobs by their lease", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/queue.kv`;
  const q = await KvQueue.open(path);
  try {
    const { jobs } = await q.enqueue({ utterance_id: "u", text: "t", source: "api" }, [
      { spec: TaskSpec.parse({ intent: "echo", instruction: "first" }), max_attempts: 1 },
      { spec: TaskSpec.parse({ intent: "echo", instruction: "second" }), max_attempts: 1 },
    ]);
    const claimed = [
      (await q.claim({ owner: "t", leaseMs: 60_000 }))!,
      (await q.claim({ owner: "t", leaseMs: 60_000 }))!,
    ];
    const raw = await Deno.openKv(path);
    try {
      const stored = (await raw.get(jobKey(claimed[0]!.job_id))).value;
      assert(stored instanceof Uint8Array, "a record is stored as its JSON bytes");
      assertEquals(JSON.parse(new TextDecoder().decode(stored)), claimed[0]);
      assertEquals(await keysUnder(raw, [BY_STATUS, "running"]), []);
      const utterance = (await raw.get(["utt", "u"])).value;
      assert(utterance instanceof Uint8Array, "an utterance is stored as its JSON bytes");
      assertEquals(
        JSON.parse(new TextDecoder().decode(utterance)).job_ids,
        jobs.map((j) => j.job_id),
      );
    } finally {
      raw.close();
    }
    assertEquals((await q.getUtterance("u"))?.job_ids, jobs.map((j) => j.job_id));
    const newest = [...jobs].map((j) => j.job_id).sort().reverse();
    assertEquals((await q.list({ status: "running" })).jobs.map((j) => j.job_id), newest);
    const page = await q.list({ status: "running", limit: 1 });
    assertEquals(page.jobs.map((j) => j.job_id), [newest[0]]);
    const rest = await q.list({ status: "running", cursor: page.next_cursor! });
    assertEquals(rest.jobs.map((j) => j.job_id), [newest[1]]);
  } finally {
    await q.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Queued jobs of every intent and priority are listed newest first, page by page", async () => {
  const dir = await Deno.makeTempDir();
  const q = await KvQueue.open(`${dir}/queue.kv`);
  try {
    const ids: string[] = [];
    for (let i = 0; i < 11; i++) {
      const intent = ["echo", "coding", "browser"][i % 3]!;
      const priority = i % 4 === 0 ? "interactive" : "background";
      const { jobs } = await q.enqueue({ utterance_id: `u${i}`, text: "t", source: "api" }, [
        { spec: TaskSpec.parse({ intent, instruction: `job ${i}`, priority }), max_attempts: 1 },
      ]);
      ids.push(jobs[0]!.job_id);
    }
    const pages = async (filter: { intent?: string }) => {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page = await q.list({
          status: "queued",
          limit: 3,
          ...filter,
          ...(cursor ? { cursor } : {}),
        });
        seen.push(...page.jobs.map((j) => j.job_id));
        cursor = page.next_cursor;
      } while (cursor);
      return seen;
    };
    assertEquals(await pages({}), [...ids].reverse());
    assertEquals(await pages({ intent: "coding" }), ids.filter((_, i) => i % 3 === 1).reverse());
    assertEquals(await pages({ intent: "nothing" }), []);
  } finally {
    await q.close();
    await Deno.remove(dir, { recursive: true });
  }
});
