/**
 * @module
 * `deno task gateway`: serves the HTTP API and runs the execution engine in one process.
 * Stops gracefully on SIGINT/SIGTERM: no new requests, running jobs get a grace period,
 * sinks are flushed.
 */
import { getLogger } from "@logtape/logtape";
import { join } from "node:path";
import { GATEWAY_HELP } from "./cli.ts";
import { createApp } from "./app.ts";
import { launch, onStopSignal } from "./launch.ts";
import { routingFromEnv } from "./router/routing_from_env.ts";

const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost"]);

async function main(): Promise<number> {
  const token = Deno.env.get("GATEWAY_TOKEN") || undefined;
  const launched = await launch({
    role: "gateway",
    help: GATEWAY_HELP,
    logFile: (flags) => join(flags.logs_dir, "gateway.jsonl"),
    engine: (flags) => flags.engine,
    refuse: (flags) =>
      !LOOPBACK.has(flags.host) && !token
        ? `refusing to listen on ${flags.host} without GATEWAY_TOKEN: set a token, or use --host 127.0.0.1`
        : undefined,
  });
  if (typeof launched === "number") return launched;
  const { flags, runtime, disposeLogging } = launched;
  const log = getLogger(["gateway"]);
  let listening: { hostname: string; port: number } | undefined;
  const app = createApp({
    queue: runtime.queue,
    tracer: runtime.tracer,
    metrics: runtime.metrics,
    skills: runtime.skillSet.registered,
    route: routingFromEnv(runtime.skillSet.registered, flags.router, (n) => Deno.env.get(n)),
    ...(runtime.engine ? { engine: runtime.engine } : {}),
    ...(token ? { token } : {}),
    dataDir: runtime.dataDir,
    workspace: flags.workspace,
    rateLimitPerSecond: flags.rate_limit,
    webSafety: {
      allowedHosts: flags.allowed_host,
      allowOrigins: flags.allow_origin,
      listening: () => listening,
    },
    maxAttempts: (intent) =>
      runtime.skillSet.registered.find((s) => s.intent === intent)?.retry.attempts ?? 1,
  });
  const shutdown = new AbortController();
  const server = Deno.serve({
    hostname: flags.host,
    port: flags.port,
    signal: shutdown.signal,
    onListen: ({ hostname, port }) => {
      listening = { hostname, port };
      const url = `http://${hostname.includes(":") ? `[${hostname}]` : hostname}:${port}`;
      // One machine-readable line on stdout so scripts and tests learn the port.
      console.log(JSON.stringify({ event: "listening", url, queue: flags.queue }));
      log.info("Gateway listening on {url} (queue {queue}, skills {skills})", {
        url,
        queue: flags.queue,
        skills: runtime.skillSet.skills.map((s) => s.intent).join(","),
      });
    },
  }, app.fetch);

  const stop = async (signal: string) => {
    log.info("Received {signal}: stopping", { signal });
    shutdown.abort();
    await server.finished;
    await runtime.close(10_000);
    log.info("Gateway stopped");
    await disposeLogging();
    Deno.exit(0);
  };
  onStopSignal((signal) => void stop(signal));
  await server.finished;
  return 0;
}

if (import.meta.main) {
  const code = await main();
  if (code !== 0) Deno.exit(code);
}
