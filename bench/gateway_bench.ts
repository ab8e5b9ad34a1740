/**
 * @module
 * `POST /task` throughput and latency of the gateway (memory queue, echo skill running in the
 * same process) against a bare `Deno.serve` 202 handler measured in the same run. Load comes
 * from a separate process on loopback.
 */
import { emit } from "./report.ts";
import { runLoad, startGateway, startServer } from "./_process.ts";

const SECONDS = Number(Deno.env.get("BENCH_SECONDS") ?? 5);
const CONNECTIONS = 32;
const body = JSON.stringify({ text: "echo benchmark", source: "api" });

const bare = await startServer([
  "run",
  "--allow-net",
  new URL("./bare_server.ts", import.meta.url).pathname,
]);
const baseline = await runLoad(bare.url, { seconds: SECONDS, connections: CONNECTIONS, body });
await bare.stop();

const dir = await Deno.makeTempDir();
const gateway = await startGateway(dir, ["--queue", "memory"]);
const result = await runLoad(`${gateway.url}/task`, {
  seconds: SECONDS,
  connections: CONNECTIONS,
  body,
  uniqueUtterances: true,
});
await gateway.stop();
await Deno.remove(dir, { recursive: true });

emit({
  bench: "gateway",
  name: "POST /task throughput (memory queue, echo)",
  value: Math.round(result.rps),
  unit: "req/s",
  baseline: { name: "bare Deno.serve 202", value: Math.round(baseline.rps), unit: "req/s" },
  ratio: result.rps / baseline.rps,
  notes: `${CONNECTIONS} connections, ${SECONDS} s, errors ${result.errors}`,
});
emit({
  bench: "gateway",
  name: "POST /task latency p50",
  value: result.p50_ms,
  unit: "ms",
  baseline: { name: "bare Deno.serve 202 p50", value: baseline.p50_ms, unit: "ms" },
  ratio: result.p50_ms / baseline.p50_ms,
});
emit({
  bench: "gateway",
  name: "POST /task latency p99",
  value: result.p99_ms,
  unit: "ms",
  baseline: { name: "bare Deno.serve 202 p99", value: baseline.p99_ms, unit: "ms" },
  ratio: result.p99_ms / baseline.p99_ms,
});
