/**
 * @module
 * How long a job waits for a busy worker of its kind to come back before it starts one of its
 * own. A new worker is ready only after its start time (a Web Worker compiles the skill's
 * modules: tens to hundreds of milliseconds of CPU); the busy ones serve the jobs waiting in
 * turns, each coming back after what is left of its job. A job waits when the busy workers reach
 * it sooner than a new worker would be ready, since starting one would only spend CPU that the
 * requests needed. So a line of short jobs (echo: about a millisecond each, against some 70 ms
 * to start) is served by the workers already running, even a line longer than they are many;
 * long jobs (coding, browser), or a line so long that its last jobs would wait longer than a
 * start, start workers of their own after the short wait.
 */

/** Typical durations of one kind of worker, smoothed over the last few. */
export class Durations {
  #value: number | undefined;
  readonly #weight: number;

  /** `weight` is the share of each new sample (0–1]. */
  constructor(weight = 0.3) {
    this.#weight = weight;
  }

  /** Undefined until the first sample. */
  get value(): number | undefined {
    return this.#value;
  }

  add(ms: number): void {
    this.#value = this.#value === undefined ? ms : this.#value + this.#weight * (ms - this.#value);
  }
}

export interface ReuseWaitInput {
  /** The job's place in the line of jobs waiting for this kind (0: next served). */
  position: number;
  /** Workers of the kind that will come back: busy or still starting. */
  busy: number;
  /** How long a job typically holds a worker of the kind (undefined before the first). */
  holdMs: number | undefined;
  /** How long a worker of the kind typically takes to start (undefined before the first). */
  startMs: number | undefined;
  /** The shortest wait, when starting a worker is the sooner way. */
  minWaitMs: number;
}

/** Milliseconds to wait for a busy worker before starting one. */
export function reuseWait(input: ReuseWaitInput): number {
  const { position, busy, holdMs, startMs, minWaitMs } = input;
  if (startMs === undefined || busy === 0) return minWaitMs;
  const wait = Math.max(minWaitMs, startMs);
  // No job of the kind has ended yet: a start time is the most a worker of our own would save,
  // and a line longer than the busy workers are many is served by new workers.
  if (holdMs === undefined) return position >= busy ? minWaitMs : wait;
  // The busy workers take the line `busy` jobs at a time: this job's turn comes after about
  // `position / busy` of their jobs, and then its own worker is back.
  const turnMs = (Math.floor(position / busy) + 1) * holdMs;
  return turnMs < startMs ? wait : minWaitMs;
}
