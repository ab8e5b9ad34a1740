/**
 * @module
 * One trace sink's own line of batches. Each sink has its lines waiting, at most one write in
 * flight and one waiting behind it, so a slow sink (a remote trace store) gets fewer, larger
 * batches and never holds back another sink's: the local JSONL file stays current while the
 * store catches up.
 *
 * A sink that answers, but more slowly than events come in, would let its waiting lines grow
 * without end, and the gateway would run out of memory for a record of what it did. Past
 * `maxPending` lines the oldest waiting ones are dropped and counted instead: the sink keeps the
 * newest, the other sinks keep everything.
 */
import type { TraceEvent } from "@shared/schemas/mod.ts";
import type { TraceSink } from "./tracer.ts";

export interface SinkLaneOptions {
  /** Lines a sink may have waiting before the oldest are dropped. */
  maxPending: number;
  /** How long a write may take before it counts as failed and the next goes ahead. */
  timeoutMs: number;
  /** Called for each failed or unanswered write, with the reason. */
  onError: (reason: string) => void;
}

export class SinkLane {
  readonly #sink: TraceSink;
  readonly #options: SinkLaneOptions;
  #pending: string[] = [];
  /** This sink's latest write: settled once every write before it is done. */
  #writing: Promise<void> = Promise.resolve();
  /** A write waiting for the one in flight; it takes every line pending when it starts. */
  #queued: Promise<void> | undefined;
  /** Lines dropped unwritten because too many were waiting. */
  dropped = 0;

  constructor(sink: TraceSink, options: SinkLaneOptions) {
    this.#sink = sink;
    this.#options = options;
  }

  add(line: string): void {
    if (this.#pending.length >= this.#options.maxPending) {
      // A tenth at a time, so that a sink that stays behind costs one splice per tenth of the
      // cap rather than one per line.
      const n = Math.max(1, Math.ceil(this.#options.maxPending / 10));
      this.dropped += this.#pending.splice(0, n).length;
    }
    this.#pending.push(line);
  }

  /**
   * Writes the waiting lines; resolves once they are written (or their write failed). A flush
   * while the sink is still busy joins the write waiting behind it.
   */
  flush(): Promise<void> {
    if (this.#queued) return this.#queued;
    if (this.#pending.length === 0) return this.#writing;
    const queued = this.#writing.then(() => {
      this.#queued = undefined;
      const lines = this.#pending;
      this.#pending = [];
      return this.#write(lines);
    });
    this.#queued = queued;
    this.#writing = queued;
    return queued;
  }

  /**
   * Hands `lines` to the sink. A failure is reported, never thrown; so is a write with no answer
   * within the timeout (a remote store that stopped answering), which is left to finish while
   * the next batches go ahead.
   */
  async #write(lines: string[]): Promise<void> {
    const { timeoutMs, onError } = this.#options;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      const s = this.#sink;
      const written = s.writeLines
        ? s.writeLines(lines)
        : s.write(lines.map((l) => JSON.parse(l) as TraceEvent));
      // A write that fails after its timeout has already been reported.
      written.catch(() => {});
      await Promise.race([written, timedOut]);
    } catch (err) {
      onError(`${this.#sink.name}: ${err instanceof Error ? err.message : err}`);
    } finally {
      clearTimeout(timer);
    }
  }
}
