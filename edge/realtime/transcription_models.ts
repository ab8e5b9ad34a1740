/**
 * @module
 * What each OpenAI realtime transcription model accepts, in one table: whether it takes
 * server turn detection and a `prompt`. The current generation (`gpt-live-transcribe`,
 * `gpt-realtime-whisper`) refuses `turn_detection` ("Turn detection is not supported for this
 * transcription model"), so the client must commit every utterance itself; the legacy
 * models still take server VAD. Dated snapshots (`gpt-4o-mini-transcribe-2025-12-15`) follow
 * their family. Pure: no I/O.
 */

/** The transcription model used when none is named. */
export const DEFAULT_TRANSCRIPTION_MODEL = "gpt-live-transcribe";

/** A model that supports server VAD, named in errors about models that refuse it. */
export const SERVER_VAD_MODEL = "gpt-4o-transcribe";

/** What a transcription model accepts in a realtime transcription session. */
export interface TranscriptionModelRules {
  /** The family name (the model without a date suffix), or the model itself when unknown. */
  family: string;
  /** `current` or `legacy`; `unknown` for a name not in the table (sent as given). */
  generation: "current" | "legacy" | "unknown";
  /** Takes `turn_detection: { type: "server_vad" }`. */
  serverTurnDetection: boolean;
  /** Takes `transcription.prompt` (where the vocabulary goes). */
  prompt: boolean;
}

/** The supported models, current generation first. */
export const TRANSCRIPTION_MODELS: readonly TranscriptionModelRules[] = [
  {
    family: "gpt-live-transcribe",
    generation: "current",
    serverTurnDetection: false,
    prompt: true,
  },
  // The GA reference: "prompt is not supported for gpt-realtime-whisper".
  {
    family: "gpt-realtime-whisper",
    generation: "current",
    serverTurnDetection: false,
    prompt: false,
  },
  { family: "gpt-4o-transcribe", generation: "legacy", serverTurnDetection: true, prompt: true },
  {
    family: "gpt-4o-mini-transcribe",
    generation: "legacy",
    serverTurnDetection: true,
    prompt: true,
  },
  { family: "whisper-1", generation: "legacy", serverTurnDetection: true, prompt: true },
];

const DATED = /^(.+?)-\d{4}-\d{2}-\d{2}$/;

/**
 * The rules of `model`. A name the table does not know is sent as given with everything
 * allowed: the provider's answer (an `error` event) is then the authority, and the client
 * reports it.
 */
export function transcriptionModelRules(model: string): TranscriptionModelRules {
  const name = model.trim();
  const family = DATED.exec(name)?.[1] ?? name;
  const known = TRANSCRIPTION_MODELS.find((r) => r.family === family);
  if (known) return { ...known };
  return { family: name, generation: "unknown", serverTurnDetection: true, prompt: true };
}

/** True when the session for `model` must never carry server turn detection. */
export function refusesServerTurnDetection(model: string): boolean {
  return !transcriptionModelRules(model).serverTurnDetection;
}

/**
 * The one-line reason `--vad off` (server turn detection) cannot run with `model`, or
 * `undefined` when it can. Names a model that supports server VAD.
 */
export function serverVadProblem(model: string): string | undefined {
  if (!refusesServerTurnDetection(model)) return undefined;
  return `Cannot use --vad off with --model ${model} as it refuses server turn detection: keep --vad silero (the default), or name a model with server VAD such as --model ${SERVER_VAD_MODEL}`;
}
