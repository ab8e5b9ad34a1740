/**
 * @module
 * Process helpers for tests and benchmarks: a free loopback port, and `deno` child processes
 * that announce themselves with a JSON line, keep their stderr tail for notes, and are tracked
 * so that a failing run still leaves nothing running.
 */
import { readLines } from "../io/lines.ts";

/**
 * A loopback port nothing listens on right now (the OS picks it; it is closed again at once,
 * so a server started next can take it, or a client can find nobody there).
 */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** A `deno` child started by {@linkcode spawnDeno}. */
export interface DenoProcess {
  child: Deno.ChildProcess;
  /** The JSON line the process announced itself with (`{}` when none was awaited). */
  info: Record<string, unknown>;
  /** Last stderr output, for notes when something went wrong. */
  stderrTail(): string;
  /** Sends `signal` (SIGTERM by default) and waits for the exit; returns the exit code. */
  stop(signal?: Deno.Signal): Promise<number>;
  /** Waits for the exit without a signal; returns the exit code. */
  wait(): Promise<number>;
}

/** Every process {@linkcode spawnDeno} started that has not been stopped yet. */
export const liveProcesses: Set<DenoProcess> = new Set();

/** Options of {@linkcode spawnDeno}. */
export interface SpawnDenoOptions {
  /**
   * Waits for a JSON line on stdout that contains `"<ready>"` (e.g. `listening`) and keeps it as
   * `info`; null returns at once.
   * @default null
   */
  ready?: string | null;
  env?: Record<string, string>;
}

/** Starts `deno <args>`; stdout is drained so the child never blocks on a full pipe. */
export async function spawnDeno(
  args: string[],
  options: SpawnDenoOptions = {},
): Promise<DenoProcess> {
  const child = new Deno.Command(Deno.execPath(), {
    args,
    env: options.env ?? {},
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let tail = "";
  const stderr = (async () => {
    for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) {
      tail = (tail + chunk).slice(-4000);
    }
  })().catch(() => {});
  const lines = readLines(child.stdout);
  let exited = false;
  const status = child.status.then((s) => {
    exited = true;
    return s;
  });
  let drained: Promise<void> = Promise.resolve();
  const proc: DenoProcess = {
    child,
    info: {},
    stderrTail: () => tail,
    async stop(signal: Deno.Signal = "SIGTERM") {
      if (!exited) {
        try {
          child.kill(signal);
        } catch { /* already gone */ }
      }
      const { code } = await status;
      await drained;
      await stderr;
      liveProcesses.delete(proc);
      return code;
    },
    async wait() {
      await status;
      return await proc.stop();
    },
  };
  liveProcesses.add(proc);
  const ready = options.ready ?? null;
  if (ready !== null) {
    for (;;) {
      const { value, done } = await lines.next();
      if (done) {
        await proc.stop();
        throw new Error(`${args.slice(-12).join(" ")} exited early: ${tail.slice(-600)}`);
      }
      if (value.startsWith("{") && value.includes(`"${ready}"`)) {
        try {
          proc.info = JSON.parse(value);
          break;
        } catch { /* not a JSON line after all */ }
      }
    }
  }
  drained = (async () => {
    for await (const _ of lines) { /* drain */ }
  })().catch(() => {});
  return proc;
}
