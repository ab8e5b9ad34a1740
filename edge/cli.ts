/**
 * @module
 * Command-line flags of `deno task edge`, parsed and validated with exact messages.
 */
import { parseArgs } from "node:util";
import { z } from "zod";
import { DEFAULT_VAD_SETTINGS } from "./speech/vad_state.ts";
import { DEFAULT_TRANSCRIPTION_MODEL, serverVadProblem } from "./realtime/transcription_models.ts";
import { SPEAK_MODES } from "./speech_out/speech_config.ts";

export const EDGE_HELP =
  `Voice edge: microphone (or a file) → speech segments → transcripts → gateway tasks

Usage: deno task edge [options]

Input:
  --input FILE           play an audio file (wav, mp3, ogg, flac; any rate or channels)
                         instead of the microphone, in real time; the edge exits when the file
                         has ended and every utterance has been acknowledged
  --no-pace              with --input: process as fast as possible
  --capture TOOL         auto (default), parec, ffmpeg or sox; auto takes parec for a Linux
                         microphone (PulseAudio or PipeWire), else ffmpeg, else sox
  --device NAME          input device (default: the system's default microphone)
  --list-devices         print the devices the capture tool sees, then exit
  --frame-ms N           frame size: 10, 20 (default) or 30

Voice activity detection (Silero v5):
  --vad-only             print speech segments as JSON lines ({"start_ms","end_ms"}) and
                         touch no network
  --vad MODE             silero (default) or off (send all audio; the provider finds turns:
                         needs a model with server VAD, e.g. --model gpt-4o-transcribe)
  --vad-runtime R        auto (default: onnxruntime-node, else onnxruntime-web), node or web
  --vad-threshold P      probability that starts speech (default ${DEFAULT_VAD_SETTINGS.positiveThreshold})
  --vad-negative P       probability under which speech may end (default ${DEFAULT_VAD_SETTINGS.negativeThreshold})
  --min-speech-ms N      shorter bursts are ignored (default ${DEFAULT_VAD_SETTINGS.minSpeechMs})
  --hangover-ms N        quiet needed to end an utterance (default ${DEFAULT_VAD_SETTINGS.redemptionMs})
  --pad-ms N             audio kept before speech starts (default ${DEFAULT_VAD_SETTINGS.preSpeechPadMs})

Transcription and gateway:
  --gateway URL          gateway address (default http://127.0.0.1:8787)
  --model NAME           transcription model (default ${DEFAULT_TRANSCRIPTION_MODEL}); also
                         gpt-realtime-whisper, and the legacy gpt-4o-transcribe,
                         gpt-4o-mini-transcribe and whisper-1
  --language CODE        spoken language, e.g. en (default: detect)
  --prompt TEXT          hint for the transcriber, e.g. what the speech is about
  --vocabulary FILE      words to spell right (one per line, # comments), added to the
                         prompt with the gateway's GET /vocabulary (the coding workspace's
                         identifiers and file names)
  --no-follow            do not wait for and print the results of each utterance

Speech output (the edge says what it took, asks for confirmations, sums up results):
  --speak MODE           auto (default: OpenAI speech when OPENAI_API_KEY is set, else
                         espeak-ng when installed, else off), espeak, openai or off
  --voice NAME           voice: OpenAI's (default alloy) or espeak-ng's (default en-us)
  --speak-to DIR         also write every sentence as DIR/NNN.wav and DIR/NNN.txt (for
                         machines without a sound device)
  --barge-in             speaking while the edge speaks stops it (use with headphones);
                         by default the microphone is ignored while the edge speaks

Files:
  --data-dir DIR         outbox of unacknowledged utterances (default data)
  --logs-dir DIR         logs/windows-edge-traces.jsonl (default logs)
  --log-level LEVEL      debug, info (default), warning or error
  -h, --help             show this help

Ctrl-C stops listening and waits up to 5 s for utterances in flight, then says what is left
(undelivered utterances stay in the outbox for the next start) and exits 130, or 0 if nothing
was left; press it again to quit at once. A refused GATEWAY_TOKEN stops the edge with exit 1,
utterances kept.

Environment: OPENAI_API_KEY, OPENAI_REALTIME_URL (default wss://api.openai.com/v1/realtime),
OPENAI_BASE_URL (OpenAI speech, default https://api.openai.com/v1), GATEWAY_TOKEN,
VAD_MODEL_PATH. Without a key (and no OPENAI_REALTIME_URL stand-in on loopback), --input FILE
still prints its speech segments as --vad-only does, after one notice on stderr, and exits 0:
the file can be played again once the key is set. The microphone stops with an error instead,
as speech said to it would be lost untranscribed; try a microphone with --vad-only.`;

const Probability = z.coerce.number().min(0).max(1);
const Ms = z.coerce.number().int().min(0).max(10_000);

export const EdgeFlags = z.object({
  input: z.string().min(1).optional(),
  pace: z.boolean(),
  capture: z.enum(["auto", "parec", "ffmpeg", "sox"]),
  device: z.string().min(1).optional(),
  list_devices: z.boolean(),
  frame_ms: z.coerce.number().pipe(z.union([z.literal(10), z.literal(20), z.literal(30)], {
    error: "must be 10, 20 or 30",
  })),
  vad_only: z.boolean(),
  vad: z.enum(["silero", "off"]),
  vad_runtime: z.enum(["auto", "node", "web"]),
  vad_threshold: Probability,
  vad_negative: Probability,
  min_speech_ms: Ms,
  hangover_ms: Ms,
  pad_ms: Ms,
  gateway: z.url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" }),
  model: z.string().min(1),
  language: z.string().min(2).max(16).optional(),
  prompt: z.string().max(2000).optional(),
  vocabulary: z.string().min(1).optional(),
  follow: z.boolean(),
  speak: z.enum(SPEAK_MODES),
  voice: z.string().min(1).max(64).optional(),
  speak_to: z.string().min(1).optional(),
  barge_in: z.boolean(),
  data_dir: z.string().min(1),
  logs_dir: z.string().min(1),
  log_level: z.enum(["debug", "info", "warning", "error"]),
  help: z.boolean(),
}).refine((f) => f.vad_negative <= f.vad_threshold, {
  message: "must not exceed --vad-threshold",
  path: ["vad_negative"],
});
export type EdgeFlags = z.infer<typeof EdgeFlags>;

export class EdgeUsageError extends Error {
  override name = "EdgeUsageError";
}

export function parseEdgeFlags(args: string[]): EdgeFlags {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        input: { type: "string" },
        "no-pace": { type: "boolean" },
        capture: { type: "string" },
        device: { type: "string" },
        "list-devices": { type: "boolean" },
        "frame-ms": { type: "string" },
        "vad-only": { type: "boolean" },
        vad: { type: "string" },
        "vad-runtime": { type: "string" },
        "vad-threshold": { type: "string" },
        "vad-negative": { type: "string" },
        "min-speech-ms": { type: "string" },
        "hangover-ms": { type: "string" },
        "pad-ms": { type: "string" },
        gateway: { type: "string" },
        model: { type: "string" },
        language: { type: "string" },
        prompt: { type: "string" },
        vocabulary: { type: "string" },
        "no-follow": { type: "boolean" },
        speak: { type: "string" },
        voice: { type: "string" },
        "speak-to": { type: "string" },
        "barge-in": { type: "boolean" },
        "data-dir": { type: "string" },
        "logs-dir": { type: "string" },
        "log-level": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (err) {
    throw new EdgeUsageError(
      `${String(err instanceof Error ? err.message : err).replace(/\.$/, "")}. See --help.`,
    );
  }
  const raw = {
    input: values.input,
    pace: !values["no-pace"],
    capture: values.capture ?? "auto",
    device: values.device,
    list_devices: values["list-devices"] ?? false,
    frame_ms: values["frame-ms"] ?? "20",
    vad_only: values["vad-only"] ?? false,
    vad: values.vad ?? "silero",
    vad_runtime: values["vad-runtime"] ?? "auto",
    vad_threshold: values["vad-threshold"] ?? String(DEFAULT_VAD_SETTINGS.positiveThreshold),
    vad_negative: values["vad-negative"] ?? String(DEFAULT_VAD_SETTINGS.negativeThreshold),
    min_speech_ms: values["min-speech-ms"] ?? String(DEFAULT_VAD_SETTINGS.minSpeechMs),
    hangover_ms: values["hangover-ms"] ?? String(DEFAULT_VAD_SETTINGS.redemptionMs),
    pad_ms: values["pad-ms"] ?? String(DEFAULT_VAD_SETTINGS.preSpeechPadMs),
    gateway: values.gateway ?? "http://127.0.0.1:8787",
    model: values.model ?? DEFAULT_TRANSCRIPTION_MODEL,
    language: values.language,
    prompt: values.prompt,
    vocabulary: values.vocabulary,
    follow: !values["no-follow"],
    speak: values.speak ?? "auto",
    voice: values.voice,
    speak_to: values["speak-to"],
    barge_in: values["barge-in"] ?? false,
    data_dir: values["data-dir"] ?? "data",
    logs_dir: values["logs-dir"] ?? "logs",
    log_level: values["log-level"] ?? "info",
    help: values.help ?? false,
  };
  const parsed = EdgeFlags.safeParse(
    Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined)),
  );
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new EdgeUsageError(
      `Invalid --${String(issue.path[0]).replaceAll("_", "-")}: ${issue.message}. See --help.`,
    );
  }
  // The current models refuse server turn detection: say so now rather than at connect.
  const vadProblem = parsed.data.vad === "off" && !parsed.data.vad_only
    ? serverVadProblem(parsed.data.model)
    : undefined;
  if (vadProblem) throw new EdgeUsageError(vadProblem);
  return parsed.data;
}
