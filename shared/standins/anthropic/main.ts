/**
 * @module
 * CLI of the Anthropic Messages API STAND-IN:
 *   deno run --allow-net shared/standins/anthropic/main.ts [--port 0] [--api-key KEY]
 * Prints `{"standin":"anthropic","url":...}` on stdout once listening.
 */
import { parseArgs } from "node:util";
import { startAnthropicStandIn } from "./anthropic_standin.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: { port: { type: "string" }, "api-key": { type: "string" } },
});
const standin = await startAnthropicStandIn({
  port: Number(values.port ?? 0),
  ...(values["api-key"] ? { apiKey: values["api-key"] } : {}),
});
console.log(JSON.stringify({ standin: "anthropic", url: standin.url }));
const stop = async () => {
  await standin.close();
  Deno.exit(0);
};
Deno.addSignalListener("SIGINT", stop);
Deno.addSignalListener("SIGTERM", stop);
