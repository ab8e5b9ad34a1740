/**
 * @module
 * Cuts a byte stream of s16le PCM into fixed frames. Chunks arrive in any size (a subprocess
 * pipe gives 1 byte or 64 KiB alike, even splitting a sample); frames come out whole, each with
 * its capture timestamp derived from the sample count, so time never drifts. A framer can start
 * at a given time and frame number, so that a restarted capture continues its session's clock.
 */

export const SAMPLE_RATE = 16_000;

export interface Frame {
  /** 16 kHz mono samples. */
  samples: Int16Array;
  /** Capture time of the first sample, ms from the start of the capture session. */
  t_ms: number;
  /** Frame number in the session, from 0 (consecutive across capture restarts). */
  index: number;
}

export class InvalidFrameSizeError extends Error {
  override name = "InvalidFrameSizeError";
}

export interface FramerStart {
  /** Capture time of the first frame, ms. @default 0 */
  startMs?: number;
  /** Number of the first frame. @default 0 */
  startIndex?: number;
}

export class Framer {
  readonly frameSamples: number;
  readonly startMs: number;
  readonly startIndex: number;
  readonly #buffer: Uint8Array;
  #filled = 0;
  #count = 0;

  constructor(frameMs: number, start: FramerStart = {}) {
    if (![10, 20, 30].includes(frameMs)) {
      throw new InvalidFrameSizeError(
        `Cannot frame audio as 'frameMs' must be 10, 20 or 30: current value is ${frameMs}`,
      );
    }
    this.frameSamples = (SAMPLE_RATE * frameMs) / 1000;
    this.#buffer = new Uint8Array(this.frameSamples * 2);
    this.startMs = start.startMs ?? 0;
    this.startIndex = start.startIndex ?? 0;
  }

  /** Feeds bytes; returns every frame they complete (possibly none). */
  push(chunk: Uint8Array): Frame[] {
    const frames: Frame[] = [];
    let offset = 0;
    while (offset < chunk.length) {
      const take = Math.min(chunk.length - offset, this.#buffer.length - this.#filled);
      this.#buffer.set(chunk.subarray(offset, offset + take), this.#filled);
      this.#filled += take;
      offset += take;
      if (this.#filled === this.#buffer.length) {
        const samples = new Int16Array(this.frameSamples);
        const view = new DataView(this.#buffer.buffer);
        for (let i = 0; i < this.frameSamples; i++) samples[i] = view.getInt16(i * 2, true);
        frames.push({ samples, t_ms: this.#timeOf(this.#count), index: this.nextIndex });
        this.#count++;
        this.#filled = 0;
      }
    }
    return frames;
  }

  #timeOf(count: number): number {
    return this.startMs + (count * this.frameSamples * 1000) / SAMPLE_RATE;
  }

  /** Capture time where the next frame starts (the end of the last one), ms. */
  get nextMs(): number {
    return this.#timeOf(this.#count);
  }

  /** Number the next frame gets. */
  get nextIndex(): number {
    return this.startIndex + this.#count;
  }

  /** Bytes held that do not yet make a frame (a trailing partial frame is dropped at the end). */
  get pendingBytes(): number {
    return this.#filled;
  }
}
