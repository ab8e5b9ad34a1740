import { assertEquals } from "@shared/testing/asserts.ts";
import { TaskSpec } from "@shared/schemas/mod.ts";
import { createJob } from "../job_ops.ts";
import { QueuedRecords } from "./queued_records.ts";

const job = (id: string) =>
  createJob(id, "u", {
    spec: TaskSpec.parse({ intent: "echo", instruction: "x", params: {} }),
    max_attempts: 1,
  }, 0);

Deno.test("QueuedRecords keeps nothing until a claim wants them", () => {
  const kept = new QueuedRecords();
  kept.enqueued(job("a"), "v1", true);
  assertEquals(kept.size, 0);
  kept.want();
  kept.enqueued(job("a"), "v1", true);
  assertEquals(kept.get("a")?.versionstamp, "v1");
});

Deno.test("QueuedRecords keeps only queued records stored inline", () => {
  const kept = new QueuedRecords();
  kept.want();
  kept.enqueued(job("chunked"), "v1", false);
  kept.enqueued({ ...job("running"), status: "running" }, "v1", true);
  kept.enqueued(job("a"), "v2", true);
  assertEquals([kept.get("chunked"), kept.get("running")], [undefined, undefined]);
  assertEquals(kept.get("a")?.job.job_id, "a");
});

Deno.test("QueuedRecords drops the oldest past its limit, and forgets on request", () => {
  const kept = new QueuedRecords(2);
  kept.want();
  for (const id of ["a", "b", "c"]) kept.enqueued(job(id), `v-${id}`, true);
  assertEquals(kept.size, 2);
  assertEquals([kept.get("a"), kept.get("b")?.versionstamp], [undefined, "v-b"]);
  kept.forget("b");
  assertEquals([kept.get("b"), kept.get("c")?.versionstamp], [undefined, "v-c"]);
});

Deno.test("QueuedRecords drops the oldest tenth at once when full", () => {
  const kept = new QueuedRecords(20);
  kept.want();
  for (let i = 0; i < 21; i++) kept.enqueued(job(`j${i}`), `v${i}`, true);
  // Full at 20: the 21st made room by dropping j0 and j1.
  assertEquals(kept.size, 19);
  assertEquals([kept.get("j0"), kept.get("j1")], [undefined, undefined]);
  assertEquals([kept.get("j2")?.versionstamp, kept.get("j20")?.versionstamp], ["v2", "v20"]);
});
