/**
 * @module
 * The tracer every gateway part writes to. Events are stamped, kept in a bounded ring for
 * `/traces`, and handed to the sinks (JSONL file, libSQL) in batches off the request path.
 */
import { type TraceEvent, traceEvent, type TraceInput } from "@shared/schemas/trace.ts";
import { redactText } from "@shared/logging/redact.ts";

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
  now?: () => number;
}

/** Applies secret redaction to every string in an event; returns it with its JSON line. */
function redactEvent(event: TraceEvent): [TraceEvent, string] {
  const json = JSON.stringify(event);
  const clean = redactText(json);
  return clean === json ? [event, json] : [JSON.parse(clean), clean];
}

export class Tracer {
  readonly #sinks: TraceSink[];
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
  /** JSON lines of the events not yet handed to the sinks (see `TraceSink.writeLines`). */
  #pendingLines: string[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** The sinks' latest write: settled once every write before it is done. */
  #writing: Promise<void> = Promise.resolve();
  /** A write waiting for the one in flight; it takes every line pending when it starts. */
  #queued: Promise<void> | undefined;
  readonly #interval: number;
  readonly #sinkTimeout: number;
  readonly #now: () => number;
  #closed = false;
  readonly #subscribers = new Set<(event: TraceEvent) => void>();
  /** Failed or unanswered sink writes so far, and the latest one's reason. */
  sinkErrors = 0;
  lastSinkError: string | undefined;

  constructor(sinks: TraceSink[], options: TracerOptions = {}) {
    this.#sinks = sinks;
    this.#ringSize = options.ringSize ?? 5000;
    this.#interval = options.flushIntervalMs ?? 100;
    this.#sinkTimeout = options.sinkTimeoutMs ?? 30_000;
    this.#now = options.now ?? Date.now;
  }

  /** Records an event. Never throws and never waits for I/O. */
  emit(input: TraceInput): TraceEvent {
    const [event, line] = redactEvent(traceEvent(input, input.ts ?? this.#iso(this.#now())));
    this.#remember(line);
    for (const fn of this.#subscribers) {
      try {
        fn(event);
      } catch {
        // A slow or broken subscriber (e.g. a closed SSE stream) must not affect tracing.
      }
    }
    if (this.#closed) return event;
    this.#pendingLines.push(line);
    if (this.#timer === undefined) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        void this.flush();
      }, this.#interval);
    }
    return event;
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

  /** Calls `fn` with every event from now on (live views such as `/events`). */
  subscribe(fn: (event: TraceEvent) => void): () => void {
    this.#subscribers.add(fn);
    return () => this.#subscribers.delete(fn);
  }

  /**
   * Writes pending events to every sink; resolves once they are written. At most one write is in
   * flight and one waits behind it: a flush while a sink is still busy joins the waiting write,
   * which takes every line pending when it starts. A slow sink (a remote trace store) then gets
   * fewer, larger batches instead of a growing line of small ones.
   */
  flush(): Promise<void> {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    if (this.#queued) return this.#queued;
    if (this.#pendingLines.length === 0) return this.#writing;
    const queued = this.#writing.then(() => {
      this.#queued = undefined;
      const lines = this.#pendingLines;
      this.#pendingLines = [];
      return this.#write(lines);
    });
    this.#queued = queued;
    this.#writing = queued;
    return queued;
  }

  /**
   * Hands `lines` to every sink; a sink's failure is counted, never thrown. A sink that does not
   * answer within the sink timeout counts as failed too: the sinks are written together, and one
   * that hangs (a remote store that stopped answering) must not hold back the others' next
   * batches, nor let pending lines pile up behind it.
   */
  #write(lines: string[]): Promise<void> {
    // Sinks without `writeLines` get the events back from their lines, once for all of them.
    let events: TraceEvent[] | undefined;
    const asEvents = () => (events ??= lines.map((l) => JSON.parse(l) as TraceEvent));
    return Promise.all(
      this.#sinks.map(async (s) => {
        let timer: ReturnType<typeof setTimeout> | undefined;
        const timedOut = new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`no answer within ${this.#sinkTimeout} ms`)),
            this.#sinkTimeout,
          );
        });
        try {
          const written = s.writeLines ? s.writeLines(lines) : s.write(asEvents());
          // A write that fails after its timeout has already been counted.
          written.catch(() => {});
          await Promise.race([written, timedOut]);
        } catch (err) {
          this.sinkErrors++;
          this.lastSinkError = `${s.name}: ${err instanceof Error ? err.message : err}`;
        } finally {
          clearTimeout(timer);
        }
      }),
    ).then(() => {});
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
    this.#closed = true;
    await this.flush();
    for (const s of this.#sinks) await s.close().catch(() => {});
  }
}
