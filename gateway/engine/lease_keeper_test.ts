import { assertEquals } from "@shared/testing/asserts.ts";
import { keepLease } from "./lease_keeper.ts";

/** Waits until `pred` holds (generous bound: the machine may be loaded). */
async function until(pred: () => boolean, what: string) {
  for (let i = 0; i < 1000 && !pred(); i++) await new Promise((r) => setTimeout(r, 5));
  if (!pred()) throw new Error(`timed out waiting for ${what}`);
}

Deno.test("keepLease() renews with the job's token until the store says the lease is gone", async () => {
  const answers = [true, true, false];
  const calls: [string, string, number][] = [];
  let held = 0;
  let lost = 0;
  const stop = keepLease({
    queue: {
      heartbeat: (id, token, ms) => {
        calls.push([id, token, ms]);
        return Promise.resolve(answers.shift() ?? true);
      },
    },
    jobId: "j1",
    token: "t1",
    leaseMs: 3000,
    everyMs: 5,
    onLost: () => {
      lost++;
      stop();
    },
    onHeld: () => void held++,
  });
  await until(() => lost === 1, "the lost lease");
  assertEquals(held, 2);
  assertEquals(calls.slice(0, 3), [["j1", "t1", 3000], ["j1", "t1", 3000], ["j1", "t1", 3000]]);
  const after = calls.length;
  await new Promise((r) => setTimeout(r, 30));
  assertEquals(calls.length, after, "no renewal after stop()");
});

Deno.test("keepLease(): a failed renewal is reported and tried again, not taken as lost", async () => {
  let n = 0;
  const errors: string[] = [];
  let lost = false;
  const stop = keepLease({
    queue: {
      heartbeat: () => ++n === 1 ? Promise.reject(new Error("store down")) : Promise.resolve(true),
    },
    jobId: "j1",
    token: "t1",
    leaseMs: 3000,
    everyMs: 5,
    onLost: () => lost = true,
    onError: (err) => errors.push((err as Error).message),
  });
  try {
    await until(() => n >= 3, "renewals after the failure");
    assertEquals(errors, ["store down"]);
    assertEquals(lost, false);
  } finally {
    stop();
  }
});
