/**
 * @module
 * A plain energy detector: where is there sound in PCM16 audio. The stand-in uses it for its
 * `server_vad` turn detection and to tell fixture utterances apart by length. It is no
 * speech model, only loud-versus-quiet with a hangover, which is enough for scripted audio.
 */

/** Options of {@linkcode EnergyVad}. */
export interface EnergyVadOptions {
  sampleRate: number;
  /** Analysis frame. @default 10 */
  frameMs?: number;
  /** RMS level in dBFS above which a frame counts as sound. @default -40 */
  thresholdDbfs?: number;
  /** Quiet time that ends a region. @default 500 */
  silenceMs?: number;
  /** Sound shorter than this is ignored (clicks). @default 30 */
  minSoundMs?: number;
}

/** A transition found by {@linkcode EnergyVad.push}; times from the start of the stream. */
export type EnergyVadEvent =
  | { type: "start"; atMs: number }
  | { type: "stop"; atMs: number };

/** Streaming loud/quiet detector with a start debounce and a stop hangover. */
export class EnergyVad {
  readonly #frameSamples: number;
  readonly #frameMs: number;
  readonly #threshold: number;
  readonly #silenceFrames: number;
  readonly #minSoundFrames: number;
  #pending: number[] = [];
  #frameIndex = 0;
  #speaking = false;
  #loudRun = 0;
  #quietRun = 0;
  #lastLoudEndMs = 0;

  constructor(options: EnergyVadOptions) {
    this.#frameMs = options.frameMs ?? 10;
    this.#frameSamples = Math.round((options.sampleRate * this.#frameMs) / 1000);
    this.#threshold = 32768 * 10 ** ((options.thresholdDbfs ?? -40) / 20);
    this.#silenceFrames = Math.ceil((options.silenceMs ?? 500) / this.#frameMs);
    this.#minSoundFrames = Math.max(1, Math.ceil((options.minSoundMs ?? 30) / this.#frameMs));
  }

  /** True between a `start` and the next `stop`. */
  get speaking(): boolean {
    return this.#speaking;
  }

  /** Feeds samples; returns the transitions they complete. */
  push(samples: Int16Array): EnergyVadEvent[] {
    const events: EnergyVadEvent[] = [];
    for (const s of samples) {
      this.#pending.push(s);
      if (this.#pending.length < this.#frameSamples) continue;
      let sum = 0;
      for (const v of this.#pending) sum += v * v;
      const loud = Math.sqrt(sum / this.#pending.length) > this.#threshold;
      this.#pending = [];
      this.#frameIndex++;
      const frameEndMs = this.#frameIndex * this.#frameMs;
      if (loud) {
        this.#loudRun++;
        this.#quietRun = 0;
        this.#lastLoudEndMs = frameEndMs;
        if (!this.#speaking && this.#loudRun >= this.#minSoundFrames) {
          this.#speaking = true;
          events.push({ type: "start", atMs: frameEndMs - this.#loudRun * this.#frameMs });
        }
      } else {
        this.#loudRun = 0;
        this.#quietRun++;
        if (this.#speaking && this.#quietRun >= this.#silenceFrames) {
          this.#speaking = false;
          events.push({ type: "stop", atMs: this.#lastLoudEndMs });
        }
      }
    }
    return events;
  }

  /** Ends the stream: closes a region still open. */
  finish(): EnergyVadEvent[] {
    if (!this.#speaking) return [];
    this.#speaking = false;
    return [{ type: "stop", atMs: this.#lastLoudEndMs }];
  }
}

/** A region of sound, in ms from the start of the audio. */
export interface SoundRegion {
  startMs: number;
  endMs: number;
}

/** All regions of sound in a whole clip. */
export function soundRegions(samples: Int16Array, options: EnergyVadOptions): SoundRegion[] {
  const vad = new EnergyVad(options);
  const events = [...vad.push(samples), ...vad.finish()];
  const regions: SoundRegion[] = [];
  let start = -1;
  for (const e of events) {
    if (e.type === "start") start = e.atMs;
    else if (start >= 0) {
      regions.push({ startMs: start, endMs: e.atMs });
      start = -1;
    }
  }
  return regions;
}

/** Time from the first sound to the last sound of a clip, in ms (0 when silent). */
export function soundSpanMs(samples: Int16Array, options: EnergyVadOptions): number {
  const regions = soundRegions(samples, options);
  const first = regions[0];
  const last = regions[regions.length - 1];
  return first && last ? last.endMs - first.startMs : 0;
}
