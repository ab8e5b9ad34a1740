/**
 * @module
 * Command line of the OpenAI Realtime STAND-IN, for the demo and manual runs:
 *
 *   deno run --allow-net --allow-read --allow-env shared/standins/openai_realtime/main.ts \
 *     [--port 0] [--host 127.0.0.1] [--api-key KEY] [--fixtures DIR] [--script "a|b"] \
 *     [--delay-ms N] [--delta-interval-ms N] [--max-session-ms N] [--fault SPEC ...]
 *
 * Prints one JSON line `{"standin":"openai-realtime","url":...}` on stdout once listening
 * (point `OPENAI_REALTIME_URL` at that URL) and logs to stderr. Fault SPECs: `drop`,
 * `drop:3` (after 3 appends), `drop_after_commit`, `delay:500`, `error`, `reject_auth`,
 * `reject_auth:403`, `failed`, `garbage`, `drop_on_connect`.
 */
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { setupLogging } from "@shared/logging/mod.ts";
import { type RealtimeFault, startRealtimeStandIn } from "./realtime_standin.ts";
import { fixtureScript, loadFixtures, type TranscriptScript } from "./transcript_script.ts";

/** Thrown for a `--fault` the stand-in does not know. */
export class InvalidFaultSpecError extends Error {
  override name = "InvalidFaultSpecError";
}

/** Parses a `--fault` value. */
export function parseFault(spec: string): RealtimeFault {
  const [name, arg] = spec.split(":", 2) as [string, string | undefined];
  const n = arg === undefined ? undefined : Number(arg);
  if (n !== undefined && !Number.isFinite(n)) {
    throw new InvalidFaultSpecError(
      `Cannot use the fault '${spec}' as its argument must be a number: current value is '${arg}'`,
    );
  }
  switch (name) {
    case "drop":
      return n === undefined ? { type: "drop" } : { type: "drop", afterAppends: n };
    case "drop_after_commit":
      return { type: "drop_after_commit" };
    case "delay":
      return { type: "delay", ms: n ?? 1000 };
    case "error":
      return { type: "error" };
    case "reject_auth":
      return n === 403 ? { type: "reject_auth", status: 403 } : { type: "reject_auth" };
    case "failed":
      return { type: "failed" };
    case "garbage":
      return { type: "garbage" };
    case "drop_on_connect":
      return n === undefined ? { type: "drop_on_connect" } : { type: "drop_on_connect", count: n };
    default:
      throw new InvalidFaultSpecError(
        `Cannot use the fault '${spec}' as it is unknown: use drop[:N], drop_after_commit, delay[:MS], error, reject_auth[:403], failed, garbage or drop_on_connect[:N]`,
      );
  }
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      port: { type: "string", default: "0" },
      host: { type: "string", default: "127.0.0.1" },
      "api-key": { type: "string" },
      fixtures: { type: "string" },
      script: { type: "string" },
      "delay-ms": { type: "string", default: "0" },
      "delta-interval-ms": { type: "string", default: "0" },
      "max-session-ms": { type: "string" },
      fault: { type: "string", multiple: true, default: [] },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(
      "deno run --allow-net --allow-read --allow-env shared/standins/openai_realtime/main.ts " +
        "[--port N] [--host H] [--api-key KEY] [--fixtures DIR] [--script 'a|b'] " +
        "[--delay-ms N] [--delta-interval-ms N] [--max-session-ms N (default 3600000)] [--fault SPEC ...]",
    );
    Deno.exit(0);
  }
  const maxSessionMs = values["max-session-ms"];
  if (maxSessionMs !== undefined && !(Number(maxSessionMs) > 0)) {
    console.error(
      `error: Invalid --max-session-ms: must be a positive number of ms: current value is '${maxSessionMs}'`,
    );
    Deno.exit(2);
  }
  const stopLogging = await setupLogging({ stderr: true });
  let script: TranscriptScript;
  if (values.script !== undefined) script = values.script.split("|");
  else {
    const dir = values.fixtures ?? fileURLToPath(new URL("./fixtures/", import.meta.url));
    script = fixtureScript(await loadFixtures(dir));
  }
  const standIn = await startRealtimeStandIn({
    hostname: values.host,
    port: Number(values.port),
    ...(values["api-key"] !== undefined ? { apiKey: values["api-key"] } : {}),
    script,
    transcriptDelayMs: Number(values["delay-ms"]),
    deltaIntervalMs: Number(values["delta-interval-ms"]),
    faults: values.fault.map(parseFault),
    ...(maxSessionMs !== undefined ? { maxSessionMs: Number(maxSessionMs) } : {}),
  });
  console.log(JSON.stringify({ standin: "openai-realtime", url: standIn.url, port: standIn.port }));
  const stop = async () => {
    await standIn.close();
    await stopLogging();
    Deno.exit(0);
  };
  Deno.addSignalListener("SIGINT", stop);
  if (Deno.build.os !== "windows") Deno.addSignalListener("SIGTERM", stop);
}
