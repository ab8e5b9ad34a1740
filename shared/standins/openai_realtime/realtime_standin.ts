/**
 * @module
 * A local STAND-IN for the OpenAI Realtime API (GA), transcription sessions only, for tests
 * and the offline demo. It speaks the same WebSocket events, typed with the `openai`
 * package's own types: it authenticates like the API (header or subprotocol), validates
 * `session.update` and every `input_audio_buffer.append` (format, rate, base64), keeps the
 * audio per item, and answers each commit with `input_audio_buffer.committed`, transcript
 * `delta` events and `completed` (with usage) from a script. Faults can be injected: drop the
 * socket mid-utterance, delay, `error` events, auth rejection, `failed` transcriptions,
 * garbage frames.
 *
 * It applies the API's model rules: the current-generation models (`gpt-live-transcribe`,
 * `gpt-realtime-whisper`) refuse server turn detection with the API's `error` event, and a
 * session older than its maximum duration (60 minutes; shorter for tests) gets
 * `session_expired` and is closed. Every transcription prompt it receives is recorded, so
 * tests can see the vocabulary arrive.
 */
import { getLogger } from "@logtape/logtape";
import { z } from "zod";
import type {
  RealtimeServerEvent,
  RealtimeTranscriptionSessionCreateRequest,
} from "openai/resources/realtime/realtime";
import { decodePcm16Base64, InvalidAudioError } from "./pcm_codec.ts";
import { EnergyVad } from "./energy_vad.ts";
import {
  type CommittedAudio,
  scriptFunction,
  type TranscriptFn,
  type TranscriptScript,
} from "./transcript_script.ts";

const log = getLogger(["standin", "openai-realtime"]);

/** Only rate the GA API accepts for `audio/pcm`. */
const RATE = 24_000;
/** The API refuses to commit less audio than this. */
const MIN_COMMIT_MS = 100;
/** Transcription models the stand-in accepts (the provider's list, dated versions included). */
const TRANSCRIPTION_MODELS =
  /^(whisper-1|gpt-4o(-mini)?-transcribe(-[\w-]+)?|gpt-realtime-whisper|gpt-(live-)?transcribe(-[\w-]+)?)$/;
/** Models that answer any `turn_detection` but null with an error (the client commits). */
const NO_TURN_DETECTION_MODELS =
  /^(gpt-live-transcribe|gpt-realtime-whisper)(-\d{4}-\d{2}-\d{2})?$/;
/** The GA session limit. */
const MAX_SESSION_MS = 60 * 60_000;

/** A fault armed with {@linkcode RealtimeStandIn.inject} or the `faults` option. */
export type RealtimeFault =
  /** Close the socket after `afterAppends` more appends (default 0: on the next one). */
  | { type: "drop"; afterAppends?: number }
  /** Close the socket right after the next `committed`, before any transcript. */
  | { type: "drop_after_commit" }
  /** Hold the next transcript back for `ms`. */
  | { type: "delay"; ms: number }
  /** Send an `error` event (a server error unrelated to any client event) at the next commit. */
  | { type: "error"; code?: string; message?: string }
  /** Refuse the next `count` connections (default 1) with this HTTP status (default 401). */
  | { type: "reject_auth"; status?: 401 | 403; count?: number }
  /** Answer the next committed item with `...transcription.failed`. */
  | { type: "failed"; message?: string }
  /** Send a non-JSON text frame, a binary frame and an unknown event at the next commit. */
  | { type: "garbage" }
  /** Accept the next `count` connections (default 1), then close them at once. */
  | { type: "drop_on_connect"; count?: number };

/** Options of {@linkcode startRealtimeStandIn}. */
export interface RealtimeStandInOptions {
  /** @default "127.0.0.1" */
  hostname?: string;
  /** 0 picks a free port. @default 0 */
  port?: number;
  /** The only key accepted; when omitted any non-empty key is. */
  apiKey?: string;
  /** What the stand-in "hears". @default placeholders saying how much audio was heard */
  script?: TranscriptScript;
  /** Delay before the first delta of every transcript. @default 0 */
  transcriptDelayMs?: number;
  /** Delay between deltas. @default 0 */
  deltaIntervalMs?: number;
  /** Faults armed from the start. */
  faults?: RealtimeFault[];
  /** Called with each client event's type as it arrives (benchmarks time commits with it). */
  onClientEvent?: (type: string) => void;
  /**
   * A session older than this gets `session_expired` and is closed, as the API does at 60
   * minutes. @default 3_600_000
   */
  maxSessionMs?: number;
}

/** Counters and transcripts, live. */
export interface RealtimeStandInStats {
  connections: number;
  authRejected: number;
  appends: number;
  appendedMs: number;
  commits: number;
  clears: number;
  /** Texts of the `completed` events sent, in order. */
  transcripts: string[];
  failedSent: number;
  errorsSent: number;
  /** Client event types received, counted. */
  received: Record<string, number>;
  /** Every non-empty `transcription.prompt` received in a `session.update`, in order. */
  prompts: string[];
  /** `session.update`s refused for asking a model that refuses it for turn detection. */
  turnDetectionRefused: number;
  /** Sessions closed for reaching the maximum duration. */
  expired: number;
}

/** A running stand-in. */
export interface RealtimeStandIn {
  /** Base URL for `OPENAI_REALTIME_URL`, e.g. `ws://127.0.0.1:41234/v1/realtime`. */
  url: string;
  port: number;
  stats: RealtimeStandInStats;
  /** Arms a fault. */
  inject(fault: RealtimeFault): void;
  /** Closes every socket (as the provider going away would) without stopping the server. */
  dropAll(): void;
  /** Stops the server and closes every socket. */
  close(): Promise<void>;
}

const TurnDetection = z.union([
  z.null(),
  z.looseObject({
    type: z.literal("server_vad"),
    threshold: z.number().min(0).max(1).optional(),
    prefix_padding_ms: z.number().int().nonnegative().optional(),
    silence_duration_ms: z.number().int().positive().optional(),
  }),
  z.looseObject({ type: z.literal("semantic_vad") }),
]);

const SessionUpdate = z.object({
  type: z.literal("session.update"),
  event_id: z.string().optional(),
  session: z.looseObject({
    type: z.enum(["transcription", "realtime"]),
    audio: z.looseObject({
      input: z.looseObject({
        format: z.looseObject({ type: z.string().optional(), rate: z.number().optional() })
          .optional(),
        transcription: z.looseObject({
          model: z.string().optional(),
          language: z.string().optional(),
          prompt: z.string().optional(),
        }).nullable().optional(),
        turn_detection: TurnDetection.optional(),
        noise_reduction: z.unknown().optional(),
      }).optional(),
    }).optional(),
    include: z.array(z.string()).optional(),
  }),
});

const Append = z.object({
  type: z.literal("input_audio_buffer.append"),
  event_id: z.string().optional(),
  audio: z.string(),
});
const Commit = z.object({
  type: z.literal("input_audio_buffer.commit"),
  event_id: z.string().optional(),
});
const Clear = z.object({
  type: z.literal("input_audio_buffer.clear"),
  event_id: z.string().optional(),
});

interface Connection {
  id: number;
  ws: WebSocket;
  transcriptionIntent: boolean;
  model: string;
  language?: string;
  prompt?: string;
  serverVad: { silenceMs: number; prefixMs: number; vad: EnergyVad } | null;
  /** Uncommitted audio and where (ms of the stream) it starts. */
  buffer: Int16Array[];
  bufferSamples: number;
  bufferStartSample: number;
  streamSamples: number;
  vadItemId: string | null;
  vadStartMs: number;
  lastItemId: string | null;
  closed: boolean;
  expiry?: ReturnType<typeof setTimeout>;
}

let eventCounter = 0;
function eventId(): string {
  return `event_standin_${(++eventCounter).toString(36)}`;
}

function concat(parts: readonly Int16Array[], total: number): Int16Array {
  const out = new Int16Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** FNV-1a over the samples: the same audio re-sent after a reconnect gets the same text. */
function audioHash(samples: Int16Array): string {
  let h = 0x811c9dc5;
  const bytes = new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength);
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return `${samples.length}:${h.toString(16)}`;
}

function keyFromRequest(req: Request): { key: string | null; offeredRealtime: boolean } {
  const auth = req.headers.get("authorization");
  const protocols = (req.headers.get("sec-websocket-protocol") ?? "")
    .split(",").map((p) => p.trim()).filter((p) => p.length > 0);
  const fromProtocol = protocols.find((p) => p.startsWith("openai-insecure-api-key."));
  const fromHeader = auth?.match(/^Bearer\s+(.+)$/i)?.[1]?.trim();
  return {
    key: fromHeader ?? fromProtocol?.slice("openai-insecure-api-key.".length) ?? null,
    offeredRealtime: protocols.includes("realtime"),
  };
}

function jsonError(status: number, message: string, code: string | null): Response {
  return Response.json({ error: { message, type: "invalid_request_error", param: null, code } }, {
    status,
  });
}

/** Starts a stand-in Realtime server on loopback. */
export function startRealtimeStandIn(
  options: RealtimeStandInOptions = {},
): Promise<RealtimeStandIn> {
  const script: TranscriptFn = scriptFunction(options.script);
  const faults: RealtimeFault[] = [...(options.faults ?? [])];
  const stats: RealtimeStandInStats = {
    connections: 0,
    authRejected: 0,
    appends: 0,
    appendedMs: 0,
    commits: 0,
    clears: 0,
    transcripts: [],
    failedSent: 0,
    errorsSent: 0,
    received: {},
    prompts: [],
    turnDetectionRefused: 0,
    expired: 0,
  };
  const connections = new Set<Connection>();
  const timers = new Set<ReturnType<typeof setTimeout>>();
  /** Texts already given to distinct audio, so a re-sent segment is heard the same. */
  const heard = new Map<string, Promise<string>>();
  let itemCounter = 0;
  let connectionCounter = 0;

  function takeFault<T extends RealtimeFault["type"]>(
    type: T,
  ): Extract<RealtimeFault, { type: T }> | undefined {
    const i = faults.findIndex((f) => f.type === type);
    if (i < 0) return undefined;
    return faults.splice(i, 1)[0] as Extract<RealtimeFault, { type: T }>;
  }

  function later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  }

  function send(conn: Connection, event: RealtimeServerEvent): void {
    if (conn.closed || conn.ws.readyState !== WebSocket.OPEN) return;
    conn.ws.send(JSON.stringify(event));
  }

  function sendError(
    conn: Connection,
    message: string,
    code: string | null,
    clientEventId?: string,
    param?: string,
  ): void {
    stats.errorsSent++;
    log.info("stand-in sends error {code}: {message}", { code, message });
    send(conn, {
      type: "error",
      event_id: eventId(),
      error: {
        type: "invalid_request_error",
        code,
        message,
        param: param ?? null,
        event_id: clientEventId ?? null,
      },
    });
  }

  function drop(conn: Connection, reason: string): void {
    if (conn.closed) return;
    log.info("stand-in drops connection {id}: {reason}", { id: conn.id, reason });
    conn.closed = true;
    try {
      conn.ws.close(1011, `stand-in fault: ${reason}`);
    } catch { /* already closing */ }
  }

  /** The API's end of a session at its maximum duration: an error event, then the close. */
  function expire(conn: Connection, maxMs: number): void {
    if (conn.closed) return;
    stats.expired++;
    const minutes = maxMs / 60_000;
    const duration = Number.isInteger(minutes) ? `${minutes} minutes` : `${maxMs} ms`;
    sendError(conn, `Your session hit the maximum duration of ${duration}.`, "session_expired");
    conn.closed = true;
    try {
      conn.ws.close(1000, "session expired");
    } catch { /* already closing */ }
  }

  function sessionObject(conn: Connection): RealtimeTranscriptionSessionCreateRequest {
    const transcription: { model: string; language?: string; prompt?: string } = {
      model: conn.model,
    };
    if (conn.language) transcription.language = conn.language;
    if (conn.prompt) transcription.prompt = conn.prompt;
    return {
      type: "transcription",
      audio: {
        input: {
          format: { type: "audio/pcm", rate: RATE },
          transcription,
          turn_detection: conn.serverVad
            ? {
              type: "server_vad",
              prefix_padding_ms: conn.serverVad.prefixMs,
              silence_duration_ms: conn.serverVad.silenceMs,
            }
            : null,
        },
      },
    };
  }

  function onSessionUpdate(conn: Connection, raw: unknown): void {
    const parsed = SessionUpdate.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      sendError(
        conn,
        `Invalid 'session.update': ${issue?.path.join(".")}: ${issue?.message}`,
        "invalid_value",
        (raw as { event_id?: string }).event_id,
        issue ? `session.${issue.path.join(".")}` : undefined,
      );
      return;
    }
    const { session, event_id } = parsed.data;
    if (session.type === "transcription" && !conn.transcriptionIntent) {
      sendError(
        conn,
        "Passing a transcription session update event to a realtime session is not allowed. Connect with '?intent=transcription'.",
        "invalid_request_error",
        event_id,
        "session.type",
      );
      return;
    }
    if (session.type !== "transcription") {
      sendError(
        conn,
        "This stand-in only serves transcription sessions ('session.type' must be 'transcription').",
        "invalid_value",
        event_id,
        "session.type",
      );
      return;
    }
    const input = session.audio?.input;
    const format = input?.format;
    if (format && format.type !== undefined && format.type !== "audio/pcm") {
      sendError(
        conn,
        `Invalid value: '${format.type}'. This stand-in supports 'audio/pcm' only.`,
        "invalid_value",
        event_id,
        "session.audio.input.format.type",
      );
      return;
    }
    if (format && format.rate !== undefined && format.rate !== RATE) {
      sendError(
        conn,
        `Invalid value: ${format.rate}. 'audio/pcm' supports a rate of 24000 only.`,
        "invalid_value",
        event_id,
        "session.audio.input.format.rate",
      );
      return;
    }
    const model = input?.transcription?.model;
    if (model !== undefined && !TRANSCRIPTION_MODELS.test(model)) {
      sendError(
        conn,
        `Invalid value: '${model}'. Supported transcription models are gpt-live-transcribe, gpt-realtime-whisper, whisper-1, gpt-4o-transcribe, gpt-4o-mini-transcribe and their dated versions.`,
        "invalid_value",
        event_id,
        "session.audio.input.transcription.model",
      );
      return;
    }
    const nextModel = input?.transcription?.model ?? conn.model;
    const wantsTurnDetection = input?.turn_detection === undefined
      ? conn.serverVad !== null
      : input.turn_detection !== null;
    if (wantsTurnDetection && NO_TURN_DETECTION_MODELS.test(nextModel)) {
      stats.turnDetectionRefused++;
      sendError(
        conn,
        "Turn detection is not supported for this transcription model.",
        "invalid_value",
        event_id,
        "session.audio.input.turn_detection",
      );
      return;
    }
    if (input?.transcription?.prompt) stats.prompts.push(input.transcription.prompt);
    if (input?.transcription) {
      conn.model = input.transcription.model ?? conn.model;
      if (input.transcription.language) conn.language = input.transcription.language;
      if (input.transcription.prompt) conn.prompt = input.transcription.prompt;
    }
    if (input?.turn_detection !== undefined) {
      const td = input.turn_detection;
      if (td === null) conn.serverVad = null;
      else if (td.type === "server_vad") {
        const silenceMs = td.silence_duration_ms ?? 500;
        conn.serverVad = {
          silenceMs,
          prefixMs: td.prefix_padding_ms ?? 300,
          vad: new EnergyVad({ sampleRate: RATE, silenceMs }),
        };
      } else {
        sendError(
          conn,
          "This stand-in supports turn_detection null or 'server_vad' only.",
          "invalid_value",
          event_id,
          "session.audio.input.turn_detection.type",
        );
        return;
      }
    }
    send(conn, { type: "session.updated", event_id: eventId(), session: sessionObject(conn) });
    send(conn, {
      type: "rate_limits.updated",
      event_id: eventId(),
      rate_limits: [{ name: "requests", limit: 1000, remaining: 999, reset_seconds: 60 }],
    });
  }

  function onAppend(conn: Connection, raw: unknown): void {
    const parsed = Append.safeParse(raw);
    if (!parsed.success) {
      sendError(
        conn,
        "Missing required parameter: 'audio'.",
        "missing_required_parameter",
        (raw as { event_id?: string }).event_id,
        "audio",
      );
      return;
    }
    let samples: Int16Array;
    try {
      samples = decodePcm16Base64(parsed.data.audio);
    } catch (error) {
      if (!(error instanceof InvalidAudioError)) throw error;
      sendError(conn, error.message, "invalid_value", parsed.data.event_id, "audio");
      return;
    }
    stats.appends++;
    stats.appendedMs += (samples.length / RATE) * 1000;
    conn.buffer.push(samples);
    conn.bufferSamples += samples.length;
    conn.streamSamples += samples.length;
    const drop_ = faults.find((f) => f.type === "drop");
    if (drop_ && drop_.type === "drop") {
      if ((drop_.afterAppends ?? 0) <= 0) {
        faults.splice(faults.indexOf(drop_), 1);
        drop(conn, "dropped mid-utterance");
        return;
      }
      drop_.afterAppends = (drop_.afterAppends ?? 0) - 1;
    }
    if (conn.serverVad) serverVadStep(conn, samples);
  }

  function serverVadStep(conn: Connection, samples: Int16Array): void {
    const sv = conn.serverVad!;
    for (const e of sv.vad.push(samples)) {
      if (e.type === "start") {
        conn.vadItemId = `item_standin_${(++itemCounter).toString(36)}`;
        conn.vadStartMs = e.atMs;
        send(conn, {
          type: "input_audio_buffer.speech_started",
          event_id: eventId(),
          item_id: conn.vadItemId,
          audio_start_ms: e.atMs,
        });
      } else if (conn.vadItemId) {
        // Like the API: the item ends after the silence that closed the turn.
        const endMs = e.atMs + sv.silenceMs;
        send(conn, {
          type: "input_audio_buffer.speech_stopped",
          event_id: eventId(),
          item_id: conn.vadItemId,
          audio_end_ms: e.atMs,
        });
        const all = concat(conn.buffer, conn.bufferSamples);
        const from = Math.max(
          0,
          Math.round(((conn.vadStartMs - sv.prefixMs) * RATE) / 1000) - conn.bufferStartSample,
        );
        const to = Math.min(all.length, Math.round((endMs * RATE) / 1000) - conn.bufferStartSample);
        const itemAudio = all.slice(from, Math.max(from, to));
        const rest = all.slice(Math.max(from, to));
        conn.bufferStartSample += all.length - rest.length;
        conn.buffer = [rest];
        conn.bufferSamples = rest.length;
        commitItem(conn, conn.vadItemId, itemAudio, undefined);
        conn.vadItemId = null;
      }
    }
  }

  function onCommit(conn: Connection, raw: unknown): void {
    const parsed = Commit.safeParse(raw);
    const clientEventId = parsed.success ? parsed.data.event_id : undefined;
    const ms = (conn.bufferSamples / RATE) * 1000;
    if (ms < MIN_COMMIT_MS) {
      sendError(
        conn,
        `Error committing input audio buffer: buffer too small. Expected at least ${MIN_COMMIT_MS}ms of audio, but buffer only has ${
          ms.toFixed(2)
        }ms of audio.`,
        "input_audio_buffer_commit_empty",
        clientEventId,
      );
      return;
    }
    const audio = concat(conn.buffer, conn.bufferSamples);
    conn.bufferStartSample += conn.bufferSamples;
    conn.buffer = [];
    conn.bufferSamples = 0;
    commitItem(conn, `item_standin_${(++itemCounter).toString(36)}`, audio, clientEventId);
  }

  function commitItem(
    conn: Connection,
    itemId: string,
    audio: Int16Array,
    _clientEventId: string | undefined,
  ): void {
    stats.commits++;
    send(conn, {
      type: "input_audio_buffer.committed",
      event_id: eventId(),
      item_id: itemId,
      previous_item_id: conn.lastItemId,
    });
    conn.lastItemId = itemId;
    const errorFault = takeFault("error");
    if (errorFault) {
      stats.errorsSent++;
      send(conn, {
        type: "error",
        event_id: eventId(),
        error: {
          type: "server_error",
          code: errorFault.code ?? "server_error",
          message: errorFault.message ?? "The stand-in was told to report a server error.",
        },
      });
    }
    if (takeFault("garbage")) {
      conn.ws.send("this is not JSON {");
      conn.ws.send(new Uint8Array([0xde, 0xad, 0xbe, 0xef]));
      conn.ws.send(JSON.stringify({ type: "standin.unknown_event", event_id: eventId() }));
      conn.ws.send(JSON.stringify({ type: "input_audio_buffer.committed", event_id: eventId() }));
    }
    if (takeFault("drop_after_commit")) {
      drop(conn, "dropped after commit, before the transcript");
      return;
    }
    const failed = takeFault("failed");
    const delay = (options.transcriptDelayMs ?? 0) + (takeFault("delay")?.ms ?? 0);
    if (failed) {
      later(delay, () => {
        if (conn.closed) return;
        stats.failedSent++;
        send(conn, {
          type: "conversation.item.input_audio_transcription.failed",
          event_id: eventId(),
          item_id: itemId,
          content_index: 0,
          error: {
            type: "transcription_error",
            code: "audio_unintelligible",
            message: failed.message ?? "The stand-in was told to fail this transcription.",
          },
        });
      });
      return;
    }
    const hash = audioHash(audio);
    let text = heard.get(hash);
    if (!text) {
      const durationMs = (audio.length / RATE) * 1000;
      text = Promise.resolve(script({ itemId, samples: audio, durationMs, index: heard.size }));
      heard.set(hash, text);
    }
    text.then((t) => later(delay, () => streamTranscript(conn, itemId, t, audio.length)))
      .catch((error) => log.error("stand-in script failed: {error}", { error }));
  }

  function streamTranscript(conn: Connection, itemId: string, text: string, samples: number) {
    const words = text.split(/(?<=\s)/);
    const chunks: string[] = [];
    for (let i = 0; i < words.length; i += 3) chunks.push(words.slice(i, i + 3).join(""));
    const interval = options.deltaIntervalMs ?? 0;
    const step = (i: number) => {
      if (conn.closed) return;
      const delta = chunks[i];
      if (delta !== undefined) {
        send(conn, {
          type: "conversation.item.input_audio_transcription.delta",
          event_id: eventId(),
          item_id: itemId,
          content_index: 0,
          delta,
        });
        if (interval > 0) later(interval, () => step(i + 1));
        else step(i + 1);
        return;
      }
      const seconds = samples / RATE;
      stats.transcripts.push(text);
      send(conn, {
        type: "conversation.item.input_audio_transcription.completed",
        event_id: eventId(),
        item_id: itemId,
        content_index: 0,
        transcript: text,
        usage: conn.model === "whisper-1"
          ? { type: "duration", seconds: Math.round(seconds * 100) / 100 }
          : {
            type: "tokens",
            input_tokens: Math.ceil(seconds * 10),
            output_tokens: Math.ceil(text.length / 4),
            total_tokens: Math.ceil(seconds * 10) + Math.ceil(text.length / 4),
            input_token_details: { audio_tokens: Math.ceil(seconds * 10), text_tokens: 0 },
          },
      });
    };
    step(0);
  }

  function onClear(conn: Connection): void {
    stats.clears++;
    conn.bufferStartSample += conn.bufferSamples;
    conn.buffer = [];
    conn.bufferSamples = 0;
    send(conn, { type: "input_audio_buffer.cleared", event_id: eventId() });
  }

  function onMessage(conn: Connection, data: unknown): void {
    if (typeof data !== "string") {
      sendError(conn, "Binary frames are not supported; send JSON text events.", "invalid_value");
      return;
    }
    let raw: unknown;
    try {
      raw = JSON.parse(data);
    } catch {
      sendError(conn, "Invalid JSON: the event could not be parsed.", "invalid_json");
      return;
    }
    const type = (raw as { type?: unknown })?.type;
    stats.received[String(type)] = (stats.received[String(type)] ?? 0) + 1;
    options.onClientEvent?.(String(type));
    switch (type) {
      case "session.update":
        return onSessionUpdate(conn, raw);
      case "input_audio_buffer.append":
        return onAppend(conn, raw);
      case "input_audio_buffer.commit":
        return onCommit(conn, raw);
      case "input_audio_buffer.clear":
        Clear.safeParse(raw);
        return onClear(conn);
      default:
        sendError(
          conn,
          `Invalid value: '${
            String(type)
          }'. This stand-in serves transcription sessions and accepts session.update and input_audio_buffer.append/commit/clear.`,
          "invalid_value",
          (raw as { event_id?: string })?.event_id,
          "type",
        );
    }
  }

  function handler(req: Request): Response {
    const url = new URL(req.url);
    if (url.pathname !== "/v1/realtime") {
      return jsonError(404, `Stand-in: no route for ${url.pathname}`, "not_found");
    }
    if (req.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return jsonError(426, "The Realtime API needs a WebSocket upgrade.", null);
    }
    const reject = faults.find((f) => f.type === "reject_auth");
    if (reject && reject.type === "reject_auth") {
      const left = (reject.count ?? 1) - 1;
      if (left <= 0) faults.splice(faults.indexOf(reject), 1);
      else reject.count = left;
      stats.authRejected++;
      return jsonError(
        reject.status ?? 401,
        "Incorrect API key provided (stand-in fault).",
        "invalid_api_key",
      );
    }
    const { key, offeredRealtime } = keyFromRequest(req);
    if (!key) {
      stats.authRejected++;
      return jsonError(
        401,
        "You didn't provide an API key. Send 'Authorization: Bearer <key>' or the 'openai-insecure-api-key.<key>' subprotocol.",
        null,
      );
    }
    if (options.apiKey !== undefined && key !== options.apiKey) {
      stats.authRejected++;
      return jsonError(401, "Incorrect API key provided.", "invalid_api_key");
    }
    const { socket, response } = Deno.upgradeWebSocket(
      req,
      offeredRealtime ? { protocol: "realtime" } : {},
    );
    const conn: Connection = {
      id: ++connectionCounter,
      ws: socket,
      transcriptionIntent: url.searchParams.get("intent") === "transcription",
      model: "gpt-4o-transcribe",
      serverVad: null,
      buffer: [],
      bufferSamples: 0,
      bufferStartSample: 0,
      streamSamples: 0,
      vadItemId: null,
      vadStartMs: 0,
      lastItemId: null,
      closed: false,
    };
    socket.onopen = () => {
      connections.add(conn);
      stats.connections++;
      log.info("stand-in accepted connection {id}", { id: conn.id });
      const maxMs = options.maxSessionMs ?? MAX_SESSION_MS;
      conn.expiry = setTimeout(() => expire(conn, maxMs), maxMs);
      send(conn, { type: "session.created", event_id: eventId(), session: sessionObject(conn) });
      const early = faults.find((f) => f.type === "drop_on_connect");
      if (early && early.type === "drop_on_connect") {
        const left = (early.count ?? 1) - 1;
        if (left <= 0) faults.splice(faults.indexOf(early), 1);
        else early.count = left;
        drop(conn, "dropped on connect");
      }
    };
    socket.onmessage = (e) => {
      try {
        onMessage(conn, e.data);
      } catch (error) {
        log.error("stand-in failed on a client event: {error}", { error });
      }
    };
    socket.onclose = () => {
      clearTimeout(conn.expiry);
      conn.closed = true;
      connections.delete(conn);
    };
    socket.onerror = () => {};
    return response;
  }

  {
    const server = Deno.serve({
      hostname: options.hostname ?? "127.0.0.1",
      port: options.port ?? 0,
      onListen() {},
    }, handler);
    const port = server.addr.port;
    const url = `ws://${server.addr.hostname}:${port}/v1/realtime`;
    log.warn("OpenAI Realtime STAND-IN (not the real API) listening on {url}", { url });
    return Promise.resolve({
      url,
      port,
      stats,
      inject(fault) {
        faults.push({ ...fault });
      },
      dropAll() {
        for (const conn of connections) drop(conn, "dropAll()");
      },
      async close() {
        for (const t of timers) clearTimeout(t);
        timers.clear();
        for (const conn of connections) clearTimeout(conn.expiry);
        const closing = [...connections].map((conn) =>
          new Promise<void>((done) => {
            if (conn.ws.readyState === WebSocket.CLOSED) return done();
            conn.ws.addEventListener("close", () => done(), { once: true });
            drop(conn, "stand-in shutting down");
          })
        );
        let guard: ReturnType<typeof setTimeout> | undefined;
        await Promise.race([
          Promise.all(closing),
          new Promise((r) => guard = setTimeout(r, 1000)),
        ]);
        clearTimeout(guard);
        await server.shutdown();
      },
    });
  }
}

export type { CommittedAudio, TranscriptScript };
