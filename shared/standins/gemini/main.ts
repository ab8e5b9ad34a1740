/**
 * @module
 * CLI of the Gemini API STAND-IN (also serves the QA dashboard at `/qa/`):
 *   deno run --allow-net shared/standins/gemini/main.ts [--port 0]
 * Prints `{"standin":"gemini","url":...,"qa_url":...}` on stdout once listening.
 */
import { parseArgs } from "node:util";
import { startGeminiStandIn } from "./gemini_standin.ts";

const { values } = parseArgs({ args: Deno.args, options: { port: { type: "string" } } });
const standin = startGeminiStandIn({ port: Number(values.port ?? 0) });
console.log(JSON.stringify({ standin: "gemini", url: standin.url, qa_url: standin.qaUrl }));
const stop = async () => {
  await standin.close();
  Deno.exit(0);
};
Deno.addSignalListener("SIGINT", stop);
Deno.addSignalListener("SIGTERM", stop);
