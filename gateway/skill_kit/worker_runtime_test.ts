import { assertEquals } from "@shared/testing/asserts.ts";
import type { FromWorker } from "@shared/schemas/mod.ts";

/** What a job's worker posts, as short strings (`progress:<message>`, `log:<message>`, ...). */
async function run(steps: string[]): Promise<string[]> {
  const worker = new Worker(new URL("./_testdata/runtime_probe_worker.ts", import.meta.url), {
    type: "module",
  });
  const seen: string[] = [];
  const done = Promise.withResolvers<void>();
  worker.onmessage = (e: MessageEvent<FromWorker>) => {
    const m = e.data;
    if (m.type === "ready") {
      worker.postMessage({
        type: "start",
        job_id: "job-1",
        utterance_id: "utt-1",
        attempt: 1,
        spec: { intent: "probe", instruction: "probe", params: { steps } },
        config: {},
      });
      return;
    }
    if (m.type === "progress") seen.push(`progress:${m.progress.message}`);
    else if (m.type === "log") seen.push(`log:${m.message}`);
    else if (m.type === "result") seen.push(`result:${m.result.summary}`);
    else if (m.type === "error") seen.push(`error:${m.error.code}`);
    else seen.push(m.type);
    if (m.type === "result" || m.type === "error") done.resolve();
  };
  try {
    await done.promise;
    return seen;
  } finally {
    worker.terminate();
  }
}

Deno.test("worker runtime: progress reported in the turn the job answers is not posted", async () => {
  assertEquals(await run(["progress:a", "progress:b"]), ["result:done"]);
  assertEquals(await run(["progress:a", "fail"]), ["error:probe_failed"]);
});

Deno.test("worker runtime: held progress is posted once the event loop turns, newest only", async () => {
  assertEquals(await run(["progress:a", "progress:b", "turn", "progress:c", "turn"]), [
    "progress:b",
    "progress:c",
    "result:done",
  ]);
});

Deno.test("worker runtime: another message posts the held progress first, keeping the order", async () => {
  assertEquals(await run(["progress:a", "log:x", "progress:b", "log:y"]), [
    "progress:a",
    "log:x",
    "progress:b",
    "log:y",
    "result:done",
  ]);
});
