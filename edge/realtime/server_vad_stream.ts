/**
 * @module
 * The server-VAD audio stream: with `turnDetection: "server_vad"` everything is streamed and
 * the provider decides the turns, so what a reconnect must re-send is not a segment but the
 * stream itself. This keeps the recent audio of the connection stamped with its offsets on
 * the provider's clock, cuts a committed turn's audio out of it (so that the turn can be
 * re-sent), keeps only the tail after the last committed turn when a connection drops, and
 * on the next one replays the held turns (with the provider's VAD off meanwhile) and lines
 * the tail up behind them. Synchronous: no waiting on the network.
 */
import {
  MIN_COMMIT_SAMPLES,
  type RealtimeWire,
  REPLAY_APPEND_SAMPLES,
  SAMPLES_PER_MS,
  sliceStream,
  type StreamChunk,
} from "./audio_chunks.ts";
import type { Segment, SegmentStore } from "./segment_store.ts";

/** Audio kept behind the newest (or behind a turn in progress), beside the prefix padding. */
const KEEP_MS = 2_000;

/** Options of {@linkcode ServerVadStream}. */
export interface ServerVadStreamOptions {
  wire: RealtimeWire;
  /** The held turns. */
  store: SegmentStore;
  /** Sends a `session.update` turning the provider's VAD off (`client`) or back on. */
  setTurnDetection: (mode: "client" | "server_vad") => void;
  /** Live audio goes out in appends of at least this many samples. */
  batchSamples: number;
  /** The provider's `prefix_padding_ms`: audio before speech start that belongs to a turn. @default 300 */
  prefixPaddingMs?: number | undefined;
}

/** See the module documentation. */
export class ServerVadStream {
  readonly #o: ServerVadStreamOptions;
  /** Audio appended on this connection since the last committed turn (and some before). */
  #stream: StreamChunk[] = [];
  #streamSent = 0;
  /** Samples appended on this connection: the provider's clock. */
  #connSamples = 0;
  /** End of the last turn the provider committed, in this connection's samples. */
  #lastCommittedEnd = 0;

  constructor(options: ServerVadStreamOptions) {
    this.#o = options;
  }

  get #prefixSamples(): number {
    return (this.#o.prefixPaddingMs ?? 300) * SAMPLES_PER_MS;
  }

  /** Counts samples appended on the connection (live, or replayed turns). */
  counted(samples: number): void {
    this.#connSamples += samples;
  }

  #unsent(): number {
    let n = 0;
    for (let i = this.#streamSent; i < this.#stream.length; i++) {
      n += this.#stream[i]!.samples.length;
    }
    return n;
  }

  /** Adds live audio at the end of the stream, sent at once in batches when `ready`. */
  append(samples: Int16Array, ready: boolean): void {
    this.#stream.push({ at: this.#connSamples + this.#unsent(), samples });
    if (ready) this.#send(false);
    this.#trim(this.#o.store.openServerTurn());
  }

  /** The provider heard speech start in item `itemId`, `startMs` into this connection. */
  speechStarted(id: string, itemId: string, startMs: number): void {
    this.#o.store.beginServerTurn(id, itemId, Math.round(startMs * SAMPLES_PER_MS));
  }

  /** The provider heard speech stop in item `itemId`, `endMs` into this connection. */
  speechStopped(itemId: string, endMs: number, endedAt: number): void {
    this.#o.store.stopServerTurn(itemId, Math.round(endMs * SAMPLES_PER_MS), endedAt);
  }

  /** A ready connection: replays held turns once no turn is in progress, and streams on. */
  pump(): void {
    const store = this.#o.store;
    if (store.hasEnded() && !store.openServerTurn()) this.#replayTurns();
    this.#send(false);
  }

  /**
   * Re-sends held turns. They are committed by us, so the provider's VAD is off while they
   * go in; live audio is flushed first so that the stream offsets stay those of the provider.
   */
  #replayTurns(): void {
    this.#send(true);
    this.#o.setTurnDetection("client");
    this.#o.store.replayEnded();
    this.#o.store.releaseBuffer();
    this.#o.setTurnDetection("server_vad");
  }

  /**
   * A new session is ready: held turns first, then the tail of the stream (the audio after
   * the last committed turn, kept when the last connection dropped), behind the replayed
   * audio on the provider's clock.
   */
  onReady(): void {
    const tail = this.#stream;
    this.#stream = [];
    this.#streamSent = 0;
    if (this.#o.store.hasEnded()) this.#replayTurns();
    const shift = this.#connSamples;
    for (const c of tail) this.#stream.push({ at: c.at + shift, samples: c.samples });
    this.#send(true);
  }

  /** The provider committed `seg`: a turn still open keeps its audio for a re-send. */
  committed(seg: Segment): void {
    if (seg.kind === "server" && seg.state === "open") this.#capture(seg);
  }

  /** Appends the audio not yet sent: all of it when `all`, else only once a batch is ready. */
  #send(all: boolean): void {
    if (!all && this.#unsent() < this.#o.batchSamples) return;
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
      this.#o.wire.appendSamples(
        joined.subarray(i, Math.min(joined.length, i + REPLAY_APPEND_SAMPLES)),
      );
    }
    this.#streamSent = this.#stream.length;
  }

  /** Keeps the stream from the oldest audio a turn in progress (`open`) may still need. */
  #trim(open: Segment | undefined): void {
    const keep = (KEEP_MS * SAMPLES_PER_MS) + this.#prefixSamples;
    const streamEnd = this.#connSamples + this.#unsent();
    const keepFrom = open?.serverStart !== undefined ? open.serverStart - keep : streamEnd - keep;
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

  #capture(seg: Segment): void {
    const from = Math.max(0, (seg.serverStart ?? 0) - this.#prefixSamples);
    const to = seg.serverEnd ?? this.#connSamples;
    let audio = sliceStream(this.#stream, from, to);
    if (audio.length < MIN_COMMIT_SAMPLES) {
      const padded = new Int16Array(MIN_COMMIT_SAMPLES);
      padded.set(audio);
      audio = padded;
    }
    seg.chunks = [audio];
    seg.samples = audio.length;
    this.#lastCommittedEnd = Math.max(this.#lastCommittedEnd, seg.serverEnd ?? this.#connSamples);
  }

  /**
   * The connection dropped: a turn not committed yet is heard again from the re-sent tail, so
   * it is dropped, and only the audio after the last committed turn is kept, re-based to 0.
   */
  onLost(): void {
    this.#o.store.dropOpenServerTurns();
    const first = this.#stream[0];
    const end = this.#connSamples + this.#unsent();
    const from = Math.max(this.#lastCommittedEnd, first ? first.at : end);
    const tail = sliceStream(this.#stream, from, end);
    this.#stream = tail.length > 0 ? [{ at: 0, samples: tail }] : [];
    this.#streamSent = 0;
    this.#connSamples = 0;
    this.#lastCommittedEnd = 0;
  }
}
