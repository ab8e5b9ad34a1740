/**
 * @module
 * Pure 16 kHz → 24 kHz resampler for mono PCM16, stateful across chunks.
 *
 * The capture side delivers 16 kHz frames; the Realtime API only accepts 24 kHz `audio/pcm`.
 * The ratio is 3/2, so this is a polyphase FIR: conceptually upsample by 3 (zero stuffing),
 * low-pass at 48 kHz below the 8 kHz input Nyquist, and keep every 2nd sample. The filter
 * history is carried from one chunk to the next, which is what makes a chunked stream
 * sample-for-sample identical to resampling the whole signal at once (no clicks at frame
 * boundaries).
 */

/** Up-sampling factor (16 kHz × 3 = 48 kHz). */
const UP = 3;
/** Down-sampling factor (48 kHz ÷ 2 = 24 kHz). */
const DOWN = 2;

/** Options of {@linkcode Resampler16to24}. */
export interface ResamplerOptions {
  /**
   * Filter taps per polyphase branch; the prototype filter has `3 × tapsPerPhase` taps.
   * More taps give a sharper anti-imaging filter at a small CPU cost.
   * @default 24
   */
  tapsPerPhase?: number;
  /** Low-pass cutoff in Hz, below the 8 kHz input Nyquist. @default 7500 */
  cutoffHz?: number;
  /** Kaiser window β: higher means more stop-band attenuation, wider transition. @default 7 */
  kaiserBeta?: number;
}

/** Thrown for options the filter cannot be built from. */
export class InvalidResamplerOptionsError extends Error {
  override name = "InvalidResamplerOptionsError";
}

/** Zeroth-order modified Bessel function of the first kind (for the Kaiser window). */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const q = (x / 2) ** 2;
  for (let k = 1; k < 50; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-12) break;
  }
  return sum;
}

/**
 * Kaiser-windowed sinc low-pass at 48 kHz, scaled by 3 to make up for the energy that zero
 * stuffing removes (unity gain at DC after resampling).
 */
export function designPrototypeFilter(options: Required<ResamplerOptions>): Float64Array {
  const n = options.tapsPerPhase * UP;
  const fsUp = 16_000 * UP;
  const fc = options.cutoffHz / fsUp; // normalised cutoff, cycles per sample
  const mid = (n - 1) / 2;
  const i0Beta = besselI0(options.kaiserBeta);
  const h = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const t = i - mid;
    const sinc = t === 0 ? 2 * fc : Math.sin(2 * Math.PI * fc * t) / (Math.PI * t);
    const r = (2 * i) / (n - 1) - 1;
    const w = besselI0(options.kaiserBeta * Math.sqrt(Math.max(0, 1 - r * r))) / i0Beta;
    h[i] = sinc * w;
    sum += h[i]!;
  }
  // Normalise so that each polyphase branch sums to ~1 (DC gain of the whole chain is 1).
  for (let i = 0; i < n; i++) h[i] = (h[i]! * UP) / sum;
  return h;
}

/**
 * Streaming 16 kHz → 24 kHz converter. Feed chunks of any length in order with
 * {@linkcode Resampler16to24.process}; each call returns the 24 kHz samples that can be
 * computed so far (exactly 1.5× the input over time; 320 in → 480 out per 20 ms frame).
 * One instance per continuous stream: {@linkcode Resampler16to24.reset} starts a new one.
 */
export class Resampler16to24 {
  readonly #phases: Float64Array[];
  readonly #taps: number;
  #history: Float64Array;
  /** Input samples consumed since the last reset. */
  #consumed = 0;
  /** Output samples produced since the last reset. */
  #produced = 0;

  constructor(options: ResamplerOptions = {}) {
    const resolved: Required<ResamplerOptions> = {
      tapsPerPhase: options.tapsPerPhase ?? 24,
      cutoffHz: options.cutoffHz ?? 7500,
      kaiserBeta: options.kaiserBeta ?? 7,
    };
    if (!Number.isInteger(resolved.tapsPerPhase) || resolved.tapsPerPhase < 2) {
      throw new InvalidResamplerOptionsError(
        `Cannot build the resampler as 'tapsPerPhase' must be an integer of at least 2: current value is ${resolved.tapsPerPhase}`,
      );
    }
    if (!(resolved.cutoffHz > 0 && resolved.cutoffHz <= 8000)) {
      throw new InvalidResamplerOptionsError(
        `Cannot build the resampler as 'cutoffHz' must be in (0, 8000]: current value is ${resolved.cutoffHz}`,
      );
    }
    const h = designPrototypeFilter(resolved);
    this.#taps = resolved.tapsPerPhase;
    // Branch p holds h[p], h[p+3], h[p+6], ...: the taps that meet real input samples when
    // the output lands on phase p of the 48 kHz grid.
    this.#phases = Array.from({ length: UP }, (_, p) => {
      const branch = new Float64Array(this.#taps);
      for (let k = 0; k < this.#taps; k++) branch[k] = h[p + UP * k] ?? 0;
      return branch;
    });
    this.#history = new Float64Array(this.#taps - 1);
  }

  /** Forgets the filter history: the next chunk starts a new stream. */
  reset(): void {
    this.#history.fill(0);
    this.#consumed = 0;
    this.#produced = 0;
  }

  /** Resamples the next chunk of the stream. */
  process(input: Int16Array): Int16Array {
    const keep = this.#taps - 1;
    const buf = new Float64Array(keep + input.length);
    buf.set(this.#history);
    for (let i = 0; i < input.length; i++) buf[keep + i] = input[i]!;
    const totalIn = this.#consumed + input.length;
    // Output m needs input floor(2m/3); that gives floor((3T+1)/2) outputs for T inputs.
    const outEnd = Math.floor((UP * totalIn + 1) / DOWN);
    const out = new Int16Array(outEnd - this.#produced);
    const offset = keep - this.#consumed;
    for (let m = this.#produced; m < outEnd; m++) {
      const pos = DOWN * m;
      const base = Math.floor(pos / UP);
      const branch = this.#phases[pos - UP * base]!;
      let acc = 0;
      const at = base + offset;
      for (let k = 0; k < this.#taps; k++) acc += branch[k]! * buf[at - k]!;
      const s = Math.round(acc);
      out[m - this.#produced] = s > 32767 ? 32767 : s < -32768 ? -32768 : s;
    }
    this.#history = buf.slice(buf.length - keep);
    this.#consumed = totalIn;
    this.#produced = outEnd;
    return out;
  }
}
