/**
 * @module
 * The transcriber's connection to the Realtime API: one WebSocket at a time through its
 * whole life. It connects (header or subprotocol auth), sends the session settings, waits
 * for `session.updated` within a time limit, rotates the session before the provider's limit
 * (at a quiet moment when it can, at once when it must), and after a drop asks the
 * reconnect policy whether to retry and when, or gives up with a reason. What travels on the
 * connection is the transcriber's business: it hears about frames, readiness, drops and the
 * end through {@linkcode ConnectionHooks}.
 */
import { getLogger } from "@logtape/logtape";
import {
  sessionUpdate,
  type TranscriptionSessionSettings,
  transcriptionUrl,
} from "./client_events.ts";
import { rotationSchedule } from "./session_rotation.ts";
import {
  type ConnectionEnd,
  decideReconnect,
  INITIAL_RECONNECT_STATE,
  isAuthHandshakeError,
  type ReconnectState,
} from "./reconnect_policy.ts";
import { type EdgeTracer, emitTrace } from "../support/edge_trace.ts";
import {
  DEFAULT_REALTIME_URL,
  RealtimeGiveUpError,
  type RealtimeTranscriberOptions,
  type TranscriberState,
  type TranscriberStats,
} from "./transcriber_types.ts";

const log = getLogger(["edge", "realtime"]);
const SOURCE = "edge.realtime";

/** What the connection asks of, and tells, the transcriber. */
export interface ConnectionHooks {
  /** The session settings to send on a new connection. */
  settings(): TranscriptionSessionSettings;
  /** A frame arrived on the current connection. */
  frame(data: unknown): void;
  /** A session is ready: re-send what is held, then carry on. */
  ready(): void;
  /** The connection is gone: everything in flight on it goes back to be re-sent. */
  lost(): void;
  /** The state changed. */
  state(state: TranscriberState, detail?: string): void;
  /** The connection gave up for good. */
  fatal(error: RealtimeGiveUpError): void;
  /** Segments held, for logs and traces. */
  held(): number;
  /** Nothing held or open: a good moment to rotate. */
  idle(): boolean;
}

type Waiter = { resolve: () => void; reject: (e: Error) => void };

/** See the module documentation. */
export class RealtimeConnection {
  readonly #opts: RealtimeTranscriberOptions;
  readonly #stats: TranscriberStats;
  readonly #tracer: EdgeTracer;
  readonly #hooks: ConnectionHooks;

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
  #readyWaiters: Waiter[] = [];
  #fatalError: RealtimeGiveUpError | null = null;
  #closedPromise: Promise<void> | null = null;

  constructor(
    options: RealtimeTranscriberOptions,
    parts: { stats: TranscriberStats; tracer: EdgeTracer; hooks: ConnectionHooks },
  ) {
    this.#opts = options;
    this.#stats = parts.stats;
    this.#tracer = parts.tracer;
    this.#hooks = parts.hooks;
  }

  get state(): TranscriberState {
    return this.#state;
  }

  /** A session is ready for audio. */
  get ready(): boolean {
    return this.#ready;
  }

  /** Closed or given up: nothing more is sent. */
  get ended(): boolean {
    return this.#state === "closed" || this.#state === "failed";
  }

  /** Why the connection gave up, once it has. */
  get fatalError(): RealtimeGiveUpError | null {
    return this.#fatalError;
  }

  /** A session update can go out now (also while the first one is still unanswered). */
  get canUpdateSession(): boolean {
    return this.#ws?.readyState === WebSocket.OPEN && !this.#rotating;
  }

  /** Starts connecting; returns at once. */
  start(): void {
    if (this.#state !== "idle") return;
    this.#connect();
  }

  /** Resolves once a session is ready. */
  whenReady(): Promise<void> {
    if (this.#ready) return Promise.resolve();
    if (this.#fatalError) return Promise.reject(this.#fatalError);
    return new Promise((resolve, reject) => this.#readyWaiters.push({ resolve, reject }));
  }

  nextEventId(kind: string): string {
    return `evt_edge_${kind}_${(++this.#eventCounter).toString(36)}`;
  }

  /** Sends a client event; false when no socket is open. */
  send(event: object): boolean {
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

  /** An event id for a `session.update`, remembered so that a refusal of it is recognised. */
  trackSessionUpdate(): string {
    const id = this.nextEventId("session");
    this.#sessionUpdateIds.add(id);
    return id;
  }

  /** Whether `eventId` was a `session.update` of this connection. */
  isSessionUpdate(eventId: string): boolean {
    return this.#sessionUpdateIds.has(eventId);
  }

  /** The provider answered a `session.update`: the first answer makes the session ready. */
  sessionUpdated(): void {
    if (!this.#ready && !this.#rotating && this.#ws) this.#onReady();
  }

  /** Rotates once the session is old enough and nothing is in flight. */
  maybeRotate(): void {
    if (this.#rotationDue && this.#hooks.idle()) this.#rotate("the session is getting old");
  }

  #setState(state: TranscriberState, detail?: string): void {
    if (this.#state === state) return;
    this.#state = state;
    this.#hooks.state(state, detail);
  }

  #later(ms: number, fn: () => void, perConnection: boolean): void {
    const set = perConnection ? this.#connTimers : this.#timers;
    const t = setTimeout(() => {
      set.delete(t);
      fn();
    }, ms);
    set.add(t);
  }

  #clearTimers(all: boolean): void {
    for (const t of this.#connTimers) clearTimeout(t);
    this.#connTimers.clear();
    if (!all) return;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
  }

  #connect(): void {
    if (this.ended) return;
    this.#setState("connecting");
    const url = transcriptionUrl(this.#opts.url ?? DEFAULT_REALTIME_URL);
    let ws: WebSocket;
    try {
      ws = this.#opts.auth === "subprotocol"
        ? new WebSocket(url, ["realtime", `openai-insecure-api-key.${this.#opts.apiKey}`])
        : new WebSocket(url, { headers: { Authorization: `Bearer ${this.#opts.apiKey}` } });
    } catch (error) {
      this.fatal(`cannot open a WebSocket to ${url}: ${(error as Error).message}`);
      return;
    }
    this.#ws = ws;
    this.#ready = false;
    this.#rotating = false;
    this.#rotationDue = false;
    this.#stats.connections++;
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
      this.send(sessionUpdate(this.#hooks.settings(), this.trackSessionUpdate()));
    };
    ws.onmessage = (m) => {
      if (this.#ws === ws) this.#hooks.frame(m.data);
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
    emitTrace(this.#tracer, {
      source: SOURCE,
      event: "realtime.connected",
      duration_ms: performance.now() - this.#openedAt,
      data: {
        connection: this.#stats.connections,
        held_segments: this.#hooks.held(),
        attempt: this.#reconnectState.attempt,
      },
    });
    for (const w of this.#readyWaiters.splice(0)) w.resolve();
    const { softInMs: soft, hardInMs: hard } = rotationSchedule(
      this.#opts,
      performance.now() - this.#openedAt,
    );
    this.#later(soft, () => {
      this.#rotationDue = true;
      this.maybeRotate();
    }, true);
    this.#later(hard, () => this.#rotate("the session limit is near"), true);
    this.#hooks.ready();
  }

  #onClosed(opened: boolean, errorMessage: string, code: number, reason: string): void {
    this.#clearTimers(false);
    const wasRotating = this.#rotating;
    this.#ws = null;
    this.#ready = false;
    this.#sessionUpdateIds.clear();
    this.#hooks.lost();
    if (this.ended) return;
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
      this.fatal(decision.reason);
      return;
    }
    if (wasRotating) this.#stats.rotations++;
    else this.#stats.reconnects++;
    const level = wasRotating ? "info" : "warning";
    const held = this.#hooks.held();
    log[level](
      "Realtime connection {detail}; reconnecting in {delay} ms ({held} segment(s) held)",
      { detail: wasRotating ? "rotated" : detail, delay: decision.delayMs, held },
    );
    emitTrace(this.#tracer, {
      source: SOURCE,
      event: wasRotating ? "realtime.rotate" : "realtime.reconnect",
      data: {
        reason: wasRotating ? "session rotation" : detail,
        delay_ms: decision.delayMs,
        attempt: decision.state.attempt,
        held_segments: held,
      },
    });
    this.#setState("waiting", detail);
    this.#later(decision.delayMs, () => this.#connect(), false);
  }

  #rotate(why: string): void {
    const ws = this.#ws;
    if (!ws || this.#rotating || this.ended) return;
    log.info("Rotating the Realtime session: {why}", { why });
    this.#rotating = true;
    this.#ready = false;
    try {
      ws.close(1000, "session rotation");
    } catch { /* closing already */ }
  }

  /** Gives up for good: closes the socket, stops every timer, rejects the waiters. */
  fatal(reason: string): void {
    if (this.ended) return;
    const error = new RealtimeGiveUpError(`Realtime transcription stopped: ${reason}`);
    this.#fatalError = error;
    const held = this.#hooks.held();
    log.error("{message} ({held} segment(s) not transcribed)", { message: error.message, held });
    emitTrace(this.#tracer, {
      source: SOURCE,
      event: "realtime.gave_up",
      data: { reason, held_segments: held },
    });
    this.#setState("failed", reason);
    this.#clearTimers(true);
    const ws = this.#ws;
    this.#ws = null;
    this.#ready = false;
    if (ws && ws.readyState !== WebSocket.CLOSED) {
      this.#closedPromise = waitClose(ws);
      try {
        ws.close(1000, "giving up");
      } catch { /* already closing */ }
    }
    for (const w of this.#readyWaiters.splice(0)) w.reject(error);
    this.#hooks.fatal(error);
  }

  /**
   * Stops: closes the socket and every timer, and resolves once the socket is closed. Ready
   * waiters get `error`, built once the socket is down (see {@linkcode rejectReadyWaiters}).
   */
  async close(): Promise<void> {
    this.#setState("closed");
    this.#clearTimers(true);
    const ws = this.#ws;
    this.#ws = null;
    this.#ready = false;
    if (ws && ws.readyState !== WebSocket.CLOSED) {
      const closed = waitClose(ws);
      try {
        ws.close(1000, "client closing");
      } catch { /* closing */ }
      await closed;
    }
    if (this.#closedPromise) await this.#closedPromise;
  }

  /** Rejects everyone still waiting for a session (after {@linkcode close}). */
  rejectReadyWaiters(error: Error): void {
    for (const w of this.#readyWaiters.splice(0)) w.reject(error);
  }
}

function waitClose(ws: WebSocket): Promise<void> {
  if (ws.readyState === WebSocket.CLOSED) return Promise.resolve();
  return new Promise((resolve) => {
    ws.addEventListener("close", () => resolve(), { once: true });
  });
}
