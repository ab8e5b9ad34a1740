/**
 * @module
 * Test worker for the worker side of the protocol: `params.steps` lists what the job does in
 * order (`progress:<message>`, `log:<message>`, `turn` to let the event loop turn, `fail`), and
 * it answers with `done` after the last step.
 */
/// <reference lib="deno.worker" />
import { serveJobs } from "../worker_runtime.ts";
import { WorkerError } from "../worker_errors.ts";

serveJobs(async (ctx) => {
  const steps = (ctx.spec.params.steps ?? []) as string[];
  for (const step of steps) {
    const [kind, text = ""] = step.split(":");
    if (kind === "progress") ctx.progress({ message: text });
    else if (kind === "log") ctx.log("info", text);
    else if (kind === "turn") await new Promise((r) => setTimeout(r, 0));
    else if (kind === "fail") throw new WorkerError("probe_failed", "failed on purpose");
  }
  return { summary: "done" };
});
