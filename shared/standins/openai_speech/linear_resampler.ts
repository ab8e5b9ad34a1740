/**
 * @module
 * A streaming linear-interpolation resampler for 16-bit mono PCM. The speech stand-in turns
 * espeak-ng's 22,050 Hz output into the 24 kHz the speech API streams; linear interpolation
 * is plenty for synthetic speech that only has to be heard and re-transcribed. Pure.
 */

/** Thrown for rates that are not positive integers. */
export class InvalidRateError extends Error {
  override name = "InvalidRateError";
}

/** Resamples chunk by chunk; chunk borders leave no clicks or gaps. */
export class LinearResampler {
  readonly #step: number;
  /** Position of the next output sample, in input samples; index 0 is `#last`. */
  #pos = 0;
  /** The last input sample of the previous chunk (index -1 of the next one). */
  #last: number | undefined;

  constructor(fromRate: number, toRate: number) {
    for (const [name, rate] of [["fromRate", fromRate], ["toRate", toRate]] as const) {
      if (!Number.isInteger(rate) || rate <= 0) {
        throw new InvalidRateError(
          `Cannot resample as '${name}' must be a positive integer: current value is ${rate}`,
        );
      }
    }
    this.#step = fromRate / toRate;
  }

  /** The output samples that the input so far makes possible. */
  push(input: Int16Array): Int16Array {
    if (input.length === 0) return new Int16Array(0);
    // The samples seen: the previous chunk's last one (index 0), then this chunk.
    const v = this.#last === undefined ? input : Int16Array.of(this.#last, ...input);
    const end = v.length - 1;
    const out = new Int16Array(Math.max(0, Math.floor((end - this.#pos) / this.#step) + 1));
    let n = 0;
    let t = this.#pos;
    while (t <= end && n < out.length) {
      const i = Math.floor(t);
      const frac = t - i;
      out[n++] = frac === 0 ? v[i]! : Math.round(v[i]! + (v[i + 1]! - v[i]!) * frac);
      t += this.#step;
    }
    // Rebase so that this chunk's last sample is index 0 of the next one.
    this.#pos = t - end;
    this.#last = v[end]!;
    return n === out.length ? out : out.subarray(0, n);
  }
}

/** Resamples a whole buffer at once. */
export function resampleLinear(input: Int16Array, fromRate: number, toRate: number): Int16Array {
  return new LinearResampler(fromRate, toRate).push(input);
}
