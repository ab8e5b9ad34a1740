/**
 * @module
 * Steady load on `POST /task` for two minutes (`SOAK_SECONDS`) from a separate process, echo
 * jobs running in the gateway. Reports throughput, p50/p99 latency and errors, then waits for
 * the queue to drain and checks that every accepted job reached a final state exactly once:
 * jobs enqueued = requests accepted = jobs completed, queue depth 0.
 *
 * `SOAK_QUEUE` picks the backend (default kv).
 */
import { emit } from "./report.ts";
import { runLoad, startGateway } from "./_process.ts";

const SECONDS = Number(Deno.env.get("SOAK_SECONDS") ?? 120);
const QUEUE = Deno.env.get("SOAK_QUEUE") ?? "kv";
const CONNECTIONS = 16;
/** Steady rate the gateway and its engine can sustain on 2 cores (a backlog is not steady). */
const RATE = Number(Deno.env.get("SOAK_RATE") ?? 800);

function counter(metrics: string, name: string): number {
  let total = 0;
  for (const line of metrics.split("\n")) {
    if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
      total += Number(line.split(" ").pop());
    }
  }
  return total;
}

const dir = await Deno.makeTempDir();
const gateway = await startGateway(dir, ["--queue", QUEUE]);
console.error(`soak: ${SECONDS} s of POST /task on ${gateway.url} (queue ${QUEUE})`);
const load = await runLoad(`${gateway.url}/task`, {
  seconds: SECONDS,
  connections: CONNECTIONS,
  body: JSON.stringify({ text: "echo soak", source: "voice" }),
  uniqueUtterances: true,
  rate: RATE,
});
// Drain: wait until nothing is queued or running.
const drainStart = performance.now();
let metrics = "";
for (;;) {
  metrics = await (await fetch(`${gateway.url}/metrics`)).text();
  const pending = counter(metrics, "orchestrator_queue_depth");
  if (pending === 0 || performance.now() - drainStart > 300_000) break;
  await new Promise((r) => setTimeout(r, 500));
}
const drainSeconds = (performance.now() - drainStart) / 1000;
const enqueued = counter(metrics, "orchestrator_jobs_enqueued_total");
const completed = counter(metrics, "orchestrator_jobs_completed_total");
const failed = counter(metrics, "orchestrator_jobs_failed_total");
const depth = counter(metrics, "orchestrator_queue_depth");
await gateway.stop();
// The trace log, independent of the counters: every enqueued job ends exactly once.
const ends = await jobEnds(`${dir}/logs/orchestrator-traces.jsonl`);
await Deno.remove(dir, { recursive: true });

// Requests during the load client's warm-up are accepted too but not in its counts, so the
// loss check compares the gateway's own counters: accepted (enqueued) vs finished.
const lost = enqueued - completed - failed;
const neverEnded = [...ends.enqueued].filter((id) => !ends.ended.has(id)).length;
const endedTwice = [...ends.ended.values()].filter((n) => n > 1).length;
emit({
  bench: "soak",
  name: `POST /task steady load, ${SECONDS} s (${QUEUE})`,
  value: Math.round(load.rps),
  unit: "req/s",
  notes:
    `target ${RATE} req/s steady; ${load.requests} requests, ${load.errors} errors, ${CONNECTIONS} connections`,
});
emit({ bench: "soak", name: "latency p50 under load", value: load.p50_ms, unit: "ms" });
emit({ bench: "soak", name: "latency p99 under load", value: load.p99_ms, unit: "ms" });
emit({
  bench: "soak",
  name: "jobs lost or unfinished after drain",
  value: lost + depth,
  unit: "jobs",
  goal: "0",
  met: lost + depth === 0 && failed === 0,
  notes: `enqueued ${enqueued}, succeeded ${completed}, failed ${failed}, drained in ${
    drainSeconds.toFixed(1)
  } s`,
});
emit({
  bench: "soak",
  name: "jobs in the trace log that never ended, or ended twice",
  value: neverEnded + endedTwice,
  unit: "jobs",
  goal: "0",
  met: neverEnded + endedTwice === 0 && ends.enqueued.size === enqueued &&
    load.ok <= ends.enqueued.size,
  notes: `${ends.enqueued.size} job.enqueued events, ${ends.ended.size} jobs ended; ` +
    `${neverEnded} never ended, ${endedTwice} ended twice; the client saw ${load.ok} ` +
    `accepted answers (plus its warm-up's)`,
});

/** Job ids enqueued, and how often each ended (succeeded, failed, dead, cancelled). */
async function jobEnds(path: string) {
  const enqueued = new Set<string>();
  const ended = new Map<string, number>();
  const file = await Deno.open(path);
  let rest = "";
  const take = (line: string) => {
    if (line.includes('"job.enqueued"')) enqueued.add(JSON.parse(line).job_id);
    else if (/"job\.(?:succeeded|failed|dead|cancelled)"/.test(line)) {
      const id = JSON.parse(line).job_id as string;
      ended.set(id, (ended.get(id) ?? 0) + 1);
    }
  };
  for await (const chunk of file.readable.pipeThrough(new TextDecoderStream())) {
    const lines = (rest + chunk).split("\n");
    rest = lines.pop()!;
    for (const line of lines) take(line);
  }
  if (rest) take(rest);
  return { enqueued, ended };
}
