/**
 * What only the Redis backend has to get right (the shared behaviour is in
 * `../conformance_test.ts`): index migration of older stores, two connections sharing a queue,
 * a clear error when Redis is unreachable. Runs against a real redis-server.
 */
import { freePort } from "@shared/testing/process.ts";
import { createClient } from "redis";
import { assertEquals, assertRejects, assertStringIncludes } from "@shared/testing/asserts.ts";
import { startRedisServer } from "@shared/testing/redis_server.ts";
import { TaskSpec } from "@shared/schemas/mod.ts";
import { QueueError } from "../queue.ts";
import { RedisQueue } from "./redis_queue.ts";

const spec = (intent = "echo") => TaskSpec.parse({ intent, instruction: "x" });

Deno.test({
  name: "RedisQueue",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const server = await startRedisServer();
    const raw = createClient({ url: server.url });
    await raw.connect();
    try {
      await t.step(
        "connect() indexes jobs of a store written before the list indexes",
        async () => {
          const prefix = "old:";
          const q = await RedisQueue.connect(server.url, { prefix });
          for (let i = 0; i < 3; i++) {
            await q.enqueue({ utterance_id: `old-${i}`, text: "t", source: "api" }, [{
              spec: spec(i === 2 ? "coding" : "echo"),
              max_attempts: 1,
            }]);
          }
          await q.close();
          // Remove what the older layout did not have.
          const added = [
            ...await raw.keys(`${prefix}status:*`),
            ...await raw.keys(`${prefix}intent:*`),
            `${prefix}index_version`,
          ];
          assertEquals(added.length, 4);
          await raw.del(added);

          const reopened = await RedisQueue.connect(server.url, { prefix });
          try {
            assertEquals(await raw.get(`${prefix}index_version`), "2");
            assertEquals((await reopened.list({ status: "queued" })).jobs.length, 3);
            assertEquals((await reopened.list({ intent: "coding" })).jobs.length, 1);
            const job =
              (await reopened.claim({ owner: "t", leaseMs: 10_000, intents: ["coding"] }))!;
            assertEquals((await reopened.list({ status: "running" })).jobs.map((j) => j.job_id), [
              job.job_id,
            ]);
            assertEquals((await reopened.list({ status: "queued" })).jobs.length, 2);
          } finally {
            await reopened.close();
          }
        },
      );

      await t.step("two connections never claim the same job", async () => {
        const prefix = "two:";
        const a = await RedisQueue.connect(server.url, { prefix });
        const b = await RedisQueue.connect(server.url, { prefix });
        try {
          for (let i = 0; i < 20; i++) {
            await a.enqueue({ utterance_id: `u${i}`, text: "t", source: "api" }, [{
              spec: spec(),
              max_attempts: 1,
            }]);
          }
          const claims = await Promise.all(
            Array.from(
              { length: 30 },
              (_, i) => (i % 2 ? a : b).claim({ owner: `e${i}`, leaseMs: 10_000 }),
            ),
          );
          const got = claims.filter((c) => c !== null).map((c) => c!.job_id);
          assertEquals(got.length, 20);
          assertEquals(new Set(got).size, 20);
          assertEquals(await raw.zCard(`${prefix}claiming`), 0);
        } finally {
          await a.close();
          await b.close();
        }
      });

      await t.step("a lease holder's remembered record never outvotes the store", async () => {
        const prefix = "stale:";
        const a = await RedisQueue.connect(server.url, { prefix });
        const b = await RedisQueue.connect(server.url, { prefix });
        try {
          await a.enqueue({ utterance_id: "u", text: "t", source: "api" }, [{
            spec: spec(),
            max_attempts: 3,
          }]);
          const mine = (await a.claim({ owner: "a", leaseMs: 30 }))!;
          await new Promise((r) => setTimeout(r, 60));
          // Another process takes the job over after the lease ran out, and cancels it.
          assertEquals((await b.recoverExpired()).map((j) => j.status), ["queued"]);
          const theirs = (await b.claim({ owner: "b", leaseMs: 10_000 }))!;
          assertEquals(await a.heartbeat(mine.job_id, mine.lease!.token, 10_000), false);
          const late = await a.complete(mine.job_id, mine.lease!.token, { summary: "late" });
          assertEquals(late.ok ? "" : late.reason, "lease_lost");
          await b.cancel(theirs.job_id);
          const done = await b.finishCancelled(theirs.job_id, theirs.lease!.token, "asked");
          assertEquals(done.ok && done.job.status, "cancelled");
          const again = await a.complete(mine.job_id, mine.lease!.token, { summary: "later" });
          assertEquals(again.ok ? "" : again.reason, "already_final");
          assertEquals((await a.get(mine.job_id))?.result, undefined);
        } finally {
          await a.close();
          await b.close();
        }
      });
    } finally {
      await raw.quit();
      await server.stop();
    }
  },
});

Deno.test("RedisQueue.connect() names the URL and the fix when Redis is unreachable", async () => {
  const port = freePort(); // nothing listens there
  const err = await assertRejects(
    () => RedisQueue.connect(`redis://user:secret@127.0.0.1:${port}`),
    QueueError,
    `Cannot reach Redis at redis://***@127.0.0.1:${port}: `,
  );
  assertStringIncludes(err.message, "Start redis-server or fix --redis-url.");
});
