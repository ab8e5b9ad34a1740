/**
 * @module
 * Starts the browser driver process on first use, restarts it when it has died (with a
 * backoff that grows while it keeps dying young), and stops it — with its Chromium — on
 * `close()`. The driver's stdin is a pipe held here: if this process dies without `close()`,
 * the driver sees end of file and closes Chromium itself.
 */
import { fileURLToPath } from "node:url";
import { getLogger } from "@logtape/logtape";
import { readLines } from "@shared/io/lines.ts";
import { DriverClient } from "./driver_client.ts";

const log = getLogger(["gateway", "browser"]);

/** The driver could not be started (or was stopped). `permanent` when retrying cannot help. */
export class DriverStartError extends Error {
  override name = "DriverStartError";
  constructor(message: string, readonly permanent = false, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The driver program, started as its own process (so a compiled gateway must embed it). */
export const DRIVER_MODULE: URL = new URL("./driver_main.ts", import.meta.url);

/**
 * The program that runs the driver: this Deno binary when the gateway may run it, else `deno`
 * from PATH (`--allow-run=deno` grants the name, which may be a symlink to a different path
 * than `Deno.execPath()`, as with npm's install), else null.
 */
export function driverCommand(
  execPath: string = Deno.execPath(),
  granted: (command: string) => boolean = (command) =>
    Deno.permissions.querySync({ name: "run", command }).state === "granted",
): string | null {
  const isDeno = /(^|[\\/])deno(\.exe)?$/i.test(execPath);
  if (isDeno && granted(execPath)) return execPath;
  if (granted("deno")) return "deno";
  return null;
}

export interface DriverSupervisorOptions {
  /** @default "/usr/bin/chromium" (or `CHROMIUM_PATH` in the driver's environment) */
  chromiumPath?: string;
  /** Time the driver gets to report its port. @default 30000 */
  startTimeoutMs?: number;
  /** A driver that exits sooner than this after starting counts as a failure. @default 30000 */
  youngMs?: number;
  /** First restart delay after a failure; doubles per failure in a row. @default 250 */
  backoffMs?: number;
  /** @default 10000 */
  maxBackoffMs?: number;
}

export class DriverSupervisor {
  readonly #o: Required<Omit<DriverSupervisorOptions, "chromiumPath">> & { chromiumPath?: string };
  #child: Deno.ChildProcess | undefined;
  #stdin: WritableStreamDefaultWriter<Uint8Array> | undefined;
  #client: DriverClient | undefined;
  #starting: Promise<DriverClient> | undefined;
  #failures = 0;
  #closed = false;
  #stderrTail: string[] = [];
  #starts = 0;
  #youngTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: DriverSupervisorOptions = {}) {
    this.#o = {
      startTimeoutMs: options.startTimeoutMs ?? 30_000,
      youngMs: options.youngMs ?? 30_000,
      backoffMs: options.backoffMs ?? 250,
      maxBackoffMs: options.maxBackoffMs ?? 10_000,
      ...(options.chromiumPath ? { chromiumPath: options.chromiumPath } : {}),
    };
  }

  /** A client for a running driver, starting or restarting it when needed. */
  ensure(): Promise<DriverClient> {
    if (this.#client && this.#child) return Promise.resolve(this.#client);
    this.#starting ??= this.#start().finally(() => (this.#starting = undefined));
    return this.#starting;
  }

  /** The running driver's client, without starting one. */
  get current(): DriverClient | undefined {
    return this.#child ? this.#client : undefined;
  }

  /** The driver process id (tests kill it to check recovery). */
  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** Driver starts after the first one (crash recoveries). */
  get restarts(): number {
    return Math.max(0, this.#starts - 1);
  }

  #spawn(command: string, token: string): Deno.ChildProcess {
    return new Deno.Command(command, {
      args: ["run", "-A", fileURLToPath(DRIVER_MODULE)],
      env: {
        BROWSER_DRIVER_TOKEN: token,
        ...(this.#o.chromiumPath ? { CHROMIUM_PATH: this.#o.chromiumPath } : {}),
      },
      stdout: "piped",
      stderr: "piped",
      stdin: "piped",
    }).spawn();
  }

  async #start(): Promise<DriverClient> {
    if (this.#closed) throw new DriverStartError("The browser driver is stopped", true);
    if (this.#failures > 0) {
      const delay = Math.min(this.#o.backoffMs * 2 ** (this.#failures - 1), this.#o.maxBackoffMs);
      await new Promise((r) => setTimeout(r, delay));
      if (this.#closed) throw new DriverStartError("The browser driver is stopped", true);
    }
    const command = driverCommand();
    if (!command) {
      throw new DriverStartError(
        "The browser driver cannot start as the gateway may not run deno: allow it with --allow-run=deno",
        true,
      );
    }
    const token = crypto.randomUUID() + crypto.randomUUID();
    let child: Deno.ChildProcess;
    try {
      child = this.#spawn(command, token);
    } catch (err) {
      this.#failures++;
      throw new DriverStartError(
        `The browser driver cannot start: ${err instanceof Error ? err.message : err}`,
        err instanceof Deno.errors.NotCapable || err instanceof Deno.errors.NotFound,
        { cause: err },
      );
    }
    const stdin = child.stdin.getWriter();
    this.#stderrTail = [];
    const stderrDone = (async () => {
      for await (const line of readLines(child.stderr)) {
        this.#stderrTail.push(line);
        if (this.#stderrTail.length > 20) this.#stderrTail.shift();
      }
    })().catch(() => {});
    const lines = readLines(child.stdout);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<"timeout">((r) => {
      timer = setTimeout(() => r("timeout"), this.#o.startTimeoutMs);
    });
    const first = await Promise.race([lines.next(), timedOut]);
    clearTimeout(timer);
    let port: number | undefined;
    if (first !== "timeout" && !first.done) {
      try {
        const parsed = JSON.parse(first.value);
        if (parsed.event === "driver_listening") port = Number(parsed.port);
      } catch { /* not the line we wait for */ }
    }
    if (port === undefined) {
      this.#failures++;
      try {
        child.kill("SIGKILL");
      } catch { /* already gone */ }
      await child.status;
      await stderrDone;
      await stdin.close().catch(() => {});
      const tail = this.#stderrTail.filter((l) => l.trim()).slice(-3).join(" | ");
      const why = first === "timeout"
        ? `it did not report its port within ${this.#o.startTimeoutMs} ms`
        : "it exited";
      throw new DriverStartError(
        `The browser driver did not start: ${why}${tail ? `: ${tail}` : ""}`,
        /executable doesn't exist|ENOENT|BROWSER_DRIVER_TOKEN/i.test(tail),
      );
    }
    void (async () => {
      for await (const _ of lines) { /* the driver prints nothing else; keep the pipe drained */ }
    })().catch(() => {});
    const startedAt = Date.now();
    this.#starts++;
    this.#child = child;
    this.#stdin = stdin;
    this.#client = new DriverClient(`http://127.0.0.1:${port}`, token);
    log.info("Browser driver started on port {port} (pid {pid})", { port, pid: child.pid });
    void child.status.then((s) => {
      if (this.#child !== child) return;
      clearTimeout(this.#youngTimer);
      this.#child = undefined;
      this.#stdin = undefined;
      void stdin.close().catch(() => {});
      if (this.#closed) return;
      // Dying young again and again is not a blip: back off further each time.
      this.#failures = Date.now() - startedAt < this.#o.youngMs ? this.#failures + 1 : 1;
      log.warn(
        "Browser driver exited (code {code}); it restarts on the next job. Last output: {tail}",
        { code: s.code, tail: this.#stderrTail.slice(-3).join(" | ") },
      );
    });
    // A driver that lived long enough resets the backoff on its next start.
    clearTimeout(this.#youngTimer);
    this.#youngTimer = setTimeout(() => {
      if (this.#child === child) this.#failures = 0;
    }, this.#o.youngMs);
    return this.#client;
  }

  /** Stops the driver and its Chromium; later `ensure()` calls fail. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#starting?.catch(() => {});
    clearTimeout(this.#youngTimer);
    const child = this.#child;
    const stdin = this.#stdin;
    this.#child = undefined;
    this.#stdin = undefined;
    this.#client = undefined;
    if (!child) return;
    await stdin?.close().catch(() => {});
    try {
      child.kill("SIGTERM");
    } catch { /* gone */ }
    const timer = setTimeout(() => {
      try {
        child.kill("SIGKILL");
      } catch { /* gone */ }
    }, 5000);
    await child.status;
    clearTimeout(timer);
  }
}
