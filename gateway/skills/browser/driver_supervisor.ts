/**
 * @module
 * Starts the browser driver process on first use, restarts it when it has died (with backoff),
 * and stops it — with its Chromium — on `close()`.
 */
import { getLogger } from "@logtape/logtape";
import { readLines } from "@shared/io/lines.ts";
import { DriverClient } from "./driver_client.ts";

const log = getLogger(["gateway", "browser"]);

export class DriverSupervisor {
  #child: Deno.ChildProcess | undefined;
  #client: DriverClient | undefined;
  #starting: Promise<DriverClient> | undefined;
  #failures = 0;
  #closed = false;

  constructor(readonly options: { chromiumPath?: string } = {}) {}

  /** A client for a running driver, starting or restarting it when needed. */
  ensure(): Promise<DriverClient> {
    if (this.#client && this.#child) return Promise.resolve(this.#client);
    this.#starting ??= this.#start().finally(() => (this.#starting = undefined));
    return this.#starting;
  }

  async #start(): Promise<DriverClient> {
    if (this.#closed) throw new Error("the browser driver is stopped");
    if (this.#failures > 0) {
      await new Promise((r) => setTimeout(r, Math.min(250 * 2 ** this.#failures, 5000)));
    }
    const token = crypto.randomUUID() + crypto.randomUUID();
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", new URL("./driver_main.ts", import.meta.url).pathname],
      env: {
        BROWSER_DRIVER_TOKEN: token,
        ...(this.options.chromiumPath ? { CHROMIUM_PATH: this.options.chromiumPath } : {}),
      },
      stdout: "piped",
      stderr: "piped",
      stdin: "null",
    }).spawn();
    const lines = readLines(child.stdout);
    const stderr = new Response(child.stderr).text();
    const first = await lines.next();
    if (first.done || !first.value.includes("driver_listening")) {
      this.#failures++;
      await child.status;
      throw new Error(
        `The browser driver did not start: ${
          (await stderr).trim().split("\n").slice(-3).join(" ")
        }`,
      );
    }
    const port = JSON.parse(first.value).port as number;
    void (async () => {
      for await (const _ of lines) { /* drain */ }
    })();
    this.#child = child;
    this.#client = new DriverClient(`http://127.0.0.1:${port}`, token);
    this.#failures = 0;
    log.info("Browser driver started on port {port}", { port });
    void child.status.then((s) => {
      if (this.#child !== child) return;
      this.#child = undefined;
      this.#client = undefined;
      if (!this.#closed) {
        this.#failures++;
        log.warn("Browser driver exited ({code}); it restarts on the next job", { code: s.code });
      }
    });
    return this.#client;
  }

  /** The driver process id (tests kill it to check recovery). */
  get pid(): number | undefined {
    return this.#child?.pid;
  }

  async close(): Promise<void> {
    this.#closed = true;
    const child = this.#child;
    this.#child = undefined;
    this.#client = undefined;
    if (child) {
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
}
