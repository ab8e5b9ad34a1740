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

/** Who decides where an utterance ends. */
export type TurnDetectionMode =
  /** Our own VAD: the client commits at speech end (`turn_detection: null`). */
  | "client"
  /** The provider's server VAD commits by itself (the edge's `--vad off`). */
  | "server_vad";

/** Settings of the transcription session. */
export interface TranscriptionSessionSettings {
  /** Transcription model. @default "gpt-4o-transcribe" */
  model?: string;
  /** ISO-639-1 language of the speech, e.g. "en"; improves accuracy and latency. */
  language?: string;
  /** Free-text hint for the transcription model (e.g. expected vocabulary). */
  prompt?: string;
  /** @default "client" */
  turnDetection?: TurnDetectionMode;
  /** Server VAD tuning, used when `turnDetection` is "server_vad". */
  serverVad?: Omit<RealtimeTranscriptionSessionAudioInputTurnDetection.ServerVad, "type">;
}

export const DEFAULT_TRANSCRIPTION_MODEL = "gpt-4o-transcribe";

/** Sample rate the GA API accepts for `audio/pcm`. */
export const REALTIME_SAMPLE_RATE = 24_000;

/** `session.update` turning the connection into a transcription session. */
export function sessionUpdate(
  settings: TranscriptionSessionSettings,
  eventId?: string,
  turnDetectionOverride?: TurnDetectionMode,
): SessionUpdateEvent {
  const mode = turnDetectionOverride ?? settings.turnDetection ?? "client";
  const transcription: { model: string; language?: string; prompt?: string } = {
    model: settings.model ?? DEFAULT_TRANSCRIPTION_MODEL,
  };
  if (settings.language) transcription.language = settings.language;
  if (settings.prompt) transcription.prompt = settings.prompt;
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
