/**
 * @module
 * Which voice the edge speaks with, from `--speak`, `--voice` and the environment. Pure: what
 * is installed is passed in.
 *
 * - `openai`: OpenAI speech (`POST /v1/audio/speech`, `gpt-4o-mini-tts`, streamed PCM) at
 *   `OPENAI_BASE_URL` (the `openai` SDK's own variable; default `https://api.openai.com/v1`).
 *   The speech stand-in is reached by pointing `OPENAI_BASE_URL` at it; a loopback base URL
 *   needs no key, as with the Realtime stand-in. `OPENAI_REALTIME_URL` is not used for it: a
 *   Realtime endpoint (or its stand-in) does not serve speech.
 * - `espeak`: the local `espeak-ng`.
 * - `auto`: `openai` when `OPENAI_API_KEY` is set (or `OPENAI_BASE_URL` is a loopback
 *   stand-in), else `espeak` when installed, else off with one notice.
 */
import { z } from "zod";

export const SPEAK_MODES = ["auto", "espeak", "openai", "off"] as const;
export type SpeakMode = typeof SPEAK_MODES[number];

/** The speech model of OpenAI speech. */
export const OPENAI_SPEECH_MODEL = "gpt-4o-mini-tts";
/** @default voices */
export const DEFAULT_OPENAI_VOICE = "alloy";
export const DEFAULT_ESPEAK_VOICE = "en-us";
export const DEFAULT_OPENAI_BASE_URL = "https://api.openai.com/v1";
/** Key sent to a loopback stand-in when no key is set. */
export const STANDIN_SPEECH_KEY = "sk-standin-no-key";

/** How the edge speaks. */
export type SpeechPlan =
  | { engine: "openai"; baseUrl: string; apiKey: string; model: string; voice: string }
  | { engine: "espeak"; voice: string }
  | { engine: "off"; notice?: string };

/** Thrown when the chosen voice cannot be used. */
export class SpeechConfigError extends Error {
  override name = "SpeechConfigError";
}

/** The notice printed once when `auto` finds no voice. */
export const NO_VOICE_NOTICE =
  "notice: speech is off: set OPENAI_API_KEY or install espeak-ng to hear results (--speak off hides this notice)";

const Env = z.object({
  OPENAI_API_KEY: z.string().trim().min(1).optional(),
  OPENAI_BASE_URL: z.string().trim().min(1).optional(),
});

function isLoopback(url: URL): boolean {
  return ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);
}

/** Decides how the edge speaks. */
export function planSpeech(input: {
  mode: SpeakMode;
  voice?: string;
  env: Record<string, string | undefined>;
  espeakInstalled: boolean;
}): SpeechPlan {
  const { mode, voice, espeakInstalled } = input;
  if (mode === "off") return { engine: "off" };
  const espeak: SpeechPlan = { engine: "espeak", voice: voice ?? DEFAULT_ESPEAK_VOICE };
  if (mode === "espeak") {
    if (!espeakInstalled) {
      throw new SpeechConfigError(
        "Cannot speak with espeak-ng as it is not installed: install it (apt install espeak-ng, brew install espeak-ng, or from github.com/espeak-ng/espeak-ng on Windows) or use --speak openai",
      );
    }
    return espeak;
  }
  const env = Env.parse({
    OPENAI_API_KEY: input.env.OPENAI_API_KEY?.trim() || undefined,
    OPENAI_BASE_URL: input.env.OPENAI_BASE_URL?.trim() || undefined,
  });
  const base = env.OPENAI_BASE_URL ?? DEFAULT_OPENAI_BASE_URL;
  let baseUrl: URL;
  try {
    baseUrl = new URL(base);
    if (baseUrl.protocol !== "http:" && baseUrl.protocol !== "https:") throw new Error();
  } catch {
    throw new SpeechConfigError(
      `Cannot speak with OpenAI as 'OPENAI_BASE_URL' must be an http:// or https:// URL: current value is '${base}'`,
    );
  }
  const apiKey = env.OPENAI_API_KEY ?? (isLoopback(baseUrl) ? STANDIN_SPEECH_KEY : undefined);
  const openai = (key: string): SpeechPlan => ({
    engine: "openai",
    baseUrl: base.replace(/\/+$/, ""),
    apiKey: key,
    model: OPENAI_SPEECH_MODEL,
    voice: voice ?? DEFAULT_OPENAI_VOICE,
  });
  switch (mode) {
    case "openai":
      if (!apiKey) {
        throw new SpeechConfigError(
          `Cannot speak with OpenAI as 'OPENAI_API_KEY' is not set: set it, point OPENAI_BASE_URL at a local stand-in, or use --speak espeak`,
        );
      }
      return openai(apiKey);
    case "auto":
      if (apiKey) return openai(apiKey);
      if (espeakInstalled) return espeak;
      return { engine: "off", notice: NO_VOICE_NOTICE };
  }
}

/** One line saying how the edge speaks, for the start banner. */
export function describePlan(plan: SpeechPlan): string {
  switch (plan.engine) {
    case "openai":
      return `speaking with ${plan.model} (${plan.voice}) at ${plan.baseUrl}`;
    case "espeak":
      return `speaking with espeak-ng (${plan.voice})`;
    case "off":
      return "not speaking";
  }
}
