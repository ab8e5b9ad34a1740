/**
 * @module
 * The tracer every gateway part writes to. Events are stamped, kept in a bounded ring for
 * `/traces`, and handed to the sinks (JSONL file, libSQL) in batches off the request path.
 */
import { type TraceEvent, traceEvent, type TraceInput } from "@shared/schemas/trace.ts";
import { redactText } from "@shared/logging/redact.ts";
import { getLogger } from "@logtape/logtape";
import { SinkLane } from "./sink_lane.ts";

const log = getLogger(["gateway", "traces"]);

/** A sink that keeps failing is logged at most once a minute (each failure is still counted). */
const SINK_ERROR_LOG_INTERVAL_MS = 60_000;

export interface TraceFilter {
  limit?: number | undefined;
  job_id?: string | undefined;
  utterance_id?: string | undefined;
  /** ISO timestamp: events at or after it. */
  since?: string | undefined;
  event?: string | undefined;
}

/** Where trace events go. Implementations live in their own files. */
export interface TraceSink {
  readonly name: string;
  /** Stores a batch of events. */
  write(events: readonly TraceEvent[]): Promise<void>;
  /**
   * Stores a batch given as the events' JSON lines (each `JSON.stringify` of a redacted event,
   * already made while redacting). Sinks that store JSON have it, and the tracer calls it instead
   * of `write` then. It holds pending events as their lines alone: an event's object tree
   * outlives the young generation while it waits for the next flush (up to `flushIntervalMs`),
   * and the collector copies and scans those trees at every scavenge, where one flat string costs
   * it far less.
   */
  writeLines?(lines: readonly string[]): Promise<void>;
  /** Persistent sinks can answer queries (newest last). */
  query?(filter: TraceFilter): Promise<TraceEvent[]>;
  ping?(): Promise<void>;
  close(): Promise<void>;
}

export type { TraceInput };

export interface TracerOptions {
  /** Events kept in memory for `/traces`. @default 5000 */
  ringSize?: number;
  /** Batch interval to the sinks. @default 100 */
  flushIntervalMs?: number;
  /**
   * How long a sink's write may take before it counts as failed and the next batch goes ahead
   * (the write itself is left to finish). @default 30000
   */
  sinkTimeoutMs?: number;
  /**
   * Lines one sink may have waiting before its oldest are dropped and counted (see
   * `sink_lane.ts`): some 30 MB, as events are 200 to 700 bytes. @default 100000
   */
  maxPendingLines?: number;
  now?: () => number;
}

/** Applies secret redaction to every string in an event; returns it with its JSON line. */
function redactEvent(event: TraceEvent): [TraceEvent, string] {
  const json = JSON.stringify(event);
  const clean = redactText(json);
  return clean === json ? [event, json] : [JSON.parse(clean), clean];
}

/**
 * Events serialized together. Serializing an event as it is emitted runs JSON.stringify and the
 * redaction scan between a request's routing and its queue work, with their code and data
 * evicted from the caches by everything else the request did; a run of events serialized
 * together finds them warm. Few enough that an event's object tree still dies young (a few
 * requests); a view of recent events, a flush and the flush timer serialize whatever waits.
 */
const SERIALIZE_BATCH = 48;

export class Tracer {
  readonly #sinks: TraceSink[];
  /** Each sink's waiting lines and writes (see `sink_lane.ts`). */
  readonly #lanes: SinkLane[];
  /**
   * Circular: `#ringStart` is the oldest of `#ringCount` events (no shifting per event). Each
   * event is kept as its JSON line, one flat string, not as its object tree: thousands of
   * recent events outlive the young generation, and the collector copies and scans one string
   * far more cheaply than an event's nested objects. Reading the ring parses what it returns.
   */
  readonly #ring: string[] = [];
  #ringStart = 0;
  #ringCount = 0;
  readonly #ringSize: number;
  #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #interval: number;
  readonly #now: () => number;
  #closed = false;
  readonly #subscribers = new Set<(event: TraceEvent) => void>();
  readonly #observers = new Set<(event: TraceEvent) => void>();
  /** Events stamped but not yet redacted and serialized (see {@link SERIALIZE_BATCH}). */
  #unserialized: TraceEvent[] = [];
  /** Failed or unanswered sink writes so far, and the latest one's reason. */
  sinkErrors = 0;
  lastSinkError: string | undefined;
  #lastErrorLogged = -Infinity;

  constructor(sinks: TraceSink[], options: TracerOptions = {}) {
    this.#sinks = sinks;
    this.#ringSize = options.ringSize ?? 5000;
    this.#interval = options.flushIntervalMs ?? 100;
    const laneOptions = {
      maxPending: options.maxPendingLines ?? 100_000,
      timeoutMs: options.sinkTimeoutMs ?? 30_000,
      onError: (reason: string) => {
        this.sinkErrors++;
        this.lastSinkError = reason;
        const now = this.#now();
        if (!(now - this.#lastErrorLogged < SINK_ERROR_LOG_INTERVAL_MS)) {
          this.#lastErrorLogged = now;
          log.error("Trace sink write failed ({errors} so far): {reason}", {
            errors: this.sinkErrors,
            reason,
          });
        }
      },
    };
    this.#lanes = sinks.map((s) => new SinkLane(s, laneOptions));
    this.#now = options.now ?? Date.now;
  }

  /**
   * Records an event. Never throws and never waits for I/O. The event is stamped now, and
   * redacted and turned into its JSON line with the next batch (see {@link SERIALIZE_BATCH}):
   * its objects are handed over, and the caller does not change them afterwards. Sinks,
   * subscribers and {@link recent} see the redacted event.
   */
  emit(input: TraceInput): void {
    const event = traceEvent(input, input.ts ?? this.#iso(this.#now()));
    this.#unserialized.push(event);
    for (const fn of this.#observers) {
      try {
        fn(event);
      } catch {
        // A tally's bug must not affect tracing.
      }
    }
    // A live view (a subscriber) sees each event as it happens.
    if (this.#unserialized.length >= SERIALIZE_BATCH || this.#subscribers.size > 0) {
      this.#serialize();
    }
    if (this.#timer === undefined && !this.#closed) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        void this.flush();
      }, this.#interval);
    }
  }

  /** Redacts and serializes the events emitted since the last batch, in order. */
  #serialize(): void {
    const batch = this.#unserialized;
    if (batch.length === 0) return;
    this.#unserialized = [];
    for (const raw of batch) {
      let event: TraceEvent;
      let line: string;
      try {
        [event, line] = redactEvent(raw);
      } catch (err) {
        // Only a value JSON cannot hold (a cycle, a BigInt) gets here; the types rule both out.
        // The event is kept as a note of what could not be written, and the batch goes on.
        [event, line] = redactEvent(traceEvent({
          source: raw.source,
          event: raw.event,
          ...(raw.utterance_id ? { utterance_id: raw.utterance_id } : {}),
          ...(raw.job_id ? { job_id: raw.job_id } : {}),
          data: { trace_error: err instanceof Error ? err.message : String(err) },
        }, raw.ts));
      }
      this.#remember(line);
      for (const fn of this.#subscribers) {
        try {
          fn(event);
        } catch {
          // A slow or broken subscriber (e.g. a closed SSE stream) must not affect tracing.
        }
      }
      if (this.#closed) continue;
      for (const lane of this.#lanes) lane.add(line);
    }
  }

  #lastMs = NaN;
  #lastIso = "";
  /** Events come in bursts within one millisecond: format each millisecond once. */
  #iso(ms: number): string {
    if (ms !== this.#lastMs) {
      this.#lastIso = new Date(ms).toISOString();
      this.#lastMs = ms;
    }
    return this.#lastIso;
  }

  #remember(line: string): void {
    if (this.#ringSize <= 0) return;
    if (this.#ringCount < this.#ringSize) {
      this.#ring[(this.#ringStart + this.#ringCount++) % this.#ringSize] = line;
    } else {
      this.#ring[this.#ringStart] = line;
      this.#ringStart = (this.#ringStart + 1) % this.#ringSize;
    }
  }

  /**
   * Calls `fn` with every event from now on as it is emitted, stamped but not redacted: for
   * in-process tallies (the dashboard's charts) that never show or send what they are given.
   * Observers do not make events serialize one by one.
   */
  observe(fn: (event: TraceEvent) => void): () => void {
    this.#observers.add(fn);
    return () => this.#observers.delete(fn);
  }

  /**
   * Calls `fn` with every event from now on, redacted, as it is emitted: for live views such as
   * `/events`. While any is subscribed, events are serialized one by one.
   */
  subscribe(fn: (event: TraceEvent) => void): () => void {
    this.#subscribers.add(fn);
    return () => this.#subscribers.delete(fn);
  }

  /** Lines dropped unwritten, over every sink, because too many were waiting for a slow one. */
  get linesDropped(): number {
    let n = 0;
    for (const lane of this.#lanes) n += lane.dropped;
    return n;
  }

  /**
   * Writes pending events to every sink; resolves once they are written (or their writes
   * failed). Each sink has its own line of batches (see `sink_lane.ts`), so a slow one holds
   * back none of the others.
   */
  flush(): Promise<void> {
    this.#serialize();
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    return Promise.all(this.#lanes.map((lane) => lane.flush())).then(() => {});
  }

  /** Recent events matching `filter`, newest last. Uses a persistent sink when one answers. */
  async query(filter: TraceFilter = {}): Promise<TraceEvent[]> {
    const store = this.#sinks.find((s) => s.query);
    if (store?.query) {
      await this.flush();
      return store.query(filter);
    }
    return this.recent(filter);
  }

  /** Events from the in-memory ring only. */
  recent(filter: TraceFilter = {}): TraceEvent[] {
    this.#serialize();
    const limit = filter.limit ?? 100;
    const out: TraceEvent[] = [];
    // An id or event name missing from a line's text rules it out before it is parsed.
    const needles = [filter.job_id, filter.utterance_id, filter.event].filter((n) => !!n)
      .map((n) => JSON.stringify(n));
    for (let i = this.#ringCount - 1; i >= 0 && out.length < limit; i--) {
      const line = this.#ring[(this.#ringStart + i) % this.#ringSize]!;
      if (!needles.every((n) => line.includes(n))) continue;
      const e = JSON.parse(line) as TraceEvent;
      if (filter.job_id && e.job_id !== filter.job_id) continue;
      if (filter.utterance_id && e.utterance_id !== filter.utterance_id) continue;
      if (filter.event && e.event !== filter.event) continue;
      if (filter.since && e.ts < filter.since) break;
      out.push(e);
    }
    return out.reverse();
  }

  async ping(): Promise<void> {
    for (const s of this.#sinks) await s.ping?.();
  }

  async close(): Promise<void> {
    // What was emitted before the close still goes to the sinks.
    this.#serialize();
    this.#closed = true;
    await this.flush();
    for (const s of this.#sinks) await s.close().catch(() => {});
  }
}
