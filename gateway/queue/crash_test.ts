/**
 * Crash safety with real processes: a gateway on Deno KV SIGKILLed with 500 jobs queued and
 * running and requests in flight, then restarted on the same data, its clients retrying by
 * utterance_id; a Redis worker SIGKILLed mid-job while another takes over. Every job ends in
 * a final state, none is lost, none completes twice.
 */
import { shippedPermissions } from "@shared/task_permissions.ts";
import { assert, assertEquals } from "@shared/testing/asserts.ts";
import { type DenoProcess, spawnDeno } from "@shared/testing/process.ts";
import { startRedisServer } from "@shared/testing/redis_server.ts";
import type { JobRecord } from "@shared/schemas/mod.ts";
import { RedisQueue } from "./redis/redis_queue.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const PERMS = await shippedPermissions("gateway");

/** A gateway or worker process, with the URL it announced (gateways only). */
type Proc = DenoProcess & { url: string };

async function spawn(script: string, args: string[], readyEvent: string): Promise<Proc> {
  const proc = await spawnDeno(
    ["run", ...PERMS, `${ROOT}${script}`, ...args, "--log-level", "warning"],
    { ready: readyEvent },
  );
  return Object.assign(proc, { url: String(proc.info.url ?? "") });
}

async function kill(p: Proc, signal: Deno.Signal = "SIGKILL") {
  await p.stop(signal);
}

async function post(
  url: string,
  body: unknown,
): Promise<{ utterance_id: string; jobs: { job_id: string }[] }> {
  const res = await fetch(`${url}/task`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  assertEquals(res.status, 202);
  return await res.json();
}

async function waitAllFinal(
  url: string,
  ids: string[],
  timeoutMs: number,
): Promise<Map<string, string>> {
  const until = Date.now() + timeoutMs;
  const states = new Map<string, string>();
  while (Date.now() < until) {
    for (const id of ids) {
      if (["succeeded", "failed", "dead", "cancelled"].includes(states.get(id) ?? "")) continue;
      const res = await fetch(`${url}/status/${id}`);
      states.set(id, res.ok ? (await res.json()).status : `http ${res.status}`);
    }
    if (
      [...states.values()].every((s) => ["succeeded", "failed", "dead", "cancelled"].includes(s))
    ) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  return states;
}

/** Every job in `status`, through `GET /jobs` and its cursor. */
async function listAll(url: string, status: string): Promise<JobRecord[]> {
  const jobs: JobRecord[] = [];
  let cursor: string | null = null;
  do {
    const res = await fetch(
      `${url}/jobs?status=${status}&limit=200${cursor ? `&cursor=${cursor}` : ""}`,
    );
    assertEquals(res.status, 200);
    const page: { jobs: JobRecord[]; next_cursor: string | null } = await res.json();
    jobs.push(...page.jobs);
    cursor = page.next_cursor;
  } while (cursor);
  return jobs;
}

/** job_id → number of `job.succeeded` trace events across every JSONL trace file in `dir`. */
async function successCounts(dir: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for await (const e of Deno.readDir(dir)) {
    if (!e.name.endsWith("traces.jsonl")) continue;
    for (const line of (await Deno.readTextFile(`${dir}/${e.name}`)).split("\n")) {
      if (!line.includes('"job.succeeded"')) continue;
      const ev = JSON.parse(line);
      counts.set(ev.job_id, (counts.get(ev.job_id) ?? 0) + 1);
    }
  }
  return counts;
}

Deno.test({
  name:
    "kv: SIGKILL the gateway with 500 jobs queued and running and requests in flight; after a restart all finish once",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir();
    const flags = [
      "--port",
      "0",
      "--queue",
      "kv",
      "--data-dir",
      `${dir}/data`,
      "--logs-dir",
      `${dir}/logs`,
      "--lease-ms",
      "1000",
      "--concurrency",
      "32",
      "--rate-limit",
      "0",
    ];
    const first = await spawn("gateway/main.ts", flags, "listening");
    const jobIds: string[] = [];
    for (let i = 0; i < 500; i += 25) {
      // 25 utterances per request batch, posted concurrently.
      const replies = await Promise.all(Array.from({ length: 25 }, (_, k) =>
        post(first.url, {
          tasks: [{
            intent: "echo",
            instruction: `job ${i + k}`,
            params: { delay_ms: 100 + ((i + k) % 7) * 50 },
          }],
          utterance_id: `crash-${i + k}`,
        })));
      for (const r of replies) jobIds.push(r.jobs[0]!.job_id);
    }
    // Let some finish and some run, then kill without warning.
    await new Promise((r) => setTimeout(r, 700));
    const before = await (await fetch(`${first.url}/metrics`)).text();
    assert(
      /orchestrator_queue_depth\{state="running"\} [1-9]/.test(before),
      "jobs were running at the kill",
    );
    assert(
      /orchestrator_queue_depth\{state="queued"\} [1-9]/.test(before),
      "jobs were queued at the kill",
    );
    const finishedBefore = await listAll(first.url, "succeeded");
    // Requests keep arriving while the gateway dies: some are answered, some cut off mid-way
    // (perhaps after their jobs were stored). Clients retry every one with its utterance_id.
    const late = new Map<string, string | null>();
    let posting = true;
    const poster = (async () => {
      for (let n = 0; posting; n++) {
        const id = `late-${n}`;
        late.set(id, null);
        try {
          const res = await fetch(`${first.url}/task`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({
              tasks: [{ intent: "echo", instruction: `late ${n}` }],
              utterance_id: id,
            }),
          });
          if (res.status === 202) late.set(id, (await res.json()).jobs[0].job_id);
          else await res.body?.cancel();
        } catch { /* cut off by the kill: retried after the restart */ }
      }
    })();
    await new Promise((r) => setTimeout(r, 100));
    await kill(first);
    posting = false;
    await poster;

    const second = await spawn("gateway/main.ts", flags, "listening");
    const answered = [...late.values()].filter((id) => id !== null).length;
    assert(answered > 0, "some late requests were answered before the kill");
    assert(answered < late.size, "some late requests were cut off by the kill");
    for (const [utterance, jobId] of late) {
      const again = await post(second.url, {
        tasks: [{ intent: "echo", instruction: "retried" }],
        utterance_id: utterance,
      });
      assertEquals(again.jobs.length, 1);
      // An answered request's retry names the same job: the retry created nothing new.
      if (jobId !== null) assertEquals(again.jobs[0]!.job_id, jobId);
      jobIds.push(again.jobs[0]!.job_id);
    }
    const states = await waitAllFinal(second.url, jobIds, 90_000);
    // A job that had finished before the kill was not run or completed again.
    const after = new Map(
      (await listAll(second.url, "succeeded")).map((j) => [j.job_id, j]),
    );
    await kill(second, "SIGTERM");
    assert(finishedBefore.length > 0, "some jobs had finished before the kill");
    assertEquals(
      finishedBefore.map((j) => [j.job_id, j.attempts, j.finished_at]),
      finishedBefore.map((j) => [
        j.job_id,
        after.get(j.job_id)?.attempts,
        after.get(j.job_id)?.finished_at,
      ]),
    );
    assertEquals(jobIds.length, 500 + late.size);
    assertEquals(new Set(jobIds).size, 500 + late.size);
    const notDone = [...states.entries()].filter(([, s]) => s !== "succeeded");
    assertEquals(notDone, [], "every job succeeded");
    const twice = [...(await successCounts(`${dir}/logs`)).entries()].filter(([, n]) => n > 1);
    assertEquals(twice, [], "no job completed twice");
    await Deno.remove(dir, { recursive: true });
  },
});

Deno.test({
  name: "redis: SIGKILL one of two workers mid-job; the other recovers its jobs after the lease",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const redis = await startRedisServer();
    const dir = await Deno.makeTempDir();
    const common = [
      "--queue",
      "redis",
      "--redis-url",
      redis.url,
      "--data-dir",
      `${dir}/data`,
      "--logs-dir",
      `${dir}/logs`,
      "--lease-ms",
      // Heartbeats every second: a loaded CI machine must not be mistaken for a dead worker.
      "3000",
      "--rate-limit",
      "0",
    ];
    const gateway = await spawn(
      "gateway/main.ts",
      ["--port", "0", "--no-engine", ...common],
      "listening",
    );
    const worker = () =>
      spawn("gateway/worker_main.ts", [...common, "--concurrency", "8"], "worker_started");
    const [workerA, workerB] = await Promise.all([worker(), worker()]);
    const inspect = await RedisQueue.connect(redis.url);
    try {
      const jobIds: string[] = [];
      for (let i = 0; i < 16; i++) {
        const r = await post(gateway.url, {
          // Long enough that the first jobs are still running when a loaded machine has
          // started the last of the sixteen workers' sandboxes.
          tasks: [{ intent: "echo", instruction: `slow ${i}`, params: { delay_ms: 8000 } }],
          utterance_id: `redis-crash-${i}`,
        });
        jobIds.push(r.jobs[0]!.job_id);
      }
      // Wait until both workers hold 8 jobs each mid-run (they take a moment to start under load).
      let running: JobRecord[] = [];
      for (let i = 0; i < 300 && running.length < 16; i++) {
        await new Promise((r) => setTimeout(r, 100));
        running = (await Promise.all(jobIds.map((id) => inspect.get(id))))
          .filter((j): j is JobRecord => j?.status === "running");
      }
      assertEquals(running.length, 16);
      const ownedBy = (p: Proc) =>
        running.filter((j) => j.lease?.owner.startsWith(`engine-${p.child.pid}-`))
          .map((j) => j.job_id);
      const heldByA = ownedBy(workerA);
      const heldByB = ownedBy(workerB);
      assertEquals([heldByA.length, heldByB.length], [8, 8]);

      await kill(workerA);
      const states = await waitAllFinal(gateway.url, jobIds, 60_000);
      assertEquals([...states.values()].filter((s) => s !== "succeeded"), []);
      // A's jobs ran a second time, on B, after their leases expired; B's own ran once.
      const final = new Map(
        (await Promise.all(jobIds.map((id) => inspect.get(id)))).map((j) => [j!.job_id, j!]),
      );
      assertEquals(heldByA.map((id) => final.get(id)?.attempts), heldByA.map(() => 2));
      assertEquals(heldByA.map((id) => final.get(id)?.result?.attempt), heldByA.map(() => 2));
      assertEquals(heldByB.map((id) => final.get(id)?.attempts), heldByB.map(() => 1));
      await kill(workerB, "SIGTERM");
      await kill(gateway, "SIGTERM");
      const twice = [...(await successCounts(`${dir}/logs`)).entries()].filter(([, n]) => n > 1);
      assertEquals(twice, []);
    } finally {
      await inspect.close();
      for (const p of [workerA, workerB, gateway]) await kill(p);
      await redis.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "redis scale-out: two gateways and two workers share the load; every job runs once",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const redis = await startRedisServer();
    const dir = await Deno.makeTempDir();
    const common = [
      "--queue",
      "redis",
      "--redis-url",
      redis.url,
      "--data-dir",
      `${dir}/data`,
      "--logs-dir",
      `${dir}/logs`,
      "--rate-limit",
      "0",
      "--concurrency",
      "8",
    ];
    const gateways = await Promise.all(
      [0, 1].map((i) =>
        spawn(
          "gateway/main.ts",
          ["--port", "0", ...common, "--logs-dir", `${dir}/logs/g${i}`],
          "listening",
        )
      ),
    );
    const workers = await Promise.all(
      [0, 1].map(() => spawn("gateway/worker_main.ts", common, "worker_started")),
    );
    const jobIds: string[] = [];
    await Promise.all(Array.from({ length: 120 }, async (_, i) => {
      const r = await post(gateways[i % 2]!.url, {
        tasks: [{ intent: "echo", instruction: `share ${i}`, params: { delay_ms: 50 } }],
        utterance_id: `scale-${i}`,
      });
      jobIds.push(r.jobs[0]!.job_id);
    }));
    const states = await waitAllFinal(gateways[0]!.url, jobIds, 60_000);
    for (const p of [...workers, ...gateways]) await kill(p, "SIGTERM");
    await redis.stop();
    assertEquals([...states.values()].filter((s) => s !== "succeeded"), []);
    // Count completions and who ran them, across every process's trace file.
    const owners = new Set<string>();
    const succeeded = new Map<string, number>();
    for (const sub of ["", "/g0", "/g1"]) {
      for await (const e of Deno.readDir(`${dir}/logs${sub}`)) {
        if (!e.name.endsWith("traces.jsonl")) continue;
        for (const line of (await Deno.readTextFile(`${dir}/logs${sub}/${e.name}`)).split("\n")) {
          if (!line) continue;
          const ev = JSON.parse(line);
          if (ev.event === "job.started") {
            owners.add(String(ev.data.owner).split("-").slice(0, 2).join("-"));
          }
          if (ev.event === "job.succeeded") {
            succeeded.set(ev.job_id, (succeeded.get(ev.job_id) ?? 0) + 1);
          }
        }
      }
    }
    assertEquals(succeeded.size, 120);
    assertEquals([...succeeded.values()].filter((n) => n !== 1), []);
    assert(owners.size >= 3, `jobs ran in ${owners.size} processes: ${[...owners].join(", ")}`);
    await Deno.remove(dir, { recursive: true });
  },
});
