/**
 * @module
 * The two Redis connections a queue uses (commands, and a subscriber for wake-ups): quick to
 * fail while Redis was never reached, reconnecting for ever once it was.
 */
import { createClient } from "redis";
import { QueueError } from "../queue.ts";

export type Client = ReturnType<typeof createClient>;

/** Connection attempts at start-up (about 0.7 s in all) before the connect fails. */
const CONNECT_TRIES = 3;

/** Connects a command client and a subscriber; fails with a clear message when Redis is down. */
export async function connectClients(url: string): Promise<[client: Client, sub: Client]> {
  // Until the first connection, give up after a few tries so that a wrong URL or a stopped
  // server is an error at start-up, not a hang; once connected, reconnect for ever.
  let connected = false;
  const make = () =>
    createClient({
      url,
      // Fail fast while disconnected: callers answer 503 and retry, instead of hanging.
      disableOfflineQueue: true,
      socket: {
        connectTimeout: 5000,
        reconnectStrategy: (n, cause) =>
          connected ? Math.min(50 * 2 ** n, 2000) : n < CONNECT_TRIES ? 100 * 2 ** n : cause,
      },
    });
  const client = make();
  const sub = make();
  // Errors surface through commands; the event only has to exist so they are not thrown.
  client.on("error", () => {});
  sub.on("error", () => {});
  try {
    await client.connect();
    await sub.connect();
    connected = true;
  } catch (err) {
    for (const c of [client, sub]) {
      try {
        c.destroy();
      } catch { /* closed already when its reconnect strategy gave up */ }
    }
    throw new QueueError(
      `Cannot reach Redis at ${url.replace(/\/\/[^@]*@/, "//***@")}: ${
        err instanceof Error ? err.message : err
      }. Start redis-server or fix --redis-url.`,
      { cause: err },
    );
  }
  return [client, sub];
}
