import { assertEquals } from "@shared/testing/asserts.ts";
import { ClientOfflineError, ErrorReply, SocketClosedUnexpectedlyError } from "redis";
import { startRedisServer } from "@shared/testing/redis_server.ts";
import { QueueError } from "../queue.ts";
import { connectClients } from "./redis_clients.ts";
import { isRedisUnavailable } from "./redis_errors.ts";

const table: [string, unknown, boolean][] = [
  [
    "LOADING while it reads its data",
    new ErrorReply("LOADING Redis is loading the dataset in memory"),
    true,
  ],
  ["BUSY with a long script", new ErrorReply("BUSY Redis is busy running a script."), true],
  ["MASTERDOWN", new ErrorReply("MASTERDOWN Link with MASTER is down"), true],
  ["a wrong command", new ErrorReply("ERR wrong number of arguments for 'get' command"), false],
  [
    "WRONGTYPE",
    new ErrorReply("WRONGTYPE Operation against a key holding the wrong kind of value"),
    false,
  ],
  ["a script's own error", new ErrorReply("ERR user_script:1: attempt to compare nil"), false],
  ["the client offline", new ClientOfflineError(), true],
  ["the socket closed", new SocketClosedUnexpectedlyError(), true],
  [
    "LOADING wrapped by the queue",
    new QueueError("enqueue failed", { cause: new ErrorReply("LOADING x") }),
    true,
  ],
  [
    "a plain error that reads like one",
    new Error("LOADING Redis is loading the dataset in memory"),
    false,
  ],
  ["a bug", new TypeError("Cannot read properties of undefined"), false],
  ["not an error", "LOADING", false],
];

for (const [name, err, expected] of table) {
  Deno.test(`isRedisUnavailable(): ${name}`, () => {
    assertEquals(isRedisUnavailable(err), expected);
  });
}

Deno.test({
  name: "isRedisUnavailable(): what a command gets from the real client while redis-server is down",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const redis = await startRedisServer();
    const [client, sub] = await connectClients(redis.url);
    try {
      await client.set("k", "v");
      await redis.kill();
      let error: unknown;
      for (let i = 0; i < 50 && error === undefined; i++) {
        error = await client.get("k").then(() => undefined, (e) => e);
        if (error === undefined) await new Promise((r) => setTimeout(r, 20));
      }
      assertEquals(isRedisUnavailable(error), true, String(error));
      // A real reply that is the caller's mistake is not an outage.
      await redis.restart();
      let wrong: unknown;
      for (let i = 0; i < 100 && wrong === undefined; i++) {
        wrong = await client.sendCommand(["GET"]).then(() => "answered", (e) => e);
        if (isRedisUnavailable(wrong)) {
          wrong = undefined;
          await new Promise((r) => setTimeout(r, 50));
        }
      }
      assertEquals(wrong instanceof ErrorReply, true, String(wrong));
      assertEquals(isRedisUnavailable(wrong), false);
    } finally {
      for (const c of [client, sub]) c.destroy();
      await redis.stop();
    }
  },
});
