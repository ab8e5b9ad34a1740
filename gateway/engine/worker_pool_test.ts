import { assert, assertEquals } from "@shared/testing/asserts.ts";
import { type PooledWorker, WorkerPool } from "./worker_pool.ts";

const PROBE = new URL("./_testdata/probe_worker.ts", import.meta.url);
const NONE: Deno.PermissionOptionsObject = {
  read: false,
  write: false,
  net: false,
  env: false,
  run: false,
  ffi: false,
  sys: false,
  import: false,
};

Deno.test("WorkerPool serves a burst of short jobs with a few workers, not one each", async () => {
  // Long enough that every job of the burst waits rather than starts a worker of its own.
  const pool = new WorkerPool({ reuseWaitMs: 60_000 });
  const seen = new Set<Worker>();
  try {
    await Promise.all(Array.from({ length: 12 }, async () => {
      const pooled = await pool.acquire(PROBE, NONE);
      seen.add(pooled.worker);
      pool.release(pooled); // a short job: the worker comes back at once
    }));
    // The first job starts a worker; the others take it in turn as it comes back.
    assertEquals(seen.size, 1);
    assertEquals(pool.idleCount, 1);
  } finally {
    pool.close();
  }
});

Deno.test("WorkerPool still gives every job that keeps its worker a worker of its own", async () => {
  const pool = new WorkerPool({ reuseWaitMs: 1 });
  const held: PooledWorker[] = [];
  try {
    // Long jobs: nobody gives a worker back, so every job ends up with a worker of its own.
    await Promise.all(Array.from({ length: 4 }, async () => {
      held.push(await pool.acquire(PROBE, NONE));
    }));
    assertEquals(new Set(held.map((p) => p.worker)).size, 4);
  } finally {
    for (const p of held) pool.discard(p);
    pool.close();
  }
});

/** A pool whose clock the test sets: a first worker that took `startMs` to start and a job
 * that held it `holdMs`, handed back. */
async function measuredPool(startMs: number, holdMs: number): Promise<WorkerPool> {
  let t = 0;
  const pool = new WorkerPool({ reuseWaitMs: 1, clock: () => t });
  const starting = pool.acquire(PROBE, NONE);
  t = startMs;
  const first = await starting;
  t += holdMs;
  pool.release(first);
  return pool;
}

Deno.test("WorkerPool: short jobs wait for the busy worker rather than start one", async () => {
  // Starting took a minute, a job holds a worker for no time: a busy worker is back sooner.
  const pool = await measuredPool(60_000, 0);
  try {
    const a = await pool.acquire(PROBE, NONE);
    const waiting = pool.acquire(PROBE, NONE);
    await new Promise((r) => setTimeout(r, 5));
    pool.release(a);
    const b = await waiting;
    assert(b.worker === a.worker);
    pool.release(b);
    assertEquals(pool.idleCount, 1);
  } finally {
    pool.close();
  }
});

Deno.test("WorkerPool: long jobs start a worker of their own after the short wait", async () => {
  // Starting took 10 ms, a job holds a worker for a minute.
  const pool = await measuredPool(10, 60_000);
  const held: PooledWorker[] = [];
  try {
    held.push(await pool.acquire(PROBE, NONE));
    held.push(await pool.acquire(PROBE, NONE)); // nobody gives one back: it starts its own
    assert(held[0]!.worker !== held[1]!.worker);
  } finally {
    for (const p of held) pool.discard(p);
    pool.close();
  }
});

Deno.test("WorkerPool lets a waiting job start a worker when the busy one is discarded", async () => {
  const pool = new WorkerPool({ reuseWaitMs: 60_000 });
  try {
    const first = await pool.acquire(PROBE, NONE);
    const waiting = pool.acquire(PROBE, NONE);
    pool.discard(first); // crashed or timed out: it never comes back
    const second = await waiting;
    assert(second.worker !== first.worker);
    pool.release(second);
    assertEquals(pool.idleCount, 1);
  } finally {
    pool.close();
  }
});

Deno.test("WorkerPool closed while a job waits for a worker still gives that job one", async () => {
  const pool = new WorkerPool({ reuseWaitMs: 60_000 });
  const first = await pool.acquire(PROBE, NONE);
  const waiting = pool.acquire(PROBE, NONE);
  pool.close();
  const second = await waiting;
  try {
    assert(second.worker !== first.worker);
  } finally {
    pool.discard(first);
    pool.release(second); // closed: ends the worker instead of keeping it
  }
  assertEquals(pool.idleCount, 0);
});
