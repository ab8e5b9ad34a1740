/**
 * @module
 * The `echo` worker: answers with the text it was given. `params.delay_ms` holds the job
 * running (abortable), `params.fail_times` fails that many attempts first, `params.confirm` (a
 * question) pauses the job for a person's yes or no before it answers (no ends it with
 * `confirmation_denied`): together they let tests and benchmarks exercise timeouts, cancels,
 * retries and confirmations through the public API.
 */
/// <reference lib="deno.worker" />
import { serveJobs } from "../../skill_kit/worker_runtime.ts";
import { JobAbortedError, UnrecoverableError, WorkerError } from "../../skill_kit/worker_errors.ts";

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(signal.reason ?? new JobAbortedError("aborted"));
    }, { once: true });
  });
}

const MAX_DELAY_MS = 60_000;

serveJobs(async (ctx) => {
  const params = ctx.spec.params as Record<string, unknown>;
  const delay = params.delay_ms ?? 0;
  const failTimes = params.fail_times ?? 0;
  if (typeof delay !== "number" || !Number.isFinite(delay) || delay < 0 || delay > MAX_DELAY_MS) {
    throw new UnrecoverableError(
      "invalid_params",
      `params.delay_ms must be a number from 0 to ${MAX_DELAY_MS}: current value is ${
        JSON.stringify(delay)
      }`,
    );
  }
  if (!Number.isInteger(failTimes) || (failTimes as number) < 0) {
    throw new UnrecoverableError(
      "invalid_params",
      `params.fail_times must be a non-negative integer: current value is ${
        JSON.stringify(failTimes)
      }`,
    );
  }
  const text = typeof params.text === "string" ? params.text : ctx.spec.instruction;
  if (typeof params.confirm === "string" && params.confirm.trim() !== "") {
    const decision = await ctx.awaitConfirmation(params.confirm.slice(0, 500), { echo: text });
    if (decision === "deny") {
      throw new UnrecoverableError(
        "confirmation_denied",
        `Denied: ${params.confirm.slice(0, 200)}`,
      );
    }
  }
  if (delay > 0) {
    ctx.progress({ fraction: 0, message: `waiting ${delay} ms` });
    await sleep(delay, ctx.signal);
  }
  if (ctx.attempt <= (failTimes as number)) {
    throw new WorkerError(
      "echo_planned_failure",
      `Planned failure ${ctx.attempt} of ${failTimes} (params.fail_times)`,
    );
  }
  ctx.progress({ fraction: 1, message: "echoed" });
  return { summary: text, echo: text, attempt: ctx.attempt };
});
