/**
 * @module
 * HTTP load generator run as its own process, so that the server under test does not share an
 * event loop with the load. Prints one JSON line: requests, rps, p50/p99 latency, errors.
 *
 * Usage: deno run --allow-net bench/load_client.ts URL [--seconds 5] [--connections 32]
 *          [--body JSON] [--unique-utterances] [--token T]
 */
import { parseArgs } from "node:util";
import { percentile } from "./report.ts";

const { values, positionals } = parseArgs({
  args: Deno.args,
  allowPositionals: true,
  options: {
    seconds: { type: "string", default: "5" },
    connections: { type: "string", default: "32" },
    body: { type: "string" },
    "unique-utterances": { type: "boolean", default: false },
    token: { type: "string" },
    rate: { type: "string" },
  },
});
const url = positionals[0];
if (!url) {
  console.error("usage: load_client.ts URL [--seconds N] [--connections N] [--body JSON]");
  Deno.exit(2);
}
const seconds = Number(values.seconds);
/** Target requests per second over all connections (0 = as fast as possible). */
const rate = Number(values.rate ?? 0);
const connections = Number(values.connections);
const template = values.body;
const headers: Record<string, string> = { "content-type": "application/json" };
if (values.token) headers.authorization = `Bearer ${values.token}`;

const latencies: number[] = [];
const statuses = new Map<number, number>();
let errors = 0;
let seq = 0;
const warmupUntil = performance.now() + Math.min(1000, seconds * 200);
const until = warmupUntil + seconds * 1000;

let issued = 0;
const pacingStart = performance.now();
async function connection(id: number): Promise<void> {
  while (performance.now() < until) {
    if (rate > 0) {
      // Steady load: the n-th request of the run is due at n / rate seconds.
      const due = pacingStart + (issued++ / rate) * 1000;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    let body = template;
    if (body && values["unique-utterances"]) {
      const parsed = JSON.parse(body);
      parsed.utterance_id = `load-${Deno.pid}-${id}-${seq++}`;
      body = JSON.stringify(parsed);
    }
    const started = performance.now();
    try {
      const res = await fetch(url!, body ? { method: "POST", body, headers } : { headers });
      await res.arrayBuffer();
      const took = performance.now() - started;
      if (started >= warmupUntil) {
        latencies.push(took);
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      }
    } catch {
      if (started >= warmupUntil) errors++;
    }
  }
}

await Promise.all(Array.from({ length: connections }, (_, i) => connection(i)));
const ok = [...statuses.entries()].filter(([s]) => s < 400).reduce((n, [, c]) => n + c, 0);
console.log(JSON.stringify({
  requests: latencies.length,
  ok,
  errors: errors + latencies.length - ok,
  rps: latencies.length / seconds,
  p50_ms: percentile(latencies, 50),
  p99_ms: percentile(latencies, 99),
  statuses: Object.fromEntries(statuses),
}));
