/**
 * @module
 * The public contract of the `RealtimeTranscriber`: its options, events, errors and
 * counters, apart from the client so that callers and tests can name them without the
 * WebSocket machinery.
 */
import type { TranscriptionSessionSettings } from "./client_events.ts";
import type { SessionRotationSettings } from "./session_rotation.ts";
import type { TranscriptUsage } from "./server_events.ts";
import type { ReconnectPolicy } from "./reconnect_policy.ts";
import type { EdgeTracer } from "../support/edge_trace.ts";

/** Default Realtime endpoint; `OPENAI_REALTIME_URL` overrides it. */
export const DEFAULT_REALTIME_URL = "wss://api.openai.com/v1/realtime";

/** Options of `RealtimeTranscriber`. */
export interface RealtimeTranscriberOptions
  extends TranscriptionSessionSettings, SessionRotationSettings {
  /** The API key (`OPENAI_API_KEY`). */
  apiKey: string;
  /** Realtime endpoint (`OPENAI_REALTIME_URL`). @default "wss://api.openai.com/v1/realtime" */
  url?: string;
  /**
   * How the key travels: an `Authorization: Bearer` header, or the
   * `openai-insecure-api-key.<key>` subprotocol (what browsers must use).
   * @default "header"
   */
  auth?: "header" | "subprotocol";
  /** Audio is appended in batches of this length. @default 100 */
  appendIntervalMs?: number;
  /** Reconnect backoff and the "dying young" rule. */
  reconnect?: ReconnectPolicy;
  /** Time allowed from connecting to `session.updated`. @default 10_000 */
  readyTimeoutMs?: number;
  /** Segments held (not yet transcribed) at most; the oldest is dropped past it. @default 64 */
  maxHeldSegments?: number;
  /** Audio held at most, in ms. @default 600_000 */
  maxHeldAudioMs?: number;
  /** How many times a segment is re-sent after a `failed` transcription. @default 1 */
  failedRetries?: number;
  /** Trace sink. @default one LogTape record per event under ["edge", "trace"] */
  tracer?: EdgeTracer;
  /** Utterance id factory. @default monotonic ULID */
  newId?: () => string;
  /** Random source for the backoff jitter. @default Math.random */
  random?: () => number;
}

/** A final transcript: one utterance. */
export interface FinalTranscript {
  utterance_id: string;
  text: string;
  /** The provider's item id (changes if the segment had to be re-sent). */
  item_id: string;
  model: string;
  usage?: TranscriptUsage;
  /** Length of the committed audio. */
  audio_ms: number;
  /** Speech end (commit) to final transcript, when the speech end is known. */
  speech_end_to_final_ms?: number;
  /** `performance.now()` when the transcript arrived. */
  received_at: number;
}

export type TranscriberState = "idle" | "connecting" | "ready" | "waiting" | "closed" | "failed";

/** The events of a `RealtimeTranscriber`, one member each. */
export interface TranscriberEvents {
  /** Live text of a segment being transcribed (all deltas so far). */
  partial: { utterance_id: string; text: string; delta: string };
  /** The final transcript of a segment. Emitted exactly once per utterance. */
  final: FinalTranscript;
  /** A segment is lost for good (transcription failed twice, or dropped for space). */
  failed: { utterance_id: string; reason: string };
  /** A segment had nothing to say (no audio, or an empty transcript). */
  discarded: { utterance_id: string; reason: string };
  /** Connection state changes. */
  state: { state: TranscriberState; detail?: string };
  /** The client gave up (bad key, rejected session, connections dying young). */
  fatal: { error: RealtimeGiveUpError };
}

/** Thrown/emitted when the client stops trying; the message says why and what to check. */
export class RealtimeGiveUpError extends Error {
  override name = "RealtimeGiveUpError";
}

/** Thrown for misuse of the client (e.g. starting segments in server VAD mode). */
export class RealtimeUsageError extends Error {
  override name = "RealtimeUsageError";
}

/** Live counters. */
export interface TranscriberStats {
  connections: number;
  reconnects: number;
  rotations: number;
  segmentsStarted: number;
  finals: number;
  failed: number;
  discarded: number;
  resent: number;
  droppedForSpace: number;
  unknownEvents: number;
  invalidFrames: number;
  errorEvents: number;
}

/** Counters at zero. */
export function newTranscriberStats(): TranscriberStats {
  return {
    connections: 0,
    reconnects: 0,
    rotations: 0,
    segmentsStarted: 0,
    finals: 0,
    failed: 0,
    discarded: 0,
    resent: 0,
    droppedForSpace: 0,
    unknownEvents: 0,
    invalidFrames: 0,
    errorEvents: 0,
  };
}
