/**
 * @module
 * Helpers for benchmarks that start servers as subprocesses and read their listening line
 * (on the process helpers of `shared/testing/process.ts`).
 */
import { shippedPermissions } from "@shared/task_permissions.ts";
import { spawnDeno } from "@shared/testing/process.ts";
import { readProcess } from "./thread_cpu.ts";

/** `deno task gateway`'s own permissions, so the benchmarks measure what ships. */
export const GATEWAY_PERMISSIONS = await shippedPermissions("gateway");

export { type DenoProcess, freePort, liveProcesses, spawnDeno } from "@shared/testing/process.ts";

export interface ServerProcess {
  url: string;
  child: Deno.ChildProcess;
  stop(): Promise<void>;
}

/** Starts `deno <args>` and waits for its `{"event":"listening","url":...}` line on stdout. */
export async function startServer(
  args: string[],
  env: Record<string, string> = {},
): Promise<ServerProcess> {
  const proc = await spawnDeno(args, { ready: "listening", env });
  const url = proc.info.url;
  if (typeof url !== "string") {
    await proc.stop();
    throw new Error(`server ${args.join(" ")} announced no url: ${JSON.stringify(proc.info)}`);
  }
  return {
    url,
    child: proc.child,
    async stop() {
      await proc.stop();
    },
  };
}

/** Runs the load client as its own process and returns its JSON summary. */
export async function runLoad(url: string, options: {
  seconds: number;
  connections: number;
  body?: string;
  uniqueUtterances?: boolean;
  rate?: number;
}): Promise<
  { requests: number; ok: number; errors: number; rps: number; p50_ms: number; p99_ms: number }
> {
  const args = [
    "run",
    "--allow-net",
    new URL("./load_client.ts", import.meta.url).pathname,
    url,
    "--seconds",
    String(options.seconds),
    "--connections",
    String(options.connections),
  ];
  if (options.body) args.push("--body", options.body);
  if (options.uniqueUtterances) args.push("--unique-utterances");
  if (options.rate) args.push("--rate", String(options.rate));
  const out = await new Deno.Command(Deno.execPath(), { args, stdout: "piped", stderr: "inherit" })
    .output();
  return JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").pop()!);
}

/**
 * `deno run` arguments for `gateway/main.ts` with its shipped permissions, its files under
 * `dir`, warnings-only logs and no rate limit; port 0 picks a free one.
 */
export function gatewayArgs(dir: string, port: number, extra: string[] = []): string[] {
  return [
    "run",
    ...GATEWAY_PERMISSIONS,
    new URL("../gateway/main.ts", import.meta.url).pathname,
    "--port",
    String(port),
    "--data-dir",
    `${dir}/data`,
    "--logs-dir",
    `${dir}/logs`,
    "--log-level",
    "warning",
    "--rate-limit",
    "0",
    ...extra,
  ];
}

/** Starts `gateway/main.ts` on a free port (see {@linkcode gatewayArgs}). */
export function startGateway(dir: string, extra: string[]): Promise<ServerProcess> {
  return startServer(gatewayArgs(dir, 0, extra));
}

/**
 * utime+stime of a process and, recursively, its children, in clock ticks (Linux /proc); 0 once
 * it has ended. Read through `sh` (see `thread_cpu.ts`): Deno refuses direct reads of `/proc`.
 */
export async function treeTicks(pid: number): Promise<number> {
  const process = await readProcess(pid);
  if (!process) return 0;
  let ticks = process.ticks;
  for (const thread of process.threads) {
    for (const child of thread.children) ticks += await treeTicks(child);
  }
  return ticks;
}

/** utime+stime of one process alone, in clock ticks (Linux /proc); 0 once it has ended. */
export async function ownTicks(pid: number): Promise<number> {
  return (await readProcess(pid))?.ticks ?? 0;
}

/**
 * {@linkcode treeTicks} of a process known to be running: one that shows none has counters this
 * benchmark cannot read, and would otherwise be reported as using no CPU at all.
 */
export async function liveTreeTicks(pid: number): Promise<number> {
  const ticks = await treeTicks(pid);
  if (ticks === 0) {
    throw new Error(`cannot read the CPU counters of running process ${pid} from /proc`);
  }
  return ticks;
}
