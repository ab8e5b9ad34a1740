/**
 * @module
 * `POST /task` throughput and latency of the gateway against a bare `Deno.serve` handler that
 * reads the body and answers 202, measured in the same run. Load comes from a separate process on
 * loopback (32 connections).
 *
 * The host is shared and its speed drifts by the minute, so the configurations run in rounds,
 * one after another inside each round (bare, HTTP only, durable default, memory with the engine),
 * and every figure is the median over the rounds of its ratio to that round's bare baseline.
 * Configurations:
 * - HTTP only: `--no-engine --queue memory` (routing, validation, tracing, metrics, enqueue);
 * - durable default: `--queue kv` with the engine running the echo jobs in the same process;
 * - memory with the engine: `--queue memory`, echo jobs in the same process.
 */
import { emit, percentile } from "./report.ts";
import { runLoad, startGateway, startServer } from "./_process.ts";

const SECONDS = Number(Deno.env.get("BENCH_SECONDS") ?? 5);
const ROUNDS = Number(Deno.env.get("BENCH_ROUNDS") ?? 3);
const CONNECTIONS = 32;
const body = JSON.stringify({ text: "echo benchmark", source: "api" });

type Load = Awaited<ReturnType<typeof runLoad>>;
const CONFIGS = {
  http: ["--no-engine", "--queue", "memory"],
  kv: ["--queue", "kv"],
  memory: ["--queue", "memory"],
} as const;
type Config = keyof typeof CONFIGS;

async function bareRun(): Promise<Load> {
  const bare = await startServer([
    "run",
    "--allow-net",
    new URL("./bare_server.ts", import.meta.url).pathname,
  ]);
  try {
    return await runLoad(bare.url, { seconds: SECONDS, connections: CONNECTIONS, body });
  } finally {
    await bare.stop();
  }
}

async function gatewayRun(config: Config): Promise<Load> {
  const dir = await Deno.makeTempDir();
  const gateway = await startGateway(dir, [...CONFIGS[config]]);
  try {
    return await runLoad(`${gateway.url}/task`, {
      seconds: SECONDS,
      connections: CONNECTIONS,
      body,
      uniqueUtterances: true,
    });
  } finally {
    await gateway.stop();
    await Deno.remove(dir, { recursive: true });
  }
}

const bare: Load[] = [];
const runs: Record<Config, Load[]> = { http: [], kv: [], memory: [] };
for (let round = 0; round < ROUNDS; round++) {
  bare.push(await bareRun());
  for (const config of Object.keys(CONFIGS) as Config[]) {
    runs[config].push(await gatewayRun(config));
  }
  console.error(
    `round ${round + 1}/${ROUNDS}: bare ${Math.round(bare[round]!.rps)} req/s, ` +
      (Object.keys(CONFIGS) as Config[]).map((c) => `${c} ${Math.round(runs[c][round]!.rps)}`)
        .join(", "),
  );
}

const median = (xs: number[]) => percentile(xs, 50);
const bareRps = median(bare.map((b) => b.rps));
const spread = (xs: number[]) => `${Math.round(Math.min(...xs))}–${Math.round(Math.max(...xs))}`;

function throughput(config: Config, name: string, goal?: number): void {
  const ratios = runs[config].map((r, i) => r.rps / bare[i]!.rps);
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
    notes: `median of ${ROUNDS} alternating rounds (ratio per round: ${
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
