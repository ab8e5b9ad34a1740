/**
 * @module
 * `deno task worker`: the execution engine without HTTP. With `--queue redis`, any number of
 * these and of gateways (`--no-engine` or not) share one queue; each job runs to a final state
 * once. Takes the gateway's flags (host and port are ignored).
 */
import { getLogger } from "@logtape/logtape";
import { join } from "node:path";
import { GATEWAY_HELP } from "./cli.ts";
import { launch, onStopSignal } from "./launch.ts";

async function main(): Promise<number> {
  const launched = await launch({
    role: "worker",
    help: GATEWAY_HELP.replace(
      "Voice-to-agent orchestration gateway",
      "Execution engine without HTTP",
    )
      .replace("deno task gateway", "deno task worker"),
    logFile: (flags) => join(flags.logs_dir, `worker-${Deno.pid}.jsonl`),
    engine: () => true,
  });
  if (typeof launched === "number") return launched;
  const { flags, runtime, disposeLogging } = launched;
  const log = getLogger(["gateway", "worker"]);
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
  onStopSignal((signal) => void stop(signal));
  await done.promise;
  return 0;
}

if (import.meta.main) Deno.exit(await main());
