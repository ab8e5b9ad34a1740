import { assertEquals } from "@shared/testing/asserts.ts";
import type { JobRecord } from "@shared/schemas/mod.ts";
import { indexOps, reindex } from "./redis_indexes.ts";

const queued = {
  job_id: "j1",
  utterance_id: "u1",
  intent: "echo",
  spec: { intent: "echo", instruction: "hi", priority: "interactive" },
  priority: "interactive",
  status: "queued",
  attempts: 0,
  max_attempts: 3,
  created_at: "2026-01-01T00:00:00.000Z",
} as JobRecord;

Deno.test("indexOps() puts a queued job in its state, intent and ready indexes", () => {
  assertEquals(indexOps("p:", queued).map((o) => o[1]), [
    "p:status:queued",
    "p:intent:echo",
    "p:ready",
    "p:ready:echo",
  ]);
});

Deno.test("reindex() moves a claimed job from the ready indexes to the lease index", () => {
  const running: JobRecord = {
    ...queued,
    status: "running",
    lease: { owner: "e", token: "t", expires_at: 5000 },
  };
  assertEquals(reindex("p:", queued, running), [
    ["zrem", "p:status:queued", "j1", "0"],
    ["zrem", "p:ready", "j1", "0"],
    ["zrem", "p:ready:echo", "j1", "0"],
    ["zadd", "p:status:running", "j1", "0"],
    ["zadd", "p:lease", "j1", "5000"],
  ]);
  assertEquals(reindex("p:", running, running), []);
});
