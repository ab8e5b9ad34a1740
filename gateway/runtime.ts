/**
 * @module
 * Builds a running gateway from flags: queue, tracer (JSONL + libSQL), metrics, skills and
 * engine. `main.ts` serves it over HTTP; `worker_main.ts` runs only the engine.
 */
import { join, resolve } from "node:path";
import type { GatewayFlags } from "./cli.ts";
import { openQueue } from "./queue/open_queue.ts";
import type { JobQueue } from "./queue/queue.ts";
import { Tracer } from "./traces/tracer.ts";
import { JsonlTraceSink } from "./traces/jsonl_sink.ts";
import { WorkerLibsqlTraceSink } from "./traces/worker_libsql_sink.ts";
import { Metrics } from "./metrics/metrics.ts";
import { createSkillSet, type SkillSet } from "./skills/registry.ts";
import { Engine } from "./engine/engine.ts";
import type { SkillContext } from "./skill_kit/skill.ts";

export interface GatewayRuntime {
  queue: JobQueue;
  tracer: Tracer;
  metrics: Metrics;
  skillSet: SkillSet;
  engine: Engine | undefined;
  dataDir: string;
  close(graceMs?: number): Promise<void>;
}

/**
 * One line for a start-up failure the operator can fix (an unreachable Redis, a data folder
 * that cannot be written), instead of a stack trace.
 */
export function startupErrorLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return `error: cannot start: ${message.split("\n")[0]}`;
}

export async function startRuntime(
  flags: GatewayFlags,
  options: { engine: boolean; role: "gateway" | "worker" },
): Promise<GatewayRuntime> {
  const dataDir = resolve(flags.data_dir);
  await Deno.mkdir(dataDir, { recursive: true });
  await Deno.mkdir(flags.logs_dir, { recursive: true });
  const queue = await openQueue({ backend: flags.queue, dataDir, redisUrl: flags.redis_url });
  const tracesFile = options.role === "gateway"
    ? "orchestrator-traces.jsonl"
    : `orchestrator-worker-${Deno.pid}-traces.jsonl`;
  const tracer = new Tracer([
    new JsonlTraceSink(join(flags.logs_dir, tracesFile)),
    new WorkerLibsqlTraceSink({
      url: flags.traces_url ?? `file:${join(dataDir, "traces.sqlite")}`,
      ...(Deno.env.get("TRACES_AUTH_TOKEN")
        ? { authToken: Deno.env.get("TRACES_AUTH_TOKEN")! }
        : {}),
    }),
  ]);
  const metrics = new Metrics(() => queue.depth(), tracer);
  const settings: SkillContext["settings"] = {
    workspace: flags.workspace,
    max_cost_usd: flags.max_cost_usd,
  };
  const skillContext: SkillContext = {
    dataDir,
    env: (name) => Deno.env.get(name),
    settings,
  };
  const skillSet = createSkillSet({
    ...(flags.skills ? { only: flags.skills } : {}),
    skillContext,
  });
  let engine: Engine | undefined;
  if (options.engine) {
    engine = new Engine({
      queue,
      skills: skillSet.skills,
      skillContext,
      tracer,
      metrics,
      dataDir,
      concurrency: flags.concurrency,
      leaseMs: flags.lease_ms,
      // With --skills, jobs of other intents belong to the processes that run them.
      claimUnknownIntents: !flags.skills,
      confirmationTimeoutMs: flags.confirm_timeout_ms,
      ...(flags.max_cost_usd !== undefined ? { maxCostUsdPerJob: flags.max_cost_usd } : {}),
      ...(flags.max_cost_usd_per_utterance !== undefined
        ? { maxCostUsdPerUtterance: flags.max_cost_usd_per_utterance }
        : {}),
    });
    engine.start();
  }
  return {
    queue,
    tracer,
    metrics,
    skillSet,
    engine,
    dataDir,
    async close(graceMs = 10_000) {
      await engine?.stop({ graceMs });
      await skillSet.close();
      await tracer.close();
      await queue.close();
    },
  };
}
