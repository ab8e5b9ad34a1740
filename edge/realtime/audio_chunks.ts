/**
 * @module
 * Ranges of held audio. A segment keeps its 24 kHz audio as the chunks it arrived in, and the
 * server-VAD stream as chunks stamped with their offset on the connection; re-sending after a
 * reconnect needs a contiguous copy of a range of either. Pure: no I/O.
 */

/** Audio appended on a connection, stamped with where it starts. */
export interface StreamChunk {
  /** Offset of the first sample in this connection's appended audio. */
  at: number;
  samples: Int16Array;
}

/** Samples `from` (inclusive) to `to` (exclusive) of chunks laid end to end. */
export function sliceChunks(chunks: readonly Int16Array[], from: number, to: number): Int16Array {
  const out = new Int16Array(Math.max(0, to - from));
  let pos = 0;
  let written = 0;
  for (const chunk of chunks) {
    const end = pos + chunk.length;
    if (end > from && pos < to) {
      const a = Math.max(from, pos) - pos;
      const b = Math.min(to, end) - pos;
      out.set(chunk.subarray(a, b), written);
      written += b - a;
    }
    pos = end;
    if (pos >= to) break;
  }
  return out;
}

/**
 * Samples between two connection offsets of a stamped stream; a part no chunk covers (trimmed
 * away) stays silent.
 */
export function sliceStream(stream: readonly StreamChunk[], from: number, to: number): Int16Array {
  const out = new Int16Array(Math.max(0, to - from));
  for (const c of stream) {
    const a = Math.max(from, c.at);
    const b = Math.min(to, c.at + c.samples.length);
    if (b > a) out.set(c.samples.subarray(a - c.at, b - c.at), a - from);
  }
  return out;
}

/** Samples of 24 kHz Realtime audio per millisecond. */
export const SAMPLES_PER_MS = 24;
/** The API refuses to commit less audio than this (100 ms). */
export const MIN_COMMIT_SAMPLES = 100 * SAMPLES_PER_MS;
/** Largest append when re-sending held audio (1 s ≈ 64 kB of base64). */
export const REPLAY_APPEND_SAMPLES = 1000 * SAMPLES_PER_MS;

/** What the parts of the transcriber need of the connection to put audio on it. */
export interface RealtimeWire {
  /** Sends a client event; false when no socket is open. */
  send(event: object): boolean;
  /** A fresh client event id. */
  nextEventId(kind: string): string;
  /** Appends samples to the provider's input buffer. */
  appendSamples(samples: Int16Array): void;
}
