/**
 * @module
 * Half-duplex: while the edge speaks, and for a short tail after (the sound server and the
 * room still carry the last syllables), speech heard by the microphone is the edge's own
 * voice and must not become a request. The gate decides per speech segment, at its start:
 * a segment that starts while the gate is closed is dropped whole (it may last past the end
 * of playback); one that started while the gate was open passes whole, even if the edge
 * starts speaking over it. With barge-in, a segment starting during playback stops the
 * playback instead and passes. Pure: the caller passes the clock.
 */

/** Options of {@linkcode DuplexGate}. */
export interface DuplexGateOptions {
  /** Time after playback ends during which the gate stays closed. @default 400 */
  tailMs?: number;
  /** Let the start of the user's speech stop playback instead of being dropped. @default false */
  bargeIn?: boolean;
}

/** What to do with a segment that starts now. */
export type SegmentVerdict = "pass" | "drop" | "barge_in";

/** See the module documentation. */
export class DuplexGate {
  readonly #tailMs: number;
  readonly #bargeIn: boolean;
  #playing = 0;
  #endedAt = Number.NEGATIVE_INFINITY;
  #segment: boolean | undefined;
  readonly stats = { passed: 0, dropped: 0, bargeIns: 0 };

  constructor(options: DuplexGateOptions = {}) {
    this.#tailMs = options.tailMs ?? 400;
    this.#bargeIn = options.bargeIn ?? false;
  }

  /** Sound started coming out of the speaker. */
  playbackStarted(): void {
    this.#playing++;
  }

  /** A sound ended (or was stopped) at `now` (ms). */
  playbackEnded(now: number): void {
    this.#playing = Math.max(0, this.#playing - 1);
    this.#endedAt = now;
  }

  /** Whether the microphone hears the edge now: playing, or within the tail after it. */
  closed(now: number): boolean {
    return this.#playing > 0 || now - this.#endedAt < this.#tailMs;
  }

  /** A speech segment starts at `now`: pass it, drop it, or stop playback for it. */
  segmentStarted(now: number): SegmentVerdict {
    let verdict: SegmentVerdict = "pass";
    if (this.closed(now)) verdict = this.#bargeIn && this.#playing > 0 ? "barge_in" : "drop";
    this.#segment = verdict !== "drop";
    if (verdict === "drop") this.stats.dropped++;
    else this.stats.passed++;
    if (verdict === "barge_in") this.stats.bargeIns++;
    return verdict;
  }

  /** Whether the current segment's audio goes on (false outside a segment). */
  get segmentPasses(): boolean {
    return this.#segment === true;
  }

  /** The current segment ended; returns whether it passed. */
  segmentEnded(): boolean {
    const passed = this.#segment === true;
    this.#segment = undefined;
    return passed;
  }

  /** Without a VAD (all audio sent): whether a frame at `now` may be sent. */
  framePasses(now: number): boolean {
    return !this.closed(now);
  }
}
