/**
 * @module
 * Queue benchmarks:
 * 1. jobs/s through enqueue → no-op consumer → complete, for memory, kv and redis;
 * 2. enqueue-to-start latency p50/p99 under a steady trickle;
 * 3. the redis backend against BullMQ on the same redis-server, same job count and concurrency;
 * 4. `POST /task` requests/s with the kv backend, load from a separate process.
 */
import { Queue as BullQueue, Worker as BullWorker } from "bullmq";
import { TaskSpec } from "../shared/schemas/mod.ts";
import { startRedisServer } from "../shared/testing/redis_server.ts";
import type { JobQueue } from "../gateway/queue/queue.ts";
import { MemoryQueue } from "../gateway/queue/memory/memory_queue.ts";
import { KvQueue } from "../gateway/queue/kv/kv_queue.ts";
import { RedisQueue } from "../gateway/queue/redis/redis_queue.ts";
import { emit, percentile } from "./report.ts";
import { ownTicks, runLoad, startGateway } from "./_process.ts";

const JOBS = Number(Deno.env.get("BENCH_QUEUE_JOBS") ?? 5000);
const CONCURRENCY = 50;
const spec = TaskSpec.parse({ intent: "noop", instruction: "noop" });

/** Enqueue JOBS (one utterance each) and drain them with CONCURRENCY claim→complete loops. */
async function throughput(q: JobQueue): Promise<number> {
  const started = performance.now();
  const enqueues: Promise<unknown>[] = [];
  for (let i = 0; i < JOBS; i++) {
    enqueues.push(
      q.enqueue({ utterance_id: `b${i}`, text: "noop", source: "api" }, [{
        spec,
        max_attempts: 1,
      }]),
    );
    if (enqueues.length >= 200) await Promise.all(enqueues.splice(0));
  }
  await Promise.all(enqueues);
  let done = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async (_, i) => {
    for (;;) {
      const job = await q.claim({ owner: `c${i}`, leaseMs: 30_000 });
      if (!job) {
        if (done >= JOBS) return;
        const d = await q.depth();
        if (d.queued === 0 && d.delayed === 0) return;
        continue;
      }
      await q.complete(job.job_id, job.lease!.token, {});
      done++;
    }
  }));
  if (done !== JOBS) throw new Error(`completed ${done} of ${JOBS}`);
  return JOBS / ((performance.now() - started) / 1000);
}

/** Enqueue one job every ~2 ms while consumers wait; latency = claim time − enqueue time. */
async function latency(q: JobQueue, count = 500): Promise<number[]> {
  const enqueuedAt = new Map<string, number>();
  const samples: number[] = [];
  let stop = false;
  const consumers = Array.from({ length: 4 }, async (_, i) => {
    while (!stop || samples.length < count) {
      const job = await q.claim({ owner: `l${i}`, leaseMs: 30_000 });
      if (!job) {
        if (stop && samples.length >= count) return;
        await q.waitForWork(50);
        continue;
      }
      const t0 = enqueuedAt.get(job.job_id);
      if (t0 !== undefined) samples.push(performance.now() - t0);
      await q.complete(job.job_id, job.lease!.token, {});
    }
  });
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    const { jobs } = await q.enqueue({ utterance_id: `lat${i}`, text: "noop", source: "api" }, [{
      spec,
      max_attempts: 1,
    }]);
    enqueuedAt.set(jobs[0]!.job_id, t0);
    await new Promise((r) => setTimeout(r, 2));
  }
  stop = true;
  await Promise.all(consumers);
  return samples;
}

async function bullmq(url: string): Promise<number> {
  const { hostname, port } = new URL(url);
  const connection = { host: hostname, port: Number(port), maxRetriesPerRequest: null };
  const name = `bench${crypto.randomUUID().slice(0, 6)}`;
  const queue = new BullQueue(name, { connection });
  let completed = 0;
  const all = Promise.withResolvers<void>();
  const started = performance.now();
  await queue.addBulk(Array.from({ length: JOBS }, (_, i) => ({ name: "noop", data: { i } })));
  const worker = new BullWorker(name, async () => {}, { connection, concurrency: CONCURRENCY });
  worker.on("completed", () => {
    if (++completed === JOBS) all.resolve();
  });
  await all.promise;
  const rate = JOBS / ((performance.now() - started) / 1000);
  await worker.close();
  await queue.close();
  return rate;
}

const redis = await startRedisServer();
try {
  const results: Record<string, number> = {};
  const latencies: Record<string, number[]> = {};
  const makers: [string, () => Promise<JobQueue>][] = [
    ["memory", () => Promise.resolve(new MemoryQueue())],
    ["kv", async () => new KvQueue(await Deno.openKv(`${await Deno.makeTempDir()}/bench.kv`))],
    [
      "redis",
      () => RedisQueue.connect(redis.url, { prefix: `b${crypto.randomUUID().slice(0, 6)}:` }),
    ],
  ];
  for (const [name, make] of makers) {
    console.error(`queue ${name}: ${JOBS} jobs, concurrency ${CONCURRENCY}`);
    const q = await make();
    results[name] = await throughput(q);
    await q.close();
    const q2 = await make();
    latencies[name] = await latency(q2);
    await q2.close();
  }
  console.error("bullmq baseline");
  const bull = await bullmq(redis.url);
  for (const name of ["memory", "kv", "redis"]) {
    emit({
      bench: "queue",
      name: `${name}: enqueue → no-op → complete`,
      value: Math.round(results[name]!),
      unit: "jobs/s",
      ...(name === "redis"
        ? {
          baseline: { name: "BullMQ, same redis-server", value: Math.round(bull), unit: "jobs/s" },
          ratio: results[name]! / bull,
          goal: "≥ 1.0× BullMQ",
          met: results[name]! / bull >= 1,
        }
        : {}),
      notes: `${JOBS} jobs, ${CONCURRENCY} consumers`,
    });
    emit({
      bench: "queue",
      name: `${name}: enqueue-to-start p50`,
      value: percentile(latencies[name]!, 50),
      unit: "ms",
    });
    emit({
      bench: "queue",
      name: `${name}: enqueue-to-start p99`,
      value: percentile(latencies[name]!, 99),
      unit: "ms",
    });
  }
} finally {
  await redis.stop();
}

/** CPU seconds a process has used so far (Linux /proc; null elsewhere). */
async function cpuSeconds(pid: number): Promise<number | null> {
  if (Deno.build.os !== "linux") return null;
  return (await ownTicks(pid)) / 100;
}

// 4. POST /task with the kv backend from a separate process: with the engine running the echo
// jobs in the same process (the default), and HTTP + enqueue alone (--no-engine).
for (const [label, extra] of [["", []], [", HTTP only (--no-engine)", ["--no-engine"]]] as const) {
  const dir = await Deno.makeTempDir();
  const gateway = await startGateway(dir, ["--queue", "kv", ...extra]);
  const seconds = Number(Deno.env.get("BENCH_SECONDS") ?? 5);
  const cpuBefore = await cpuSeconds(gateway.child.pid);
  const load = await runLoad(`${gateway.url}/task`, {
    seconds,
    connections: 32,
    body: JSON.stringify({ text: "echo benchmark" }),
    uniqueUtterances: true,
  });
  const cpuAfter = await cpuSeconds(gateway.child.pid);
  await gateway.stop();
  await Deno.remove(dir, { recursive: true });
  const cpu = cpuBefore !== null && cpuAfter !== null
    ? `, gateway CPU ${Math.round(((cpuAfter - cpuBefore) / seconds) * 100)}% of one core`
    : "";
  emit({
    bench: "queue",
    name: `POST /task with the kv backend${label}`,
    value: Math.round(load.rps),
    unit: "req/s",
    ...(label ? {} : { goal: "≥ 2000 req/s", met: load.rps >= 2000 }),
    notes: `p50 ${load.p50_ms.toFixed(2)} ms, p99 ${
      load.p99_ms.toFixed(2)
    } ms, errors ${load.errors}${cpu}; 32 connections from a separate process`,
  });
}
