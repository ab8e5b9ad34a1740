/**
 * @module
 * How long a job waits for a busy worker of its kind to come back before it starts one of its
 * own. A new worker is ready only after its start time (a Web Worker compiles the skill's
 * modules: a few hundred milliseconds of CPU on a loaded machine); a busy one comes back after
 * what is left of its job. When the jobs of a kind are short next to a start (echo) and fewer
 * jobs wait than workers are busy, a busy one comes back sooner than a new worker would be ready,
 * and starting one only spends CPU that the requests needed. When they are long (coding,
 * browser), or more jobs wait than workers are busy (a backlog, which a new worker helps drain
 * for many jobs), a job starts a worker of its own after the short wait.
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
  // More jobs waiting than workers busy is a backlog: a worker started now serves many of them,
  // so it pays for itself however short the jobs are.
  if (startMs === undefined || position >= busy) return minWaitMs;
  const wait = Math.max(minWaitMs, startMs);
  // No job of the kind has ended yet: a start time is the most a worker of our own would save.
  if (holdMs === undefined) return wait;
  // Otherwise the job is served as the first busy worker comes back.
  return holdMs < startMs ? wait : minWaitMs;
}
