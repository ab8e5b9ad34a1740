/**
 * @module
 * The `reverse` test skill's worker: answers with `params.text` backwards.
 */
/// <reference lib="deno.worker" />
import { serveJobs } from "../../../skill_kit/worker_runtime.ts";
import { UnrecoverableError } from "../../../skill_kit/worker_errors.ts";

serveJobs((ctx) => {
  const text = (ctx.spec.params as Record<string, unknown>).text;
  if (typeof text !== "string") {
    throw new UnrecoverableError(
      "invalid_params",
      `params.text must be a string: current value is ${JSON.stringify(text)}`,
    );
  }
  const reversed = [...text].reverse().join("");
  return Promise.resolve({ summary: reversed, reversed });
});
