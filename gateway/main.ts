/**
 * @module
 * `deno task gateway`: serves the HTTP API and runs the execution engine in one process.
 * Stops gracefully on SIGINT/SIGTERM: no new requests, running jobs get a grace period,
 * sinks are flushed.
 */
import { getLogger } from "@logtape/logtape";
import { join } from "node:path";
import { setupLogging } from "@shared/logging/mod.ts";
import { GATEWAY_HELP, parseGatewayFlags, UsageError } from "./cli.ts";
import { createApp } from "./app.ts";
import { startRuntime, startupErrorLine } from "./runtime.ts";
import { routingFromEnv } from "./router/routing_from_env.ts";

const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost"]);

async function main(): Promise<number> {
  let flags;
  try {
    flags = parseGatewayFlags(Deno.args, (n) => Deno.env.get(n));
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`error: ${err.message}`);
      return 2;
    }
    throw err;
  }
  if (flags.help) {
    console.log(GATEWAY_HELP);
    return 0;
  }
  const token = Deno.env.get("GATEWAY_TOKEN") || undefined;
  if (!LOOPBACK.has(flags.host) && !token) {
    console.error(
      `error: refusing to listen on ${flags.host} without GATEWAY_TOKEN: set a token, or use --host 127.0.0.1`,
    );
    return 2;
  }
  const disposeLogging = await setupLogging({
    logFile: join(flags.logs_dir, "gateway.jsonl"),
    level: flags.log_level,
  });
  const log = getLogger(["gateway"]);
  let runtime;
  try {
    runtime = await startRuntime(flags, { engine: flags.engine, role: "gateway" });
  } catch (err) {
    console.error(startupErrorLine(err));
    await disposeLogging();
    return 1;
  }
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
  Deno.addSignalListener("SIGINT", () => void stop("SIGINT"));
  if (Deno.build.os !== "windows") Deno.addSignalListener("SIGTERM", () => void stop("SIGTERM"));
  await server.finished;
  return 0;
}

if (import.meta.main) {
  const code = await main();
  if (code !== 0) Deno.exit(code);
}
