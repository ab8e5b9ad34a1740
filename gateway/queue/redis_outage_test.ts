/**
 * Kill and restart redis-server (durable, append-only file) under load on a real gateway:
 * requests during the outage get 503 and are retried by the client, never 500 or a hang;
 * afterwards every accepted utterance has exactly one job, which succeeded exactly once.
 */
import { assert, assertEquals } from "@shared/testing/asserts.ts";
import { readLines } from "@shared/io/lines.ts";
import { startRedisServer } from "@shared/testing/redis_server.ts";

const MAIN = new URL("../main.ts", import.meta.url).pathname;

Deno.test({
  name: "redis: kill and restart redis-server under load; nothing lost, nothing doubled",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const redis = await startRedisServer({ durable: true });
    const dir = await Deno.makeTempDir();
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        MAIN,
        "--port",
        "0",
        "--queue",
        "redis",
        "--redis-url",
        redis.url,
        "--data-dir",
        `${dir}/data`,
        "--logs-dir",
        `${dir}/logs`,
        "--lease-ms",
        "2000",
        "--rate-limit",
        "0",
        "--log-level",
        "error",
      ],
      stdout: "piped",
      stderr: "null",
    }).spawn();
    const lines = readLines(child.stdout);
    const url = JSON.parse((await lines.next()).value!).url as string;
    const drain = (async () => {
      for await (const _ of lines) { /* drain */ }
    })();

    const statuses = new Map<number, number>();
    const accepted = new Map<string, string>(); // utterance → job
    let stop = false;
    let seq = 0;
    const client = async () => {
      while (!stop) {
        const id = `outage-${seq++}`;
        for (let attempt = 0; attempt < 200; attempt++) {
          const res = await fetch(`${url}/task`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({
              tasks: [{ intent: "echo", instruction: id, params: { delay_ms: 20 } }],
              utterance_id: id,
            }),
            signal: AbortSignal.timeout(10_000),
          }).catch(() => null);
          if (res) statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          if (res?.status === 202) {
            accepted.set(id, (await res.json()).jobs[0].job_id);
            break;
          }
          await res?.body?.cancel();
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    };
    const clients = Array.from({ length: 6 }, client);
    await new Promise((r) => setTimeout(r, 1500));
    await redis.kill();
    await new Promise((r) => setTimeout(r, 1500));
    await redis.restart();
    await new Promise((r) => setTimeout(r, 2000));
    stop = true;
    await Promise.all(clients);

    // Every accepted job reaches a final state.
    const pending = new Set(accepted.values());
    for (let i = 0; i < 150 && pending.size > 0; i++) {
      for (const jobId of [...pending]) {
        const res = await fetch(`${url}/status/${jobId}`);
        const job = res.ok ? await res.json() : null;
        if (job && ["succeeded", "failed", "dead", "cancelled"].includes(job.status)) {
          assertEquals(job.status, "succeeded", JSON.stringify(job.error));
          pending.delete(jobId);
        } else if (!res.ok) await res.body?.cancel();
      }
      if (pending.size) await new Promise((r) => setTimeout(r, 200));
    }
    child.kill("SIGTERM");
    await child.status;
    await drain;
    await redis.stop();

    assertEquals([...pending], [], "every accepted job finished");
    assert(accepted.size > 20, `only ${accepted.size} utterances were accepted`);
    assert((statuses.get(503) ?? 0) > 0, `the outage was seen: ${JSON.stringify([...statuses])}`);
    assertEquals([...statuses.keys()].filter((s) => s >= 500 && s !== 503), [], "no 500s");
    // Exactly one completion per job in the gateway's traces.
    const counts = new Map<string, number>();
    for (
      const line of (await Deno.readTextFile(`${dir}/logs/orchestrator-traces.jsonl`)).split("\n")
    ) {
      if (!line.includes('"job.succeeded"')) continue;
      const id = JSON.parse(line).job_id;
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    assertEquals([...counts.values()].filter((n) => n !== 1), []);
    assertEquals(new Set(accepted.values()).size, accepted.size);
    await Deno.remove(dir, { recursive: true });
  },
});
