import { assertEquals } from "@shared/testing/asserts.ts";
import type { JobRecord } from "@shared/schemas/mod.ts";
import { applySteering, type SteerableJob, Steering } from "./steering.ts";

function fakeJob() {
  const calls: string[] = [];
  const job: SteerableJob = {
    abort: (reason, kind) => calls.push(`abort ${kind}: ${reason}`),
    confirm: (decision) => {
      job.confirm = undefined;
      calls.push(`confirm ${decision}`);
      return Promise.resolve(true);
    },
  };
  return { job, calls };
}

Deno.test("applySteering() aborts on a requested cancel and passes an answer on once", () => {
  const a = fakeJob();
  assertEquals(applySteering(a.job, { cancel_requested: true }), "cancel");
  assertEquals(a.calls, ["abort cancel: cancelled by request"]);
  const b = fakeJob();
  assertEquals(applySteering(b.job, { decision: "deny" }), "deny");
  assertEquals(applySteering(b.job, { decision: "deny" }), null, "answered already");
  assertEquals(b.calls, ["confirm deny"]);
  assertEquals(applySteering(b.job, {}), null);
  assertEquals(applySteering(b.job, null), null);
});

Deno.test("Steering applies an announcement that came before the job's worker started", async () => {
  const records = new Map<string, Partial<JobRecord>>([["j1", { cancel_requested: true }]]);
  let announce: (id: string) => void = () => {};
  const running = new Map<string, SteerableJob>();
  const steering = new Steering(
    {
      get: (id) => Promise.resolve(records.get(id) ?? null),
      watchControl: (fn) => {
        announce = fn;
        return () => (announce = () => {});
      },
    },
    (id) => running.get(id),
    () => {},
  );
  steering.start();
  announce("j1"); // claimed, but its worker has not started yet
  const j = fakeJob();
  running.set("j1", j.job);
  steering.jobStarted("j1");
  for (let i = 0; i < 50 && j.calls.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
  assertEquals(j.calls, ["abort cancel: cancelled by request"]);
  steering.jobStarted("j1");
  await new Promise((r) => setTimeout(r, 10));
  assertEquals(j.calls.length, 1, "remembered once");
  steering.stop();
});
