/**
 * @module
 * The start-up both gateway programs share (`main.ts` with HTTP, `worker_main.ts` without):
 * flags and `--help`, logging, the runtime, and stopping on SIGINT/SIGTERM. Each program adds
 * only what is its own (serving HTTP, or waiting to drain).
 */
import { setupLogging } from "@shared/logging/mod.ts";
import { type GatewayFlags, parseGatewayFlags, UsageError } from "./cli.ts";
import { type GatewayRuntime, startRuntime, startupErrorLine } from "./runtime.ts";

/** A started program: its flags, its runtime, and how to flush its logs on the way out. */
export interface Launched {
  flags: GatewayFlags;
  runtime: GatewayRuntime;
  disposeLogging(): Promise<void>;
}

export interface LaunchOptions {
  role: "gateway" | "worker";
  /** What `--help` prints. */
  help: string;
  /** Where the program's own log lines go. */
  logFile(flags: GatewayFlags): string;
  /** Whether this process runs the execution engine. */
  engine(flags: GatewayFlags): boolean;
  /** A reason the flags cannot run (printed as `error: ...`, exit 2), checked before start. */
  refuse?(flags: GatewayFlags): string | undefined;
}

/**
 * Parses the flags, answers `--help`, sets up logging and starts the runtime. A number is the
 * exit code of a program that ends here: 0 after help, 2 for bad flags, 1 when the runtime
 * cannot start (one readable line, not a stack trace).
 */
export async function launch(options: LaunchOptions): Promise<Launched | number> {
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
    console.log(options.help);
    return 0;
  }
  const refused = options.refuse?.(flags);
  if (refused) {
    console.error(`error: ${refused}`);
    return 2;
  }
  const disposeLogging = await setupLogging({
    logFile: options.logFile(flags),
    level: flags.log_level,
  });
  try {
    const runtime = await startRuntime(flags, {
      engine: options.engine(flags),
      role: options.role,
    });
    return { flags, runtime, disposeLogging };
  } catch (err) {
    console.error(startupErrorLine(err));
    await disposeLogging();
    return 1;
  }
}

/** Calls `stop` on SIGINT, and on SIGTERM where the OS has it. */
export function onStopSignal(stop: (signal: "SIGINT" | "SIGTERM") => void): void {
  Deno.addSignalListener("SIGINT", () => stop("SIGINT"));
  if (Deno.build.os !== "windows") Deno.addSignalListener("SIGTERM", () => stop("SIGTERM"));
}
