/**
 * @module
 * Where the gateway's CPU goes under the benchmark's load: starts `gateway/main.ts` with
 * `--cpu-prof` and its shipped permissions, runs the load client against `POST /task`, stops it
 * and prints, for the main thread and each worker thread, the self time per function and per file
 * (idle left out), with the CPU per request the process and its threads used. Profile time is
 * sampled wall time while a thread is not idle: a native call waiting on the disk (SQLite in the
 * trace store's worker) counts in full, though it uses little CPU.
 *
 * Usage: deno run --allow-read --allow-write --allow-run --allow-net --allow-env
 *          bench/gateway_profile.ts [--config http|kv|kv-http|memory] [--seconds 5] [--top 25]
 *          [--text "echo benchmark"] [--keep DIR]
 */
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { gatewayArgs, ownTicks, runLoad, spawnDeno } from "./_process.ts";
import { CpuProfile, formatCosts, summarizeProfile } from "./cpu_profile.ts";

const CONFIGS: Record<string, string[]> = {
  http: ["--no-engine", "--queue", "memory"],
  kv: ["--queue", "kv"],
  "kv-http": ["--no-engine", "--queue", "kv"],
  memory: ["--queue", "memory"],
};
const HELP = `deno run --allow-read --allow-write --allow-run --allow-net --allow-env \\
  bench/gateway_profile.ts [--config http|kv|kv-http|memory] [--seconds 5] [--top 25] [--text T] [--keep DIR]

Profiles the gateway under the gateway benchmark's load (32 connections, a new utterance per
request) and prints the self time per function and per file of each thread (sampled time while
not idle: a native call waiting on the disk counts in full).
  --config   http: --no-engine --queue memory (default); kv: the durable default;
             kv-http: --no-engine --queue kv; memory
  --text     the utterance posted (default "echo benchmark")
  --keep     write the .cpuprofile files to DIR instead of a temporary directory`;

const { values } = parseArgs({
  args: Deno.args,
  options: {
    config: { type: "string", default: "http" },
    seconds: { type: "string", default: "5" },
    top: { type: "string", default: "25" },
    text: { type: "string", default: "echo benchmark" },
    keep: { type: "string" },
    help: { type: "boolean", short: "h" },
  },
});
if (values.help) {
  console.log(HELP);
  Deno.exit(0);
}
const config = CONFIGS[values.config];
const seconds = Number(values.seconds);
const top = Number(values.top);
if (!config || !(seconds > 0) || !(top > 0)) {
  console.error(
    `Invalid arguments: --config must be http, kv, kv-http or memory (got '${values.config}'), ` +
      `--seconds and --top positive numbers (got '${values.seconds}', '${values.top}')`,
  );
  Deno.exit(2);
}

const dir = await Deno.makeTempDir({ prefix: "gateway-profile-" });
const profiles = values.keep ?? `${dir}/profiles`;
await Deno.mkdir(profiles, { recursive: true });
const args = gatewayArgs(dir, 0, config);
args.splice(1, 0, "--cpu-prof", `--cpu-prof-dir=${profiles}`);
const gateway = await spawnDeno(args, { ready: "listening" });
let requests = 0;
let ticks = 0;
try {
  const before = await ownTicks(gateway.child.pid);
  const body = JSON.stringify({ text: values.text, source: "api" });
  const load = await runLoad(`${gateway.info.url}/task`, {
    seconds,
    connections: 32,
    body,
    uniqueUtterances: true,
  });
  ticks = (await ownTicks(gateway.child.pid)) - before;
  requests = load.requests;
  console.log(
    `${load.requests} requests in ${seconds} s (${
      Math.round(load.rps)
    } req/s, ${load.errors} errors)`,
  );
} finally {
  await gateway.stop(); // SIGTERM: the gateway stops cleanly and the profiles are written
}
// The load client's warm-up (a fifth of the time, at most 1 s) is in the ticks, not the count.
const warm = seconds / (seconds + Math.min(1, seconds * 0.2));
if (Number.isFinite(ticks)) {
  const us = Math.round((ticks / 100) * warm * 1e6 / Math.max(1, requests));
  console.log(`CPU per request, process and all its threads (profiler included): ${us} µs`);
}
const root = fileURLToPath(new URL("..", import.meta.url));
for (const entry of [...Deno.readDirSync(profiles)].sort((a, b) => a.name.localeCompare(b.name))) {
  if (!entry.name.endsWith(".cpuprofile")) continue;
  const raw = JSON.parse(await Deno.readTextFile(`${profiles}/${entry.name}`));
  const summary = summarizeProfile(CpuProfile.parse(raw), { top, root: `file://${root}` });
  const thread = /\.(worker-\d+)\.cpuprofile$/.exec(entry.name)?.[1] ?? "main";
  console.log(
    `\n== ${thread}: ${summary.busyMs.toFixed(0)} ms busy, ` +
      `about ${(summary.busyMs * 1000 * warm / Math.max(1, requests)).toFixed(0)} µs per request`,
  );
  console.log(`-- by function\n${formatCosts(summary.byFunction)}`);
  console.log(`-- by file\n${formatCosts(summary.byFile)}`);
}
if (values.keep) console.log(`\nprofiles kept in ${values.keep}`);
await Deno.remove(dir, { recursive: true });
