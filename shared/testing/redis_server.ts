/**
 * @module
 * Starts a real `redis-server` for tests: a free loopback port, no persistence, a temporary
 * working folder; waits until it answers PING; `stop()` ends it and removes the folder.
 */
import { freePort } from "./process.ts";

export interface RedisServer {
  url: string;
  port: number;
  stop(): Promise<void>;
  /** SIGKILLs the server (fault injection); `restart()` brings it back on the same port. */
  kill(): Promise<void>;
  restart(): Promise<void>;
}

export class RedisServerError extends Error {
  override name = "RedisServerError";
}

async function ping(port: number): Promise<boolean> {
  try {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    try {
      await conn.write(new TextEncoder().encode("PING\r\n"));
      const buf = new Uint8Array(16);
      const n = await conn.read(buf);
      return n !== null && new TextDecoder().decode(buf.subarray(0, n)).startsWith("+PONG");
    } finally {
      conn.close();
    }
  } catch {
    return false;
  }
}

export interface RedisServerOptions {
  /** Keep data across a kill and restart (append-only file, fsync on every write). */
  durable?: boolean;
}

export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const dir = await Deno.makeTempDir({ prefix: "redis-test-" });
  const port = freePort();
  let child: Deno.ChildProcess;
  const spawn = async () => {
    try {
      child = new Deno.Command("redis-server", {
        args: [
          "--port",
          String(port),
          "--bind",
          "127.0.0.1",
          "--save",
          "",
          "--appendonly",
          options.durable ? "yes" : "no",
          ...(options.durable ? ["--appendfsync", "always"] : []),
          "--dir",
          dir,
        ],
        stdout: "null",
        stderr: "null",
      }).spawn();
    } catch (err) {
      throw new RedisServerError(
        `Cannot start redis-server (${
          err instanceof Error ? err.message : err
        }): install it with 'apt-get install redis-server'`,
      );
    }
    for (let i = 0; i < 200; i++) {
      if (await ping(port)) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new RedisServerError(`redis-server did not answer on port ${port} within 5 s`);
  };
  await spawn();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async kill() {
      child.kill("SIGKILL");
      await child.status;
    },
    restart: spawn,
    async stop() {
      try {
        child.kill("SIGTERM");
      } catch { /* already gone */ }
      await child.status;
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}
