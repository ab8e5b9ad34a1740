/**
 * @module
 * CLI of the Anthropic Messages API STAND-IN:
 *
 *   deno run --allow-net shared/standins/anthropic/main.ts [--port 0] [--hostname 127.0.0.1]
 *     [--api-key KEY] [--fault 529 --fault drop ...] [--cache-min-tokens 1024]
 *     [--thinking summarized|redacted|none]
 *
 * Prints `{"standin":"anthropic","url":...}` on stdout once listening; logs on stderr.
 */
import { parseArgs } from "node:util";
import { startAnthropicStandIn } from "./anthropic_standin.ts";
import { FaultSpecError, parseFaultSpec } from "./fault_spec.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    port: { type: "string" },
    hostname: { type: "string" },
    "api-key": { type: "string" },
    fault: { type: "string", multiple: true },
    "cache-min-tokens": { type: "string" },
    thinking: { type: "string" },
  },
});
const THINKING = ["summarized", "redacted", "none"] as const;
const thinking = values.thinking as (typeof THINKING)[number] | undefined;
if (thinking !== undefined && !THINKING.includes(thinking)) {
  console.error(
    `--thinking must be one of ${THINKING.join(", ")}: current value is '${values.thinking}'`,
  );
  Deno.exit(2);
}
let faults;
try {
  faults = (values.fault ?? []).map(parseFaultSpec);
} catch (err) {
  if (!(err instanceof FaultSpecError)) throw err;
  console.error(err.message);
  Deno.exit(2);
}
const standin = await startAnthropicStandIn({
  port: Number(values.port ?? 0),
  faults,
  ...(values.hostname ? { hostname: values.hostname } : {}),
  ...(values["api-key"] ? { apiKey: values["api-key"] } : {}),
  ...(values["cache-min-tokens"] ? { cacheMinTokens: Number(values["cache-min-tokens"]) } : {}),
  ...(thinking ? { thinking } : {}),
});
console.log(JSON.stringify({ standin: "anthropic", url: standin.url }));
const stop = async () => {
  await standin.close();
  Deno.exit(0);
};
Deno.addSignalListener("SIGINT", stop);
Deno.addSignalListener("SIGTERM", stop);
