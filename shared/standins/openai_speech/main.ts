/**
 * @module
 * Command line of the OpenAI speech STAND-IN, for the demo and manual runs:
 *
 *   deno run --allow-net --allow-run=espeak-ng shared/standins/openai_speech/main.ts \
 *     [--port 0] [--host 127.0.0.1] [--api-key KEY] [--tone]
 *
 * Prints one JSON line `{"standin":"openai-speech","url":...}` on stdout once listening (point
 * `OPENAI_BASE_URL` at that URL) and logs to stderr.
 */
import { parseArgs } from "node:util";
import { setupLogging } from "@shared/logging/mod.ts";
import { startSpeechStandIn } from "./speech_standin.ts";

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      port: { type: "string", default: "0" },
      host: { type: "string", default: "127.0.0.1" },
      "api-key": { type: "string" },
      tone: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(
      "deno run --allow-net --allow-run=espeak-ng shared/standins/openai_speech/main.ts " +
        "[--port N] [--host H] [--api-key KEY] [--tone]",
    );
    Deno.exit(0);
  }
  const stopLogging = await setupLogging({ stderr: true });
  const standIn = await startSpeechStandIn({
    hostname: values.host,
    port: Number(values.port),
    ...(values["api-key"] !== undefined ? { apiKey: values["api-key"] } : {}),
    tone: values.tone ?? false,
  });
  console.log(JSON.stringify({ standin: "openai-speech", url: standIn.url, port: standIn.port }));
  const stop = async () => {
    await standIn.close();
    await stopLogging();
    Deno.exit(0);
  };
  Deno.addSignalListener("SIGINT", stop);
  if (Deno.build.os !== "windows") Deno.addSignalListener("SIGTERM", stop);
}
