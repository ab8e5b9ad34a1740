/**
 * @module
 * When the next frame of a live capture may leave the jitter buffer: a pure scheduler, given
 * the monotonic time and the buffer's depth, with no timers of its own. A capture tool hands
 * its audio over in bursts (ffmpeg gives ~100 ms at a time); the consumer should get one frame
 * every frame interval instead.
 *
 * - A frame leaves at most once per `frameMs`, on a clock that advances by `frameMs` per
 *   frame, so a burst is spread out evenly.
 * - A frame that arrives after its slot (the buffer ran dry) leaves at once and the clock
 *   restarts from its arrival: an empty buffer never makes the consumer wait longer than it
 *   must. A frame that was there in time keeps the clock, so a timer or a consumer that is a
 *   little late does not slow the pace down.
 * - The buffer's standing depth (its lowest depth at the frame slots of one `windowMs`) is
 *   kept at `targetDepth` or below: when it stays above, frames leave at twice the rate until
 *   it is back, so latency gained in a stall and a flood is shed without dropping audio.
 *
 * Frames beyond the buffer's capacity (a consumer that falls behind) are dropped by the
 * buffer, oldest first: that is not the scheduler's concern.
 */

export interface JitterPacerOptions {
  /** Interval between frames, ms. */
  frameMs: number;
  /** Standing depth, in frames, above which the buffer catches up. @default 2 */
  targetDepth?: number;
  /** Time over which the depth must stay above the target before catching up, ms. @default 200 */
  windowMs?: number;
}

/** What the buffer does now. */
export type PaceDecision =
  /** Hand the oldest frame to the consumer. */
  | { kind: "release" }
  /** Hold the frames until the monotonic time `untilMs`. */
  | { kind: "wait"; untilMs: number }
  /** Nothing to release: wait for a frame. */
  | { kind: "idle" };

export class JitterPacer {
  readonly frameMs: number;
  readonly targetDepth: number;
  readonly windowMs: number;
  /** Time of the next frame slot; undefined before the first frame. */
  #due: number | undefined;
  #windowStart: number | undefined;
  #windowMin = Infinity;
  #catchingUp = false;

  constructor(options: JitterPacerOptions) {
    this.frameMs = options.frameMs;
    this.targetDepth = options.targetDepth ?? 2;
    this.windowMs = options.windowMs ?? 200;
  }

  /** Whether frames are leaving at twice the rate to shed standing latency. */
  get catchingUp(): boolean {
    return this.#catchingUp;
  }

  /**
   * The decision at monotonic time `now` (ms), with `depth` frames buffered, the oldest of
   * which arrived at `oldestArrivedMs` (the same clock).
   */
  next(now: number, buffer: { depth: number; oldestArrivedMs?: number }): PaceDecision {
    const { depth } = buffer;
    const slotReached = this.#due === undefined || now >= this.#due;
    if (depth === 0) {
      if (slotReached) this.#observe(now, 0);
      return { kind: "idle" };
    }
    if (!slotReached) return { kind: "wait", untilMs: this.#due! };
    this.#observe(now, depth);
    if (this.#catchingUp && depth - 1 <= this.targetDepth) this.#catchingUp = false;
    const interval = this.#catchingUp ? this.frameMs / 2 : this.frameMs;
    // A frame that came after its slot restarts the clock from its arrival; a late release of
    // a frame that was in time keeps it, but never leaves a debt of more than the next frame.
    const clock = Math.max(this.#due ?? now, buffer.oldestArrivedMs ?? now);
    this.#due = Math.max(clock + interval, now);
    return { kind: "release" };
  }

  #observe(now: number, depth: number): void {
    this.#windowStart ??= now;
    this.#windowMin = Math.min(this.#windowMin, depth);
    if (now - this.#windowStart >= this.windowMs) {
      if (this.#windowMin > this.targetDepth) this.#catchingUp = true;
      this.#windowStart = now;
      this.#windowMin = depth;
    }
  }
}
