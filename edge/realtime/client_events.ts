/**
 * @module
 * Builders of the client events a transcription session sends, typed with the `openai`
 * package's GA Realtime types so that a shape drift fails `deno check`.
 */
import type {
  InputAudioBufferAppendEvent,
  InputAudioBufferClearEvent,
  InputAudioBufferCommitEvent,
  RealtimeTranscriptionSessionAudioInputTurnDetection,
  SessionUpdateEvent,
} from "openai/resources/realtime/realtime";
import {
  DEFAULT_TRANSCRIPTION_MODEL,
  SERVER_VAD_MODEL,
  transcriptionModelRules,
} from "./transcription_models.ts";

/** Who decides where an utterance ends. */
export type TurnDetectionMode =
  /** Our own VAD: the client commits at speech end (`turn_detection: null`). */
  | "client"
  /** The provider's server VAD commits by itself (the edge's `--vad off`). */
  | "server_vad";

/** Settings of the transcription session. */
export interface TranscriptionSessionSettings {
  /** Transcription model. @default "gpt-live-transcribe" */
  model?: string;
  /** ISO-639-1 language of the speech, e.g. "en"; improves accuracy and latency. */
  language?: string;
  /**
   * Free-text hint for the transcription model (e.g. expected vocabulary); left out for a
   * model that takes none.
   */
  prompt?: string;
  /** @default "client" */
  turnDetection?: TurnDetectionMode;
  /** Server VAD tuning, used when `turnDetection` is "server_vad". */
  serverVad?: Omit<RealtimeTranscriptionSessionAudioInputTurnDetection.ServerVad, "type">;
}

/** Thrown for session settings the chosen model refuses (caught before anything is sent). */
export class SessionSettingsError extends Error {
  override name = "SessionSettingsError";
}

/** Sample rate the GA API accepts for `audio/pcm`. */
export const REALTIME_SAMPLE_RATE = 24_000;

/**
 * `session.update` turning the connection into a transcription session. The model's rules
 * decide what goes in: a model that refuses server turn detection always gets
 * `turn_detection: null` (asking it for server VAD throws {@linkcode SessionSettingsError}),
 * and a model that takes no prompt gets none.
 */
export function sessionUpdate(
  settings: TranscriptionSessionSettings,
  eventId?: string,
  turnDetectionOverride?: TurnDetectionMode,
): SessionUpdateEvent {
  const mode = turnDetectionOverride ?? settings.turnDetection ?? "client";
  const model = settings.model ?? DEFAULT_TRANSCRIPTION_MODEL;
  const rules = transcriptionModelRules(model);
  if (mode === "server_vad" && !rules.serverTurnDetection) {
    throw new SessionSettingsError(serverTurnDetectionRefused(model));
  }
  const transcription: { model: string; language?: string; prompt?: string } = { model };
  if (settings.language) transcription.language = settings.language;
  if (settings.prompt && rules.prompt) transcription.prompt = settings.prompt;
  const event: SessionUpdateEvent = {
    type: "session.update",
    session: {
      type: "transcription",
      audio: {
        input: {
          format: { type: "audio/pcm", rate: REALTIME_SAMPLE_RATE },
          transcription,
          turn_detection: mode === "client" ? null : { type: "server_vad", ...settings.serverVad },
        },
      },
    },
  };
  if (eventId) event.event_id = eventId;
  return event;
}

/**
 * `session.update` changing only the transcription settings (model, language, prompt) of a
 * running session: the provider keeps the fields an update leaves out, so the audio format
 * and turn detection (and a server VAD mid-turn) are left alone.
 */
export function transcriptionUpdate(
  settings: TranscriptionSessionSettings,
  eventId?: string,
): SessionUpdateEvent {
  const transcription = sessionUpdate(settings, undefined, "client").session.audio?.input
    ?.transcription;
  const event: SessionUpdateEvent = {
    type: "session.update",
    session: { type: "transcription", audio: { input: transcription ? { transcription } : {} } },
  };
  if (eventId) event.event_id = eventId;
  return event;
}

/** Why a session with server turn detection cannot use `model`, naming one that can. */
export function serverTurnDetectionRefused(model: string): string {
  return `Cannot use server turn detection with ${model} as the model refuses it: use client VAD (turnDetection "client") or a model with server VAD such as ${SERVER_VAD_MODEL}`;
}

/** Encodes 24 kHz PCM16 samples as little-endian base64 for `input_audio_buffer.append`. */
export function encodePcm16Base64(samples: Int16Array): string {
  // Every platform Deno runs on is little-endian, so the typed array's bytes are already the
  // wire format; a view avoids a copy.
  return new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength).toBase64();
}

export function appendAudio(samples: Int16Array, eventId?: string): InputAudioBufferAppendEvent {
  const event: InputAudioBufferAppendEvent = {
    type: "input_audio_buffer.append",
    audio: encodePcm16Base64(samples),
  };
  if (eventId) event.event_id = eventId;
  return event;
}

export function commitAudio(eventId?: string): InputAudioBufferCommitEvent {
  const event: InputAudioBufferCommitEvent = { type: "input_audio_buffer.commit" };
  if (eventId) event.event_id = eventId;
  return event;
}

export function clearAudio(eventId?: string): InputAudioBufferClearEvent {
  const event: InputAudioBufferClearEvent = { type: "input_audio_buffer.clear" };
  if (eventId) event.event_id = eventId;
  return event;
}

/**
 * URL of a transcription session: `?intent=transcription` on the Realtime endpoint, and no
 * `model` parameter (a model in the URL makes a conversation session, which refuses a
 * transcription `session.update`).
 */
export function transcriptionUrl(base: string): string {
  const url = new URL(base);
  if (url.protocol === "https:") url.protocol = "wss:";
  if (url.protocol === "http:") url.protocol = "ws:";
  url.searchParams.delete("model");
  url.searchParams.set("intent", "transcription");
  return url.toString();
}
