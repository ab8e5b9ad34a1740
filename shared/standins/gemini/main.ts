/**
 * @module
 * CLI of the Gemini API STAND-IN (it also serves the QA dashboard at `/qa/`):
 *
 *   deno run --allow-net shared/standins/gemini/main.ts [--port 0] [--script auto] [--api-key K]
 *
 * `--script`: `auto` (default: the confirmation script for requests to save or submit, the QA
 * script otherwise), `qa`, `confirm` or `unknown_action`; each speaks the Computer Use function
 * set of the model a request names (legacy names for the legacy models, current ones otherwise). `--api-key`: accept only this key
 * (default: any non-empty key). Prints `{"standin":"gemini","url":...,"qa_url":...}` on stdout
 * once listening; stops on SIGINT/SIGTERM.
 */
import { parseArgs } from "node:util";
import { startGeminiStandIn } from "./gemini_standin.ts";
import { scriptByName, type ScriptName, SCRIPTS } from "./gemini_scripts.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    port: { type: "string", default: "0" },
    script: { type: "string", default: "auto" },
    "api-key": { type: "string" },
  },
});
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`Cannot listen as '--port' must be 0..65535: current value is ${values.port}`);
  Deno.exit(2);
}
const names = ["auto", ...Object.keys(SCRIPTS)];
if (!names.includes(values.script)) {
  console.error(
    `Cannot script the stand-in as '--script' must be one of ${
      names.join(", ")
    }: current value is ${values.script}`,
  );
  Deno.exit(2);
}
const standin = startGeminiStandIn({
  port,
  script: scriptByName(values.script as ScriptName),
  ...(values["api-key"] ? { apiKey: values["api-key"] } : {}),
});
console.log(JSON.stringify({ standin: "gemini", url: standin.url, qa_url: standin.qaUrl }));
const stop = async () => {
  await standin.close();
  Deno.exit(0);
};
Deno.addSignalListener("SIGINT", stop);
if (Deno.build.os !== "windows") Deno.addSignalListener("SIGTERM", stop);
