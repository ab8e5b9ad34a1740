/**
 * @module
 * `POST /task` throughput and latency of the gateway against a bare `Deno.serve` handler that
 * reads the body and answers 202, measured in the same run. Load comes from a separate process on
 * loopback (32 connections).
 *
 * The host is shared and its speed drifts by the minute (the bare handler has measured anywhere
 * from 9,000 to 20,000 req/s within one run), so the configurations run in rounds, one after
 * another inside each round (HTTP only, durable default, memory with the engine, durable default
 * with the gateway's own utterance ids), with a bare run
 * before each and one more at the end: each configuration's ratio is to the mean of the two bare
 * runs on either side of it, and every figure is the median of those ratios over the rounds.
 * Configurations:
 * - HTTP only: `--no-engine --queue memory` (routing, validation, tracing, metrics, enqueue);
 * - durable default: `--queue kv` with the engine running the echo jobs in the same process;
 * - memory with the engine: `--queue memory`, echo jobs in the same process;
 * - durable default with the gateway's ids: the same as the durable default, but the requests
 *   carry no `utterance_id` (the others each carry one of their own; see `GATEWAY_IDS`).
 */
import { emit, percentile } from "./report.ts";
import { liveTreeTicks, runLoad, startGateway, startServer, treeTicks } from "./_process.ts";
import { sampleThreads, type ThreadKind, threadUse } from "./thread_cpu.ts";

const SECONDS = Number(Deno.env.get("BENCH_SECONDS") ?? 5);
const ROUNDS = Number(Deno.env.get("BENCH_ROUNDS") ?? 3);
const CONNECTIONS = 32;
const body = JSON.stringify({ text: "echo benchmark", source: "api" });

/**
 * A load run, with the CPU the server used during it per request answered (µs), and for the
 * gateway the same by kind of thread and the share of the run its main thread spent runnable
 * but waiting for a core.
 */
type Load = Awaited<ReturnType<typeof runLoad>> & {
  cpu_us: number;
  jobs_done?: number;
  threads_us?: Record<ThreadKind, number>;
  main_wait?: number;
};
const TICKS_PER_SECOND = 100; // Linux USER_HZ

async function measured(
  pid: number,
  load: () => ReturnType<typeof runLoad>,
  byThread = false,
): Promise<Load> {
  const before = await liveTreeTicks(pid);
  const threadsBefore = byThread ? await sampleThreads(pid) : undefined;
  const started = performance.now();
  const result = await load();
  const wallNs = (performance.now() - started) * 1e6;
  const ticks = (await treeTicks(pid)) - before;
  // The load client's warm-up is not in `requests`; its share of the CPU is taken off in
  // proportion to time (warm-up + measured seconds).
  const warmup = Math.min(1, SECONDS * 0.2);
  const share = SECONDS / (SECONDS + warmup);
  const perRequest = (t: number) =>
    (1e6 * (t / TICKS_PER_SECOND) * share) / Math.max(1, result.requests);
  const out: Load = { ...result, cpu_us: perRequest(ticks) };
  if (threadsBefore) {
    const use = threadUse(threadsBefore, await sampleThreads(pid));
    out.threads_us = Object.fromEntries(
      Object.entries(use.ticks).map(([kind, t]) => [kind, perRequest(t)]),
    ) as Record<ThreadKind, number>;
    out.main_wait = use.mainWaitNs / wallNs;
  }
  return out;
}
const CONFIGS = {
  http: ["--no-engine", "--queue", "memory"],
  kv: ["--queue", "kv"],
  memory: ["--queue", "memory"],
  "kv-gateway-ids": ["--queue", "kv"],
} as const;
/**
 * Configurations whose load carries no `utterance_id`, so that the gateway makes each one (a
 * ULID, as the edge sends too). The others post ids of their own, `load-<pid>-<connection>-<n>`:
 * 32 runs of ids that interleave in the kv store's key order, each commit writing a page of each
 * run it touches (and of Deno KV's expiration index beside it), where ULIDs all go at the end.
 */
const GATEWAY_IDS: ReadonlySet<Config> = new Set(["kv-gateway-ids"]);
type Config = keyof typeof CONFIGS;

async function bareRun(): Promise<Load> {
  const bare = await startServer([
    "run",
    "--allow-net",
    new URL("./bare_server.ts", import.meta.url).pathname,
  ]);
  try {
    return await measured(
      bare.child.pid,
      () => runLoad(bare.url, { seconds: SECONDS, connections: CONNECTIONS, body }),
    );
  } finally {
    await bare.stop();
  }
}

async function gatewayRun(config: Config): Promise<Load> {
  const dir = await Deno.makeTempDir();
  const gateway = await startGateway(dir, [...CONFIGS[config]]);
  try {
    const load = await measured(
      gateway.child.pid,
      () =>
        runLoad(`${gateway.url}/task`, {
          seconds: SECONDS,
          connections: CONNECTIONS,
          body,
          uniqueUtterances: !GATEWAY_IDS.has(config),
        }),
      true,
    );
    // How much of the work the requests queued was done inside the window: an engine that
    // left every job for later would make the same throughput look cheaper than it is.
    return { ...load, jobs_done: await jobsCompleted(gateway.url) };
  } finally {
    await gateway.stop();
    await Deno.remove(dir, { recursive: true });
  }
}

/** `orchestrator_jobs_completed_total` over every intent, from the gateway's /metrics. */
async function jobsCompleted(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return text.split("\n").filter((l) => l.startsWith("orchestrator_jobs_completed_total"))
    .reduce((n, l) => n + Number(l.slice(l.lastIndexOf(" ") + 1)), 0);
}

/** Every bare run, in order: one before each configuration's run and one after the last. */
const bare: Load[] = [];
const runs: Record<Config, Load[]> = { http: [], kv: [], memory: [], "kv-gateway-ids": [] };
const CONFIG_ORDER = Object.keys(CONFIGS) as Config[];
for (let round = 0; round < ROUNDS; round++) {
  for (const config of CONFIG_ORDER) {
    bare.push(await bareRun());
    runs[config].push(await gatewayRun(config));
  }
  if (round === ROUNDS - 1) bare.push(await bareRun());
  console.error(
    `round ${round + 1}/${ROUNDS}: ` +
      CONFIG_ORDER.map((c) =>
        `${c} ${Math.round(runs[c][round]!.rps)} (bare ${Math.round(bracket(c, round))})`
      ).join(", ") + " req/s",
  );
}

/** The bare baseline of a configuration's run: the mean of the bare runs just before and after. */
function bracket(config: Config, round: number): number {
  const i = round * CONFIG_ORDER.length + CONFIG_ORDER.indexOf(config);
  const after = bare[i + 1] ?? bare[i]!;
  return (bare[i]!.rps + after.rps) / 2;
}

const median = (xs: number[]) => percentile(xs, 50);
const bareRps = median(bare.map((b) => b.rps));
const spread = (xs: number[]) => `${Math.round(Math.min(...xs))}–${Math.round(Math.max(...xs))}`;

function throughput(config: Config, name: string, goal?: number): void {
  const ratios = runs[config].map((r, round) => r.rps / bracket(config, round));
  const ratio = median(ratios);
  const errors = runs[config].reduce((n, r) => n + r.errors, 0);
  emit({
    bench: "gateway",
    name,
    value: Math.round(median(runs[config].map((r) => r.rps))),
    unit: "req/s",
    baseline: { name: "bare Deno.serve 202", value: Math.round(bareRps), unit: "req/s" },
    ratio,
    ...(goal !== undefined ? { goal: `≥ ${goal}× bare`, met: ratio >= goal } : {}),
    notes:
      `median of ${ROUNDS} rounds, each against the bare runs on either side (ratio per round: ${
        ratios.map((r) => r.toFixed(3)).join(", ")
      }; bare ${
        spread(bare.map((b) => b.rps))
      } req/s); ${CONNECTIONS} connections, ${SECONDS} s, ` +
      `errors ${errors}`,
  });
}

throughput("http", "POST /task throughput, HTTP only (--no-engine, memory queue)", 0.35);
throughput("kv", "POST /task throughput, durable default (kv, engine on, echo jobs)", 0.15);
throughput("memory", "POST /task throughput (memory queue, echo)");
throughput(
  "kv-gateway-ids",
  "POST /task throughput, durable default, utterance ids made by the gateway (ULIDs)",
);

// CPU the server spends per request answered: on a shared host, throughput follows the CPU
// share each process gets (and the bare server is limited by the load client, not its own CPU),
// while this follows the work a request costs, for comparing one version with another.
const bareCpu = median(bare.map((b) => b.cpu_us));
for (
  const [config, label] of [["http", "HTTP only"], [
    "kv",
    "durable default (kv, engine on)",
  ]] as const
) {
  const cpu = median(runs[config].map((r) => r.cpu_us));
  emit({
    bench: "gateway",
    name: `POST /task CPU per request, ${label}`,
    value: cpu,
    unit: "µs",
    baseline: { name: "bare Deno.serve 202", value: bareCpu, unit: "µs" },
    ratio: bareCpu / cpu,
    notes: `ratio = bare CPU / gateway CPU per request; ` +
      `process and its threads, /proc utime+stime, medians over ${ROUNDS} rounds`,
  });
}
// The same CPU by kind of thread, and how long the event loop waited for a core: the gateway's
// threads and the load client share two cores, so work on any thread slows the main one.
const KIND_LABELS: [ThreadKind, string][] = [
  ["kv store", "Deno KV's SQLite thread"],
  ["web workers", "Web Workers (trace store, skills)"],
  ["v8 helpers", "V8 helper threads (GC, compiler)"],
  ["other", "other threads"],
];
for (
  const [config, label] of [["http", "HTTP only"], [
    "kv",
    "durable default (kv, engine on)",
  ]] as const
) {
  const of = (kind: ThreadKind) => median(runs[config].map((r) => r.threads_us?.[kind] ?? 0));
  const main = of("main");
  emit({
    bench: "gateway",
    name: `POST /task CPU per request on the main thread, ${label}`,
    value: main,
    unit: "µs",
    notes: `the rest of the process, per request: ${
      KIND_LABELS.map(([kind, name]) => `${name} ${of(kind).toFixed(1)} µs`).join(", ")
    }; /proc per thread, medians over ${ROUNDS} rounds`,
  });
  emit({
    bench: "gateway",
    name: `main thread runnable but waiting for a core, ${label}`,
    value: Math.round(median(runs[config].map((r) => r.main_wait ?? 0)) * 1000) / 10,
    unit: "% of the run",
    notes: `/proc schedstat run-queue time over the load's wall time (warm-up included), ` +
      `medians over ${ROUNDS} rounds`,
  });
}
for (
  const [config, label] of [["kv", "durable default (kv)"], ["memory", "memory queue"]] as const
) {
  const shares = runs[config].map((r) => (r.jobs_done ?? 0) / Math.max(1, r.requests));
  emit({
    bench: "gateway",
    name: `jobs finished inside the load window per request answered, ${label}`,
    value: Math.round(median(shares) * 1000) / 10,
    unit: "%",
    notes:
      `engine on, echo jobs, the warm-up second included; the rest are still queued when the load stops (per round: ${
        shares.map((x) => (x * 100).toFixed(1)).join(", ")
      } %)`,
  });
}
for (const p of [50, 99] as const) {
  const key = p === 50 ? "p50_ms" : "p99_ms";
  const target = median(runs.http.map((r) => r[key]));
  const base = median(bare.map((b) => b[key]));
  emit({
    bench: "gateway",
    name: `POST /task latency p${p}, HTTP only`,
    value: target,
    unit: "ms",
    baseline: { name: `bare Deno.serve 202 p${p}`, value: base, unit: "ms" },
    ratio: target / base,
    notes: `medians over ${ROUNDS} rounds`,
  });
}
