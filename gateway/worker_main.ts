/**
 * @module
 * `deno task worker`: the execution engine without HTTP. With `--queue redis`, any number of
 * these and of gateways (`--no-engine` or not) share one queue; each job runs to a final state
 * once. Takes the gateway's flags (host and port are ignored).
 */
import { getLogger } from "@logtape/logtape";
import { join } from "node:path";
import { setupLogging } from "@shared/logging/mod.ts";
import { GATEWAY_HELP, parseGatewayFlags, UsageError } from "./cli.ts";
import { startRuntime, startupErrorLine } from "./runtime.ts";

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
    console.log(
      GATEWAY_HELP.replace("Voice-to-agent orchestration gateway", "Execution engine without HTTP")
        .replace("deno task gateway", "deno task worker"),
    );
    return 0;
  }
  const disposeLogging = await setupLogging({
    logFile: join(flags.logs_dir, `worker-${Deno.pid}.jsonl`),
    level: flags.log_level,
  });
  const log = getLogger(["gateway", "worker"]);
  let runtime;
  try {
    runtime = await startRuntime(flags, { engine: true, role: "worker" });
  } catch (err) {
    console.error(startupErrorLine(err));
    await disposeLogging();
    return 1;
  }
  console.log(JSON.stringify({ event: "worker_started", pid: Deno.pid, queue: flags.queue }));
  log.info("Worker running (queue {queue}, skills {skills})", {
    queue: flags.queue,
    skills: runtime.skillSet.skills.map((s) => s.intent).join(","),
  });
  const done = Promise.withResolvers<void>();
  const stop = async (signal: string) => {
    log.info("Received {signal}: draining", { signal });
    await runtime.close(10_000);
    await disposeLogging();
    done.resolve();
  };
  Deno.addSignalListener("SIGINT", () => void stop("SIGINT"));
  if (Deno.build.os !== "windows") Deno.addSignalListener("SIGTERM", () => void stop("SIGTERM"));
  await done.promise;
  return 0;
}

if (import.meta.main) Deno.exit(await main());
