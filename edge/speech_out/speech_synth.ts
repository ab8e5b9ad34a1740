/**
 * @module
 * The two voices of the edge behind one interface: OpenAI speech through the `openai` SDK
 * (`audio.speech.create`, `response_format: "pcm"`, read as a stream of 24 kHz 16-bit mono
 * PCM while it arrives) and the local `espeak-ng`. Both hand out audio as soon as it exists,
 * so playback starts before a sentence is fully made.
 */
import OpenAI from "openai";
import { espeakPcm, type PcmChunk } from "@shared/audio/espeak_stream.ts";
import { Pcm16Reader } from "@shared/audio/pcm16_reader.ts";
import type { SpeechPlan } from "./speech_config.ts";

export type { PcmChunk };

/** Turns text into streamed PCM. */
export interface SpeechSynth {
  /** Named in logs and the start banner. */
  readonly label: string;
  speak(text: string, signal: AbortSignal): AsyncIterable<PcmChunk>;
}

/** Rate of OpenAI speech's `pcm` format. */
export const OPENAI_PCM_RATE = 24_000;

/** Thrown when the speech API refuses or fails a sentence. */
export class SpeechSynthError extends Error {
  override name = "SpeechSynthError";
}

/** OpenAI speech (or its stand-in), through the real SDK. */
export class OpenAiSynth implements SpeechSynth {
  readonly label: string;
  readonly #client: OpenAI;
  readonly #model: string;
  readonly #voice: string;

  constructor(plan: { baseUrl: string; apiKey: string; model: string; voice: string }) {
    this.label = `${plan.model} at ${plan.baseUrl}`;
    // One retry: a sentence late by more than a few seconds is no longer worth saying.
    this.#client = new OpenAI({
      apiKey: plan.apiKey,
      baseURL: plan.baseUrl,
      maxRetries: 1,
      timeout: 15_000,
    });
    this.#model = plan.model;
    this.#voice = plan.voice;
  }

  async *speak(text: string, signal: AbortSignal): AsyncIterable<PcmChunk> {
    let res: Response;
    try {
      res = await this.#client.audio.speech.create({
        model: this.#model,
        voice: this.#voice,
        input: text,
        response_format: "pcm",
      }, { signal });
    } catch (error) {
      if (signal.aborted) return;
      throw new SpeechSynthError(
        `OpenAI speech refused the sentence: ${(error as Error).message}`,
        { cause: error },
      );
    }
    if (!res.body) return;
    const reader = new Pcm16Reader();
    for await (const piece of res.body) {
      const samples = reader.push(piece);
      if (samples.length > 0) yield { sampleRate: OPENAI_PCM_RATE, samples };
    }
  }
}

/** The local espeak-ng. */
export class EspeakSynth implements SpeechSynth {
  readonly label: string;
  readonly #voice: string;

  constructor(voice: string) {
    this.label = `espeak-ng (${voice})`;
    this.#voice = voice;
  }

  speak(text: string, signal: AbortSignal): AsyncIterable<PcmChunk> {
    return espeakPcm(text, { voice: this.#voice, signal });
  }
}

/** The synth for a plan; none when speech is off. */
export function createSynth(plan: SpeechPlan): SpeechSynth | undefined {
  switch (plan.engine) {
    case "openai":
      return new OpenAiSynth(plan);
    case "espeak":
      return new EspeakSynth(plan.voice);
    case "off":
      return undefined;
  }
}
