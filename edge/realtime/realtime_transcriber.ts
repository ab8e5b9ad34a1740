/**
 * @module
 * The edge's realtime transcription client: Deno's native WebSocket against the OpenAI
 * Realtime GA API (or its local stand-in), one transcription session at a time.
 *
 * Audio comes in as 16 kHz PCM16 frames, is resampled to 24 kHz and appended in base64
 * batches of about 100 ms. With our own VAD (`turnDetection: "client"`, the default) the
 * caller marks speech segments: {@linkcode RealtimeTranscriber.beginSegment},
 * {@linkcode RealtimeTranscriber.endSegment} (commit) and
 * {@linkcode RealtimeTranscriber.abandonSegment} (clear). With `"server_vad"` the caller
 * streams everything and the provider decides the turns.
 *
 * Every segment gets a stable `utterance_id` (a ULID) when it starts and keeps its audio
 * until its final transcript arrives, so that a dropped socket loses nothing: after a
 * reconnect, segments not yet transcribed are appended and committed again, on the new
 * session, in order. A `failed` transcription is re-sent once. Nothing here ever waits on the
 * network from the audio path: every method the audio loop calls is synchronous.
 *
 * The transcriber coordinates three parts: the {@linkcode RealtimeConnection} (connect,
 * ready, rotate, reconnect, give up), the {@linkcode SegmentStore} (held segments, bounds,
 * replay) and, with server VAD, the {@linkcode ServerVadStream}. It turns the provider's
 * events into the segments' progress and its own events.
 */
import { getLogger } from "@logtape/logtape";
import { monotonicFactory } from "ulid";
import {
  appendAudio,
  serverTurnDetectionRefused,
  sessionUpdate,
  type TranscriptionSessionSettings,
  transcriptionUpdate,
} from "./client_events.ts";
import { DEFAULT_TRANSCRIPTION_MODEL, refusesServerTurnDetection } from "./transcription_models.ts";
import { rotationSchedule } from "./session_rotation.ts";
import { Resampler16to24 } from "./resampler.ts";
import { parseServerFrame, type ServerEvent, type TranscriptUsage } from "./server_events.ts";
import { type ErrorEventDetails, judgeErrorEvent } from "./reconnect_policy.ts";
import { type EdgeTracer, emitTrace, logTracer } from "../support/edge_trace.ts";
import {
  newTranscriberStats,
  RealtimeGiveUpError,
  type RealtimeTranscriberOptions,
  RealtimeUsageError,
  type TranscriberEvents,
  type TranscriberState,
  type TranscriberStats,
} from "./transcriber_types.ts";
import { TypedEmitter } from "../support/typed_emitter.ts";
import { type RealtimeWire, SAMPLES_PER_MS } from "./audio_chunks.ts";
import { RealtimeConnection } from "./realtime_connection.ts";
import { type Segment, SegmentStore } from "./segment_store.ts";
import { ServerVadStream } from "./server_vad_stream.ts";
import { finalTranscript } from "./final_transcript.ts";

const log = getLogger(["edge", "realtime"]);
const SOURCE = "edge.realtime";

export {
  DEFAULT_REALTIME_URL,
  type FinalTranscript,
  RealtimeGiveUpError,
  type RealtimeTranscriberOptions,
  RealtimeUsageError,
  type TranscriberEvents,
  type TranscriberState,
  type TranscriberStats,
} from "./transcriber_types.ts";

/** See the module documentation. */
export class RealtimeTranscriber {
  readonly stats: TranscriberStats = newTranscriberStats();

  readonly #opts: RealtimeTranscriberOptions;
  readonly #mode: "client" | "server_vad";
  readonly #tracer: EdgeTracer;
  readonly #newId: () => string;
  readonly #resampler = new Resampler16to24();
  readonly #events = new TypedEmitter<TranscriberEvents>((name, error) =>
    log.error("A '{name}' listener threw: {error}", { name, error })
  );
  readonly #conn: RealtimeConnection;
  readonly #store: SegmentStore;
  readonly #stream: ServerVadStream;

  #idleWaiters: { resolve: () => void; reject: (e: Error) => void }[] = [];
  /** The transcription prompt; {@linkcode RealtimeTranscriber.setPrompt} replaces it. */
  #prompt: string | undefined;

  constructor(options: RealtimeTranscriberOptions) {
    this.#opts = options;
    this.#mode = options.turnDetection ?? "client";
    this.#prompt = options.prompt;
    const model = options.model ?? DEFAULT_TRANSCRIPTION_MODEL;
    // Refused before any socket opens: the provider would reject every session.update.
    if (this.#mode === "server_vad" && refusesServerTurnDetection(model)) {
      throw new RealtimeUsageError(serverTurnDetectionRefused(model));
    }
    rotationSchedule(options); // throws on settings that cannot rotate in time
    this.#tracer = options.tracer ?? logTracer;
    this.#newId = options.newId ?? monotonicFactory();
    const batchSamples = Math.max(
      1,
      Math.round((options.appendIntervalMs ?? 100) * SAMPLES_PER_MS),
    );
    this.#conn = new RealtimeConnection(options, {
      stats: this.stats,
      tracer: this.#tracer,
      hooks: {
        settings: () => this.#settings(),
        frame: (data) => this.#onFrame(data),
        ready: () => this.#onReady(),
        lost: () => this.#onLost(),
        state: (state, detail) =>
          this.#events.emit("state", detail === undefined ? { state } : { state, detail }),
        fatal: (error) => this.#onFatal(error),
        held: () => this.#store.count,
        idle: () => this.#store.isIdle(),
      },
    });
    const wire: RealtimeWire = {
      send: (event) => this.#conn.send(event),
      nextEventId: (kind) => this.#conn.nextEventId(kind),
      appendSamples: (samples) => {
        this.#conn.send(appendAudio(samples));
        this.#stream.counted(samples.length);
      },
    };
    this.#store = new SegmentStore({
      wire,
      tracer: this.#tracer,
      batchSamples,
      maxHeldSegments: options.maxHeldSegments,
      maxHeldAudioMs: options.maxHeldAudioMs,
      onDropped: (seg, reason) => {
        this.stats.droppedForSpace++;
        this.#events.emit("failed", { utterance_id: seg.id, reason });
      },
    });
    this.#stream = new ServerVadStream({
      wire,
      store: this.#store,
      setTurnDetection: (mode) =>
        this.#conn.send(sessionUpdate(this.#settings(), this.#conn.trackSessionUpdate(), mode)),
      batchSamples,
      prefixPaddingMs: options.serverVad?.prefix_padding_ms,
    });
  }

  /** Subscribes to an event; returns the unsubscribe function. */
  on<K extends keyof TranscriberEvents>(
    name: K,
    listener: (payload: TranscriberEvents[K]) => void,
  ): () => void {
    return this.#events.on(name, listener);
  }

  get state(): TranscriberState {
    return this.#conn.state;
  }

  /** Segments not yet transcribed (the open one included). */
  get heldSegments(): number {
    return this.#store.count;
  }

  /** Starts connecting; returns at once. */
  start(): void {
    this.#conn.start();
  }

  /** Resolves once a session is ready (for tests and start-up checks). */
  whenReady(): Promise<void> {
    return this.#conn.whenReady();
  }

  /**
   * Resolves when every segment has been transcribed (or given up on) and none is open;
   * rejects with {@linkcode RealtimeGiveUpError} if the client gives up first.
   */
  whenIdle(): Promise<void> {
    const fatal = this.#conn.fatalError;
    if (fatal) return Promise.reject(fatal);
    if (this.#store.isIdle()) return Promise.resolve();
    return new Promise((resolve, reject) => this.#idleWaiters.push({ resolve, reject }));
  }

  /**
   * Replaces the transcription prompt (e.g. once the vocabulary has arrived): sent at once
   * on an open session, and used by every later one.
   */
  setPrompt(prompt: string | undefined): void {
    if (prompt === this.#prompt) return;
    this.#prompt = prompt;
    // Also while the first session.update is still unanswered: it may have left without it.
    if (this.#conn.canUpdateSession) {
      this.#conn.send(transcriptionUpdate(this.#settings(), this.#conn.trackSessionUpdate()));
    }
  }

  #settings(): TranscriptionSessionSettings {
    const { prompt: _, ...rest } = this.#opts;
    return this.#prompt ? { ...rest, prompt: this.#prompt } : rest;
  }

  // ---------------------------------------------------------------- audio path (synchronous)

  /** Client VAD: speech started. Returns the segment's utterance id. */
  beginSegment(utteranceId?: string): string {
    if (this.#mode !== "client") {
      throw new RealtimeUsageError(
        "Cannot begin a segment as the session uses server VAD: stream audio with appendAudio() only",
      );
    }
    const open = this.#store.open;
    if (open) {
      log.warning("Segment {id} was still open when a new one began: ending it", { id: open.id });
      this.endSegment();
    }
    this.#resampler.reset();
    this.stats.segmentsStarted++;
    return this.#store.begin(utteranceId ?? this.#newId()).id;
  }

  /**
   * 16 kHz mono PCM16 audio. Client VAD: belongs to the open segment (ignored when none is).
   * Server VAD: streamed as is.
   */
  appendAudio(pcm16k: Int16Array): void {
    if (this.#conn.ended) return;
    if (this.#mode === "client") {
      const seg = this.#store.open;
      if (!seg) return;
      const out = this.#resampler.process(pcm16k);
      if (out.length === 0) return;
      const live = this.#store.addAudio(seg, out);
      if (this.#conn.ready && live) {
        if (this.#store.bufferFree && this.#store.hasEnded()) this.#pump();
        else this.#store.sendAudio(seg, false);
      }
      return;
    }
    const out = this.#resampler.process(pcm16k);
    if (out.length > 0) this.#stream.append(out, this.#conn.ready);
  }

  /** Client VAD: speech ended; commits the segment. Returns its utterance id. */
  endSegment(): string | undefined {
    const ended = this.#store.end(performance.now());
    if (!ended) return undefined;
    const { seg, empty } = ended;
    if (empty) {
      this.stats.discarded++;
      this.#events.emit("discarded", { utterance_id: seg.id, reason: "no audio" });
      this.#checkIdle();
      return seg.id;
    }
    this.#pump();
    return seg.id;
  }

  /** Client VAD: the open segment was not speech after all; its audio is cleared. */
  abandonSegment(): void {
    const seg = this.#store.abandon();
    if (!seg) return;
    this.stats.discarded++;
    this.#events.emit("discarded", { utterance_id: seg.id, reason: "abandoned" });
    this.#pump();
    this.#checkIdle();
  }

  // ------------------------------------------------------------------------- sending

  /** Moves every held segment as far as the connection allows, in speech order. */
  #pump(): void {
    if (!this.#conn.ready) return;
    if (this.#mode === "server_vad") this.#stream.pump();
    else this.#store.pump();
    this.#conn.maybeRotate();
  }

  // ---------------------------------------------------------------- connection hooks

  #onReady(): void {
    // Re-send what the previous connection did not finish, then carry on streaming.
    const resend = this.#store.endedCount();
    if (resend > 0) {
      this.stats.resent += resend;
      log.info("Re-sending {n} held segment(s) on the new Realtime session", { n: resend });
    }
    if (this.#mode === "server_vad") {
      this.#stream.onReady();
      this.#conn.maybeRotate();
    } else this.#pump();
  }

  #onLost(): void {
    this.#store.requeue();
    if (this.#mode === "server_vad") this.#stream.onLost();
  }

  #onFatal(error: RealtimeGiveUpError): void {
    for (const w of this.#idleWaiters.splice(0)) w.reject(error);
    this.#events.emit("fatal", { error });
  }

  /** Stops: closes the socket and every timer. Held segments are reported, not kept. */
  async close(): Promise<void> {
    if (this.#conn.state === "closed") return;
    const wasFailed = this.#conn.state === "failed";
    await this.#conn.close();
    const held = this.#store.count;
    if (held > 0 && !wasFailed) {
      log.warning("Closing with {n} segment(s) not transcribed", { n: held });
    }
    const error = new RealtimeGiveUpError(
      `Realtime transcription stopped: closed with ${held} segment(s) not transcribed`,
    );
    this.#conn.rejectReadyWaiters(error);
    const idle = this.#store.isIdle();
    for (const w of this.#idleWaiters.splice(0)) idle ? w.resolve() : w.reject(error);
  }

  // ------------------------------------------------------------------------ server events

  #onFrame(data: unknown): void {
    const parsed = parseServerFrame(data);
    if (parsed.kind === "unknown") {
      this.stats.unknownEvents++;
      log.info("Ignoring unknown Realtime event type {type}", { type: parsed.type });
      return;
    }
    if (parsed.kind === "invalid") {
      this.stats.invalidFrames++;
      log.warning("Ignoring an invalid Realtime frame{type}: {reason}", {
        type: parsed.type ? ` (${parsed.type})` : "",
        reason: parsed.reason,
      });
      return;
    }
    this.#onEvent(parsed.event);
  }

  #onEvent(event: ServerEvent): void {
    switch (event.type) {
      case "session.created":
        log.debug("Realtime session created");
        return;
      case "session.updated":
        this.#conn.sessionUpdated();
        return;
      case "input_audio_buffer.speech_started":
        if (this.#mode === "server_vad") {
          this.stats.segmentsStarted++;
          this.#stream.speechStarted(this.#newId(), event.item_id, event.audio_start_ms);
        }
        return;
      case "input_audio_buffer.speech_stopped":
        if (this.#mode === "server_vad") {
          this.#stream.speechStopped(event.item_id, event.audio_end_ms, performance.now());
        }
        return;
      case "input_audio_buffer.committed":
        this.#onCommitted(event.item_id);
        return;
      case "conversation.item.input_audio_transcription.delta": {
        const seg = this.#store.byItem(event.item_id);
        if (!seg || !event.delta) return;
        seg.partial += event.delta;
        this.#events.emit("partial", {
          utterance_id: seg.id,
          text: seg.partial,
          delta: event.delta,
        });
        return;
      }
      case "conversation.item.input_audio_transcription.completed": {
        const seg = this.#store.byItem(event.item_id);
        if (!seg) {
          log.debug("Transcript for an item this client does not hold: {item}", {
            item: event.item_id,
          });
          return;
        }
        this.#finish(seg, event.item_id, event.transcript, event.usage);
        return;
      }
      case "conversation.item.input_audio_transcription.failed": {
        const seg = this.#store.byItem(event.item_id);
        if (!seg) return;
        const e = event.error;
        this.#segmentFailed(
          seg,
          `transcription failed: ${e.message ?? "no message"}${e.code ? ` (${e.code})` : ""}`,
        );
        return;
      }
      case "error":
        this.#onErrorEvent(event.error);
        return;
      case "rate_limits.updated":
        log.debug("Realtime rate limits: {limits}", { limits: event.rate_limits });
        return;
      default:
        return;
    }
  }

  #onErrorEvent(error: ErrorEventDetails & { event_id?: string | null | undefined }): void {
    this.stats.errorEvents++;
    const code = error.code ?? null;
    const seg = error.event_id ? this.#store.forCommit(error.event_id) : undefined;
    emitTrace(this.#tracer, {
      source: SOURCE,
      event: "realtime.error_event",
      ...(seg ? { utterance_id: seg.id } : {}),
      data: { type: error.type, code, message: error.message },
    });
    const sessionUpdate = !!error.event_id && this.#conn.isSessionUpdate(error.event_id);
    const verdict = judgeErrorEvent(error, { sessionUpdate, commit: seg !== undefined });
    if (verdict.action === "give_up") this.#conn.fatal(verdict.reason);
    else if (verdict.action === "segment_failed" && seg) {
      this.#store.dropAwaiting(seg);
      this.#segmentFailed(seg, verdict.reason);
    } else {
      log.warning("Realtime error event {type}/{code}: {message}", {
        type: error.type,
        code,
        message: error.message,
      });
    }
  }

  #onCommitted(itemId: string): void {
    const seg = this.#store.committedSegment(itemId);
    if (!seg) {
      log.warning("The Realtime API committed an item this client did not send: {item}", {
        item: itemId,
      });
      return;
    }
    this.#stream.committed(seg);
    this.#store.markCommitted(seg, itemId);
  }

  #segmentFailed(seg: Segment, reason: string): void {
    this.#store.forgetItem(seg);
    emitTrace(this.#tracer, {
      source: SOURCE,
      event: "transcript.failed",
      utterance_id: seg.id,
      data: { reason, retry: seg.retries },
    });
    if (seg.retries < (this.#opts.failedRetries ?? 1) && seg.samples > 0) {
      seg.retries++;
      seg.state = "ended";
      seg.partial = "";
      this.stats.resent++;
      log.warning("Segment {id}: {reason}; re-sending it once", { id: seg.id, reason });
      this.#pump();
      return;
    }
    this.#store.remove(seg);
    this.stats.failed++;
    log.error("Segment {id} lost: {reason}", { id: seg.id, reason });
    this.#events.emit("failed", { utterance_id: seg.id, reason });
    this.#checkIdle();
  }

  #finish(seg: Segment, itemId: string, text: string, usage: TranscriptUsage | undefined): void {
    this.#store.remove(seg);
    const model = this.#opts.model ?? DEFAULT_TRANSCRIPTION_MODEL;
    const outcome = finalTranscript(seg, { itemId, text, usage, model, now: performance.now() });
    if (outcome.kind === "empty") {
      this.stats.discarded++;
      this.#events.emit("discarded", { utterance_id: seg.id, reason: "empty transcript" });
    } else {
      this.stats.finals++;
      emitTrace(this.#tracer, outcome.trace);
      this.#events.emit("final", outcome.final);
    }
    this.#checkIdle();
    this.#conn.maybeRotate();
  }

  #checkIdle(): void {
    if (!this.#store.isIdle()) return;
    for (const w of this.#idleWaiters.splice(0)) w.resolve();
  }
}
