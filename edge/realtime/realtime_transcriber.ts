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
 */
import { getLogger } from "@logtape/logtape";
import { monotonicFactory } from "ulid";
import {
  appendAudio,
  clearAudio,
  commitAudio,
  REALTIME_SAMPLE_RATE,
  serverTurnDetectionRefused,
  sessionUpdate,
  type TranscriptionSessionSettings,
  transcriptionUpdate,
  transcriptionUrl,
} from "./client_events.ts";
import { DEFAULT_TRANSCRIPTION_MODEL, refusesServerTurnDetection } from "./transcription_models.ts";
import { rotationSchedule } from "./session_rotation.ts";
import { Resampler16to24 } from "./resampler.ts";
import { parseServerFrame, type ServerEvent, type TranscriptUsage } from "./server_events.ts";
import {
  type ConnectionEnd,
  decideReconnect,
  INITIAL_RECONNECT_STATE,
  isAuthErrorCode,
  isAuthHandshakeError,
  type ReconnectState,
} from "./reconnect_policy.ts";
import { type EdgeTracer, emitTrace, logTracer } from "../support/edge_trace.ts";
import {
  DEFAULT_REALTIME_URL,
  type FinalTranscript,
  RealtimeGiveUpError,
  type RealtimeTranscriberOptions,
  RealtimeUsageError,
  type TranscriberEvents,
  type TranscriberState,
  type TranscriberStats,
} from "./transcriber_types.ts";
import { TypedEmitter } from "../support/typed_emitter.ts";
import { sliceChunks, sliceStream, type StreamChunk } from "./audio_chunks.ts";

const log = getLogger(["edge", "realtime"]);
const SOURCE = "edge.realtime";
const SAMPLES_PER_MS = REALTIME_SAMPLE_RATE / 1000;
/** The API refuses to commit less audio than this. */
const MIN_COMMIT_SAMPLES = 100 * SAMPLES_PER_MS;
/** Largest append when re-sending held audio (1 s ≈ 64 kB of base64). */
const REPLAY_APPEND_SAMPLES = REALTIME_SAMPLE_RATE;

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

type SegmentState = "open" | "ended" | "committing" | "committed";

interface Segment {
  id: string;
  kind: "client" | "server";
  state: SegmentState;
  chunks: Int16Array[];
  samples: number;
  /** Samples of this segment already appended on the current connection. */
  sentSamples: number;
  retries: number;
  itemId?: string;
  partial: string;
  /** `performance.now()` at speech end. */
  endedAt?: number;
  /** The speech end → commit latency was reported (only the first commit counts). */
  commitTraced?: boolean;
  /** Server VAD: where the speech is in this connection's audio stream, in samples. */
  serverStart?: number;
  serverEnd?: number;
}

/** See the module documentation. */
export class RealtimeTranscriber {
  readonly stats: TranscriberStats = {
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

  readonly #opts: RealtimeTranscriberOptions;
  readonly #mode: "client" | "server_vad";
  readonly #tracer: EdgeTracer;
  readonly #newId: () => string;
  readonly #batchSamples: number;
  readonly #resampler = new Resampler16to24();
  readonly #events = new TypedEmitter<TranscriberEvents>((name, error) =>
    log.error("A '{name}' listener threw: {error}", { name, error })
  );

  #state: TranscriberState = "idle";
  #ws: WebSocket | null = null;
  #ready = false;
  #openedAt = 0;
  #rotating = false;
  #rotationDue = false;
  #reconnectState: ReconnectState = INITIAL_RECONNECT_STATE;
  #timers = new Set<ReturnType<typeof setTimeout>>();
  #connTimers = new Set<ReturnType<typeof setTimeout>>();
  #eventCounter = 0;
  #sessionUpdateIds = new Set<string>();

  /** Held segments in speech order. */
  #segments: Segment[] = [];
  /** Client VAD: the segment receiving audio. */
  #open: Segment | null = null;
  /** The segment whose audio is partly in the provider's input buffer. */
  #bufferOwner: Segment | null = null;
  /** Commits sent on this connection, waiting for `committed`, in order. */
  #awaitingCommit: Segment[] = [];
  #commitIds = new Map<string, Segment>();
  #byItem = new Map<string, Segment>();

  /** Server VAD: audio appended on this connection since the last committed turn. */
  #stream: StreamChunk[] = [];
  #streamSent = 0;
  #connSamples = 0;
  /** Server VAD: end of the last turn the provider committed, in this connection's samples. */
  #lastCommittedEnd = 0;

  #idleWaiters: { resolve: () => void; reject: (e: Error) => void }[] = [];
  #readyWaiters: { resolve: () => void; reject: (e: Error) => void }[] = [];
  #fatalError: RealtimeGiveUpError | null = null;
  #closedPromise: Promise<void> | null = null;
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
    this.#batchSamples = Math.max(
      1,
      Math.round((options.appendIntervalMs ?? 100) * SAMPLES_PER_MS),
    );
  }

  /** Subscribes to an event; returns the unsubscribe function. */
  on<K extends keyof TranscriberEvents>(
    name: K,
    listener: (payload: TranscriberEvents[K]) => void,
  ): () => void {
    return this.#events.on(name, listener);
  }

  get state(): TranscriberState {
    return this.#state;
  }

  /** Segments not yet transcribed (the open one included). */
  get heldSegments(): number {
    return this.#segments.length;
  }

  /** Starts connecting; returns at once. */
  start(): void {
    if (this.#state !== "idle") return;
    this.#connect();
  }

  /** Resolves once a session is ready (for tests and start-up checks). */
  whenReady(): Promise<void> {
    if (this.#ready) return Promise.resolve();
    if (this.#fatalError) return Promise.reject(this.#fatalError);
    return new Promise((resolve, reject) => this.#readyWaiters.push({ resolve, reject }));
  }

  /**
   * Resolves when every segment has been transcribed (or given up on) and none is open;
   * rejects with {@linkcode RealtimeGiveUpError} if the client gives up first.
   */
  whenIdle(): Promise<void> {
    if (this.#fatalError) return Promise.reject(this.#fatalError);
    if (this.#isIdle()) return Promise.resolve();
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
    if (this.#ws?.readyState === WebSocket.OPEN && !this.#rotating) {
      this.#send(transcriptionUpdate(this.#settings(), this.#trackSessionUpdate()));
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
    if (this.#open) {
      log.warning("Segment {id} was still open when a new one began: ending it", {
        id: this.#open.id,
      });
      this.endSegment();
    }
    const seg: Segment = {
      id: utteranceId ?? this.#newId(),
      kind: "client",
      state: "open",
      chunks: [],
      samples: 0,
      sentSamples: 0,
      retries: 0,
      partial: "",
    };
    this.#resampler.reset();
    this.#segments.push(seg);
    this.#open = seg;
    this.stats.segmentsStarted++;
    this.#enforceBounds();
    return seg.id;
  }

  /**
   * 16 kHz mono PCM16 audio. Client VAD: belongs to the open segment (ignored when none is).
   * Server VAD: streamed as is.
   */
  appendAudio(pcm16k: Int16Array): void {
    if (this.#state === "closed" || this.#state === "failed") return;
    if (this.#mode === "client") {
      const seg = this.#open;
      if (!seg) return;
      const out = this.#resampler.process(pcm16k);
      if (out.length === 0) return;
      seg.chunks.push(out);
      seg.samples += out.length;
      if (this.#ready && (this.#bufferOwner === seg || this.#bufferOwner === null)) {
        if (this.#bufferOwner === null && this.#hasEndedWaiting()) this.#pump();
        else this.#sendOpenAudio(seg, false);
      }
      return;
    }
    const out = this.#resampler.process(pcm16k);
    if (out.length === 0) return;
    this.#stream.push({ at: this.#connSamples + this.#unsentStreamSamples(), samples: out });
    if (this.#ready) this.#sendStream(false);
    this.#trimStream();
  }

  /** Client VAD: speech ended; commits the segment. Returns its utterance id. */
  endSegment(): string | undefined {
    const seg = this.#open;
    if (!seg) return undefined;
    const endedAt = performance.now();
    this.#open = null;
    if (seg.samples === 0) {
      this.#removeSegment(seg);
      this.stats.discarded++;
      this.#events.emit("discarded", { utterance_id: seg.id, reason: "no audio" });
      this.#checkIdle();
      return seg.id;
    }
    if (seg.samples < MIN_COMMIT_SAMPLES) {
      // The API refuses commits under 100 ms; silence does not change what was said.
      const pad = new Int16Array(MIN_COMMIT_SAMPLES - seg.samples);
      seg.chunks.push(pad);
      seg.samples += pad.length;
    }
    seg.state = "ended";
    seg.endedAt = endedAt;
    this.#pump();
    return seg.id;
  }

  /** Client VAD: the open segment was not speech after all; its audio is cleared. */
  abandonSegment(): void {
    const seg = this.#open;
    if (!seg) return;
    this.#open = null;
    if (this.#bufferOwner === seg) {
      this.#send(clearAudio(this.#nextEventId("clear")));
      this.#bufferOwner = null;
    }
    this.#removeSegment(seg);
    this.stats.discarded++;
    this.#events.emit("discarded", { utterance_id: seg.id, reason: "abandoned" });
    this.#pump();
    this.#checkIdle();
  }

  // ------------------------------------------------------------------------- sending

  #nextEventId(kind: string): string {
    return `evt_edge_${kind}_${(++this.#eventCounter).toString(36)}`;
  }

  #send(event: object): boolean {
    const ws = this.#ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return false;
    try {
      ws.send(JSON.stringify(event));
      return true;
    } catch (error) {
      log.warning("Sending to the Realtime API failed: {error}", { error });
      return false;
    }
  }

  #appendSamples(samples: Int16Array): void {
    this.#send(appendAudio(samples));
    this.#connSamples += samples.length;
  }

  /** Sends audio of `seg` not yet on this connection; all of it when `all`, else whole batches. */
  #sendOpenAudio(seg: Segment, all: boolean): void {
    const unsent = seg.samples - seg.sentSamples;
    if (unsent <= 0 || (!all && unsent < this.#batchSamples)) return;
    const maxPerAppend = all ? REPLAY_APPEND_SAMPLES : Math.max(this.#batchSamples, unsent);
    const pending = sliceChunks(seg.chunks, seg.sentSamples, seg.samples);
    for (let at = 0; at < pending.length; at += maxPerAppend) {
      this.#appendSamples(pending.subarray(at, Math.min(pending.length, at + maxPerAppend)));
    }
    seg.sentSamples = seg.samples;
    this.#bufferOwner = seg;
  }

  #commit(seg: Segment): void {
    const id = this.#nextEventId("commit");
    this.#commitIds.set(id, seg);
    const sent = this.#send(commitAudio(id));
    seg.state = "committing";
    this.#awaitingCommit.push(seg);
    if (this.#bufferOwner === seg) this.#bufferOwner = null;
    if (sent && seg.endedAt !== undefined && !seg.commitTraced) {
      seg.commitTraced = true;
      emitTrace(this.#tracer, {
        source: SOURCE,
        event: "realtime.commit_sent",
        utterance_id: seg.id,
        duration_ms: performance.now() - seg.endedAt,
        data: { audio_ms: seg.samples / SAMPLES_PER_MS },
      });
    }
  }

  #hasEndedWaiting(): boolean {
    return this.#segments.some((s) => s.state === "ended");
  }

  /** Moves every held segment as far as the connection allows, in speech order. */
  #pump(): void {
    if (!this.#ready) return;
    if (this.#mode === "server_vad") {
      this.#pumpServer();
      return;
    }
    const owner = this.#bufferOwner;
    if (owner && owner.state === "ended") {
      this.#sendOpenAudio(owner, true);
      this.#commit(owner);
    } else if (owner) {
      // Another segment's audio is half in the input buffer: nothing can go in between.
      this.#sendOpenAudio(owner, false);
      return;
    }
    for (const seg of this.#segments) {
      if (seg.state !== "ended") continue;
      seg.sentSamples = 0;
      this.#sendOpenAudio(seg, true);
      this.#commit(seg);
    }
    if (this.#open) this.#sendOpenAudio(this.#open, false);
    this.#maybeRotate();
  }

  // --------------------------------------------------------------- server VAD streaming

  #unsentStreamSamples(): number {
    let n = 0;
    for (let i = this.#streamSent; i < this.#stream.length; i++) {
      n += this.#stream[i]!.samples.length;
    }
    return n;
  }

  #sendStream(all: boolean): void {
    if (!all && this.#unsentStreamSamples() < this.#batchSamples) return;
    const parts = this.#stream.slice(this.#streamSent);
    if (parts.length === 0) return;
    const total = parts.reduce((n, c) => n + c.samples.length, 0);
    const joined = new Int16Array(total);
    let at = 0;
    for (const p of parts) {
      joined.set(p.samples, at);
      at += p.samples.length;
    }
    for (let i = 0; i < joined.length; i += REPLAY_APPEND_SAMPLES) {
      this.#appendSamples(joined.subarray(i, Math.min(joined.length, i + REPLAY_APPEND_SAMPLES)));
    }
    this.#streamSent = this.#stream.length;
  }

  /** Keeps the stream from the oldest audio a turn in progress may still need. */
  #trimStream(): void {
    const open = this.#segments.find((s) => s.kind === "server" && s.state === "open");
    const keepMs = 2_000 + (this.#opts.serverVad?.prefix_padding_ms ?? 300);
    const streamEnd = this.#connSamples + this.#unsentStreamSamples();
    const keepFrom = open?.serverStart !== undefined
      ? open.serverStart - keepMs * SAMPLES_PER_MS
      : streamEnd - keepMs * SAMPLES_PER_MS;
    let drop = 0;
    while (
      drop < this.#streamSent && drop < this.#stream.length - 1 &&
      this.#stream[drop]!.at + this.#stream[drop]!.samples.length < keepFrom
    ) drop++;
    if (drop > 0) {
      this.#stream.splice(0, drop);
      this.#streamSent -= drop;
    }
  }

  #pumpServer(): void {
    const speaking = this.#segments.some((s) => s.kind === "server" && s.state === "open");
    if (this.#hasEndedWaiting() && !speaking) this.#replayServerTurns();
    this.#sendStream(false);
    this.#maybeRotate();
  }

  /**
   * Re-sends held turns. They are committed by us, so the provider's VAD is off while they
   * go in; live audio is flushed first so that the stream offsets stay those of the provider.
   */
  #replayServerTurns(): void {
    this.#sendStream(true);
    this.#send(sessionUpdate(this.#settings(), this.#trackSessionUpdate(), "client"));
    for (const seg of this.#segments) {
      if (seg.state !== "ended") continue;
      seg.sentSamples = 0;
      this.#sendOpenAudio(seg, true);
      this.#commit(seg);
    }
    this.#bufferOwner = null;
    this.#send(sessionUpdate(this.#settings(), this.#trackSessionUpdate(), "server_vad"));
  }

  #trackSessionUpdate(): string {
    const id = this.#nextEventId("session");
    this.#sessionUpdateIds.add(id);
    return id;
  }

  // ------------------------------------------------------------------------ connection

  #setState(state: TranscriberState, detail?: string): void {
    if (this.#state === state) return;
    this.#state = state;
    this.#events.emit("state", detail === undefined ? { state } : { state, detail });
  }

  #later(ms: number, fn: () => void, perConnection: boolean): void {
    const set = perConnection ? this.#connTimers : this.#timers;
    const t = setTimeout(() => {
      set.delete(t);
      fn();
    }, ms);
    set.add(t);
  }

  #clearConnTimers(): void {
    for (const t of this.#connTimers) clearTimeout(t);
    this.#connTimers.clear();
  }

  #connect(): void {
    if (this.#state === "closed" || this.#state === "failed") return;
    this.#setState("connecting");
    const url = transcriptionUrl(this.#opts.url ?? DEFAULT_REALTIME_URL);
    let ws: WebSocket;
    try {
      ws = this.#opts.auth === "subprotocol"
        ? new WebSocket(url, ["realtime", `openai-insecure-api-key.${this.#opts.apiKey}`])
        : new WebSocket(url, { headers: { Authorization: `Bearer ${this.#opts.apiKey}` } });
    } catch (error) {
      this.#fatal(`cannot open a WebSocket to ${url}: ${(error as Error).message}`);
      return;
    }
    this.#ws = ws;
    this.#ready = false;
    this.#rotating = false;
    this.#rotationDue = false;
    this.stats.connections++;
    let opened = false;
    let errorMessage = "";
    this.#later(this.#opts.readyTimeoutMs ?? 10_000, () => {
      if (this.#ws === ws && !this.#ready) {
        log.warning("No Realtime session within {ms} ms: reconnecting", {
          ms: this.#opts.readyTimeoutMs ?? 10_000,
        });
        errorMessage = "no session.updated in time";
        ws.close(4000, "session not ready in time");
      }
    }, true);
    ws.onopen = () => {
      if (this.#ws !== ws) return;
      opened = true;
      this.#openedAt = performance.now();
      this.#send(sessionUpdate(this.#settings(), this.#trackSessionUpdate()));
    };
    ws.onmessage = (m) => {
      if (this.#ws === ws) this.#onFrame(m.data);
    };
    ws.onerror = (e) => {
      errorMessage = (e as ErrorEvent).message ?? "WebSocket error";
    };
    ws.onclose = (e) => {
      if (this.#ws !== ws) return;
      this.#onClosed(opened, errorMessage, e.code, e.reason);
    };
  }

  #onReady(): void {
    this.#ready = true;
    this.#setState("ready");
    const attempt = this.#reconnectState.attempt;
    emitTrace(this.#tracer, {
      source: SOURCE,
      event: "realtime.connected",
      duration_ms: performance.now() - this.#openedAt,
      data: { connection: this.stats.connections, held_segments: this.#segments.length, attempt },
    });
    for (const w of this.#readyWaiters.splice(0)) w.resolve();
    const { softInMs: soft, hardInMs: hard } = rotationSchedule(
      this.#opts,
      performance.now() - this.#openedAt,
    );
    this.#later(soft, () => {
      this.#rotationDue = true;
      this.#maybeRotate();
    }, true);
    this.#later(hard, () => this.#rotate("the session limit is near"), true);
    // Re-send what the previous connection did not finish, then carry on streaming.
    const resend = this.#segments.filter((s) => s.state === "ended").length;
    if (resend > 0) {
      this.stats.resent += resend;
      log.info("Re-sending {n} held segment(s) on the new Realtime session", { n: resend });
    }
    if (this.#mode === "server_vad") {
      // Held turns first, then the tail of the stream (audio after the last committed turn,
      // kept by #onClosed), shifted behind the replayed audio on the provider's clock.
      const tail = this.#stream;
      this.#stream = [];
      this.#streamSent = 0;
      if (this.#hasEndedWaiting()) this.#replayServerTurns();
      const shift = this.#connSamples;
      for (const c of tail) this.#stream.push({ at: c.at + shift, samples: c.samples });
      this.#sendStream(true);
      this.#maybeRotate();
      return;
    }
    this.#pump();
  }

  #onClosed(opened: boolean, errorMessage: string, code: number, reason: string): void {
    this.#clearConnTimers();
    const wasRotating = this.#rotating;
    this.#ws = null;
    this.#ready = false;
    // Everything in flight on that connection goes back to be re-sent on the next one.
    for (const seg of this.#segments) {
      if (seg.state === "committing" || seg.state === "committed") {
        seg.state = "ended";
        delete seg.itemId;
      }
      seg.sentSamples = 0;
    }
    this.#awaitingCommit = [];
    this.#commitIds.clear();
    this.#byItem.clear();
    this.#sessionUpdateIds.clear();
    this.#bufferOwner = null;
    if (this.#mode === "server_vad") {
      // A turn the provider had not committed yet is re-detected from the re-sent tail: keep
      // only the audio after the last committed turn, re-based to offset 0.
      this.#segments = this.#segments.filter((s) => !(s.kind === "server" && s.state === "open"));
      const first = this.#stream[0];
      const end = this.#connSamples + this.#unsentStreamSamples();
      const from = Math.max(this.#lastCommittedEnd, first ? first.at : end);
      const tail = sliceStream(this.#stream, from, end);
      this.#stream = tail.length > 0 ? [{ at: 0, samples: tail }] : [];
      this.#streamSent = 0;
      this.#connSamples = 0;
      this.#lastCommittedEnd = 0;
    }
    if (this.#state === "closed" || this.#state === "failed") return;
    const detail = opened
      ? `closed with code ${code}${reason ? ` (${reason})` : ""}${
        errorMessage ? `: ${errorMessage}` : ""
      }`
      : errorMessage || `could not connect (code ${code})`;
    let end: ConnectionEnd;
    if (wasRotating) end = { kind: "rotation" };
    else if (!opened && isAuthHandshakeError(errorMessage)) {
      end = { kind: "auth", detail: errorMessage };
    } else if (!opened) end = { kind: "unreachable", detail };
    else end = { kind: "closed", livedMs: performance.now() - this.#openedAt, detail };
    const decision = decideReconnect(
      this.#reconnectState,
      end,
      this.#opts.reconnect,
      this.#opts.random,
    );
    this.#reconnectState = decision.state;
    if (decision.action === "give_up") {
      this.#fatal(decision.reason);
      return;
    }
    if (wasRotating) this.stats.rotations++;
    else this.stats.reconnects++;
    const level = wasRotating ? "info" : "warning";
    log[level](
      "Realtime connection {detail}; reconnecting in {delay} ms ({held} segment(s) held)",
      {
        detail: wasRotating ? "rotated" : detail,
        delay: decision.delayMs,
        held: this.#segments.length,
      },
    );
    emitTrace(this.#tracer, {
      source: SOURCE,
      event: wasRotating ? "realtime.rotate" : "realtime.reconnect",
      data: {
        reason: wasRotating ? "session rotation" : detail,
        delay_ms: decision.delayMs,
        attempt: decision.state.attempt,
        held_segments: this.#segments.length,
      },
    });
    this.#setState("waiting", detail);
    this.#later(decision.delayMs, () => this.#connect(), false);
  }

  #maybeRotate(): void {
    if (this.#rotationDue && this.#isIdle()) this.#rotate("the session is getting old");
  }

  #rotate(why: string): void {
    const ws = this.#ws;
    if (!ws || this.#rotating || this.#state === "closed" || this.#state === "failed") return;
    log.info("Rotating the Realtime session: {why}", { why });
    this.#rotating = true;
    this.#ready = false;
    try {
      ws.close(1000, "session rotation");
    } catch { /* closing already */ }
  }

  #fatal(reason: string): void {
    if (this.#state === "failed" || this.#state === "closed") return;
    const error = new RealtimeGiveUpError(`Realtime transcription stopped: ${reason}`);
    this.#fatalError = error;
    log.error("{message} ({held} segment(s) not transcribed)", {
      message: error.message,
      held: this.#segments.length,
    });
    emitTrace(this.#tracer, {
      source: SOURCE,
      event: "realtime.gave_up",
      data: { reason, held_segments: this.#segments.length },
    });
    this.#setState("failed", reason);
    this.#clearConnTimers();
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    const ws = this.#ws;
    this.#ws = null;
    this.#ready = false;
    if (ws && ws.readyState !== WebSocket.CLOSED) {
      this.#closedPromise = this.#waitClose(ws);
      try {
        ws.close(1000, "giving up");
      } catch { /* already closing */ }
    }
    for (const w of this.#readyWaiters.splice(0)) w.reject(error);
    for (const w of this.#idleWaiters.splice(0)) w.reject(error);
    this.#events.emit("fatal", { error });
  }

  #waitClose(ws: WebSocket): Promise<void> {
    if (ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      ws.addEventListener("close", () => resolve(), { once: true });
    });
  }

  /** Stops: closes the socket and every timer. Held segments are reported, not kept. */
  async close(): Promise<void> {
    if (this.#state === "closed") return;
    const wasFailed = this.#state === "failed";
    this.#setState("closed");
    this.#clearConnTimers();
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    const ws = this.#ws;
    this.#ws = null;
    this.#ready = false;
    if (ws && ws.readyState !== WebSocket.CLOSED) {
      const closed = this.#waitClose(ws);
      try {
        ws.close(1000, "client closing");
      } catch { /* closing */ }
      await closed;
    }
    if (this.#closedPromise) await this.#closedPromise;
    if (this.#segments.length > 0 && !wasFailed) {
      log.warning("Closing with {n} segment(s) not transcribed", { n: this.#segments.length });
    }
    const error = new RealtimeGiveUpError(
      `Realtime transcription stopped: closed with ${this.#segments.length} segment(s) not transcribed`,
    );
    for (const w of this.#readyWaiters.splice(0)) w.reject(error);
    const idle = this.#isIdle();
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
        if (!this.#ready && !this.#rotating && this.#ws) this.#onReady();
        return;
      case "input_audio_buffer.speech_started":
        if (this.#mode === "server_vad") this.#onSpeechStarted(event.item_id, event.audio_start_ms);
        return;
      case "input_audio_buffer.speech_stopped":
        if (this.#mode === "server_vad") this.#onSpeechStopped(event.item_id, event.audio_end_ms);
        return;
      case "input_audio_buffer.committed":
        this.#onCommitted(event.item_id);
        return;
      case "conversation.item.input_audio_transcription.delta": {
        const seg = this.#byItem.get(event.item_id);
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
        const seg = this.#byItem.get(event.item_id);
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
        const seg = this.#byItem.get(event.item_id);
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

  #onErrorEvent(
    error: {
      type: string;
      message: string;
      code?: string | null | undefined;
      event_id?: string | null | undefined;
    },
  ): void {
    this.stats.errorEvents++;
    const code = error.code ?? null;
    const seg = error.event_id ? this.#commitIds.get(error.event_id) : undefined;
    emitTrace(this.#tracer, {
      source: SOURCE,
      event: "realtime.error_event",
      ...(seg ? { utterance_id: seg.id } : {}),
      data: { type: error.type, code, message: error.message },
    });
    if (isAuthErrorCode(code, error.type)) {
      this.#fatal(`the Realtime API refused the credentials: ${error.message}`);
      return;
    }
    if (error.event_id && this.#sessionUpdateIds.has(error.event_id)) {
      this.#fatal(
        `the Realtime API rejected the session settings: ${error.message}${
          code ? ` (${code})` : ""
        }`,
      );
      return;
    }
    if (seg) {
      const i = this.#awaitingCommit.indexOf(seg);
      if (i >= 0) this.#awaitingCommit.splice(i, 1);
      this.#segmentFailed(seg, `commit refused: ${error.message}`);
      return;
    }
    log.warning("Realtime error event {type}/{code}: {message}", {
      type: error.type,
      code,
      message: error.message,
    });
  }

  #onCommitted(itemId: string): void {
    let seg = this.#byItem.get(itemId);
    if (!seg) seg = this.#awaitingCommit.shift();
    else {
      const i = this.#awaitingCommit.indexOf(seg);
      if (i >= 0) this.#awaitingCommit.splice(i, 1);
    }
    if (!seg) {
      log.warning("The Realtime API committed an item this client did not send: {item}", {
        item: itemId,
      });
      return;
    }
    if (seg.kind === "server" && seg.state === "open") {
      this.#captureServerAudio(seg);
      this.#lastCommittedEnd = Math.max(this.#lastCommittedEnd, seg.serverEnd ?? this.#connSamples);
    }
    seg.itemId = itemId;
    seg.state = "committed";
    this.#byItem.set(itemId, seg);
  }

  #onSpeechStarted(itemId: string, startMs: number): void {
    const seg: Segment = {
      id: this.#newId(),
      kind: "server",
      state: "open",
      chunks: [],
      samples: 0,
      sentSamples: 0,
      retries: 0,
      partial: "",
      serverStart: Math.round(startMs * SAMPLES_PER_MS),
    };
    this.#segments.push(seg);
    this.#byItem.set(itemId, seg);
    this.stats.segmentsStarted++;
    this.#enforceBounds();
  }

  #onSpeechStopped(itemId: string, endMs: number): void {
    const seg = this.#byItem.get(itemId);
    if (!seg) return;
    seg.serverEnd = Math.round(endMs * SAMPLES_PER_MS);
    seg.endedAt = performance.now();
  }

  /** Server VAD: keeps the turn's audio so that it can be re-sent after a reconnect. */
  #captureServerAudio(seg: Segment): void {
    const prefix = (this.#opts.serverVad?.prefix_padding_ms ?? 300) * SAMPLES_PER_MS;
    const from = Math.max(0, (seg.serverStart ?? 0) - prefix);
    const to = seg.serverEnd ?? this.#connSamples;
    let audio = sliceStream(this.#stream, from, to);
    if (audio.length < MIN_COMMIT_SAMPLES) {
      const padded = new Int16Array(MIN_COMMIT_SAMPLES);
      padded.set(audio);
      audio = padded;
    }
    seg.chunks = [audio];
    seg.samples = audio.length;
  }

  #segmentFailed(seg: Segment, reason: string): void {
    if (seg.itemId) this.#byItem.delete(seg.itemId);
    delete seg.itemId;
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
    this.#removeSegment(seg);
    this.stats.failed++;
    log.error("Segment {id} lost: {reason}", { id: seg.id, reason });
    this.#events.emit("failed", { utterance_id: seg.id, reason });
    this.#checkIdle();
  }

  #finish(seg: Segment, itemId: string, text: string, usage: TranscriptUsage | undefined): void {
    const now = performance.now();
    this.#removeSegment(seg);
    const trimmed = text.trim();
    const latency = seg.endedAt === undefined ? undefined : now - seg.endedAt;
    if (trimmed.length === 0) {
      this.stats.discarded++;
      this.#events.emit("discarded", { utterance_id: seg.id, reason: "empty transcript" });
    } else {
      this.stats.finals++;
      const final: FinalTranscript = {
        utterance_id: seg.id,
        text: trimmed,
        item_id: itemId,
        model: this.#opts.model ?? DEFAULT_TRANSCRIPTION_MODEL,
        audio_ms: seg.samples / SAMPLES_PER_MS,
        received_at: now,
      };
      if (usage) final.usage = usage;
      if (latency !== undefined && seg.retries === 0) final.speech_end_to_final_ms = latency;
      emitTrace(this.#tracer, {
        source: SOURCE,
        event: "transcript.final",
        utterance_id: seg.id,
        ...(final.speech_end_to_final_ms !== undefined
          ? { duration_ms: final.speech_end_to_final_ms }
          : {}),
        data: { chars: trimmed.length, audio_ms: final.audio_ms, retries: seg.retries },
      });
      this.#events.emit("final", final);
    }
    this.#checkIdle();
    this.#maybeRotate();
  }

  // ------------------------------------------------------------------------ bookkeeping

  #removeSegment(seg: Segment): void {
    const i = this.#segments.indexOf(seg);
    if (i >= 0) this.#segments.splice(i, 1);
    if (seg.itemId) this.#byItem.delete(seg.itemId);
    if (this.#bufferOwner === seg) this.#bufferOwner = null;
    if (this.#open === seg) this.#open = null;
    for (const [id, s] of this.#commitIds) if (s === seg) this.#commitIds.delete(id);
    seg.chunks = [];
  }

  #enforceBounds(): void {
    const maxSegments = this.#opts.maxHeldSegments ?? 64;
    const maxSamples = (this.#opts.maxHeldAudioMs ?? 600_000) * SAMPLES_PER_MS;
    const held = () => this.#segments.reduce((n, s) => n + s.samples, 0);
    while (this.#segments.length > maxSegments || held() > maxSamples) {
      const victim = this.#segments.find((s) => s !== this.#open && s.state !== "open");
      if (!victim) break;
      this.#removeSegment(victim);
      this.stats.droppedForSpace++;
      const reason = `dropped: more than ${maxSegments} segments or ${
        maxSamples / SAMPLES_PER_MS
      } ms of audio waiting for the Realtime API`;
      log.error("Segment {id} {reason}", { id: victim.id, reason });
      this.#events.emit("failed", { utterance_id: victim.id, reason });
    }
  }

  #isIdle(): boolean {
    return this.#segments.length === 0 && this.#open === null;
  }

  #checkIdle(): void {
    if (!this.#isIdle()) return;
    for (const w of this.#idleWaiters.splice(0)) w.resolve();
  }
}
