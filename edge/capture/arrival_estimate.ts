/**
 * @module
 * When a live capture's audio up to a given time will have come in. Each read tells how far the
 * wall clock was ahead of the audio read so far (its lag: the sound server's fragment, the
 * tool's buffering); a sound card's audio comes in at its own steady pace, so audio that ends at
 * `t` comes in no earlier than `t` plus the smallest lag seen lately. Reading can wait until
 * then without reading any audio later than it would be read by waiting on the pipe: at that
 * time the audio up to `t` has not come in yet, unless the lag has fallen under its recent
 * least. Pure: times go in, times come out.
 */

/** Reads whose lag counts: about 3 s of a sound server's 50 ms fragments. */
const DEFAULT_WINDOW = 64;

export class ArrivalEstimate {
  readonly #lags: number[] = [];
  readonly #window: number;
  #next = 0;

  constructor(window: number = DEFAULT_WINDOW) {
    this.#window = window;
  }

  /** Audio up to `audioEndMs` had come in when it was read at `wallMs` (one clock, ms). */
  observe(audioEndMs: number, wallMs: number): void {
    const lag = wallMs - audioEndMs;
    if (this.#lags.length < this.#window) this.#lags.push(lag);
    else this.#lags[this.#next] = lag;
    this.#next = (this.#next + 1) % this.#window;
  }

  /**
   * The earliest wall time (same clock) at which audio up to `audioMs` can have come in, going
   * by the recent reads; undefined before the first.
   */
  arrival(audioMs: number): number | undefined {
    if (this.#lags.length === 0) return undefined;
    let least = Infinity;
    for (const lag of this.#lags) if (lag < least) least = lag;
    return audioMs + least;
  }

  /** Forgets the reads so far (a new capture run has a lag of its own). */
  reset(): void {
    this.#lags.length = 0;
    this.#next = 0;
  }
}
