/**
 * @module
 * Test worker that attempts one privileged operation named in `params.op`, to prove the
 * sandbox denies what a skill did not declare. `params.op = "crash"` throws uncaught.
 */
/// <reference lib="deno.worker" />
import { serveJobs } from "../../skill_kit/worker_runtime.ts";

serveJobs(async (ctx) => {
  const op = String(ctx.spec.params.op);
  const target = String(ctx.spec.params.target ?? "");
  switch (op) {
    case "read":
      await Deno.readTextFile(target);
      break;
    case "write":
      await Deno.writeTextFile(target, "x");
      break;
    case "net":
      await fetch(target);
      break;
    case "run":
      await new Deno.Command("true").output();
      break;
    case "env":
      Deno.env.get("HOME");
      break;
    case "ffi":
      Deno.dlopen("libc.so.6", {});
      break;
    case "hang":
      // Ignores aborts on purpose: only terminating the worker stops it.
      for (;;) {
        const until = Date.now() + 50;
        while (Date.now() < until) { /* busy */ }
        await new Promise((r) => setTimeout(r, 0));
      }
      // unreachable
    case "crash":
      setTimeout(() => {
        throw new Error("probe crashed on purpose");
      }, 0);
      await new Promise(() => {});
      break;
    case "flood":
      // Reports for 1.5 s with a turn of the event loop after each (the worker side holds a
      // report until the loop turns, so every one of them is posted: hundreds per second).
      for (let i = 0, until = Date.now() + 1_500; Date.now() < until; i++) {
        ctx.progress({ fraction: Math.min(0.99, i / 1_000), message: `step ${i}` });
        await new Promise((r) => setTimeout(r, 0));
      }
      break;
    case "usage":
      ctx.usage({
        provider: "test",
        model: "probe",
        input_tokens: 10,
        output_tokens: 5,
        cost_usd: Number(ctx.spec.params.cost ?? 0.01),
      });
      ctx.artifact("note.txt", "hello artifact");
      // Keeps running a moment after spending, as a model call that goes on would.
      await new Promise((r) => setTimeout(r, Number(ctx.spec.params.hold_ms ?? 0)));
      if (ctx.attempt <= Number(ctx.spec.params.fail_times ?? 0)) {
        throw new Error(`probe attempt ${ctx.attempt} failed after spending`);
      }
      break;
    case "confirm": {
      const decision = await ctx.awaitConfirmation("Allow the probe?", { op });
      return { summary: `decision: ${decision}`, decision };
    }
  }
  return { summary: `${op} allowed` };
});
