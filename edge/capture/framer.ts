/**
 * @module
 * Cuts a byte stream of s16le PCM into fixed frames. Chunks arrive in any size (a subprocess
 * pipe gives 1 byte or 64 KiB alike, even splitting a sample); frames come out whole, each with
 * its capture timestamp derived from the sample count, so time never drifts. A framer can start
 * at a given time and frame number, so that a restarted capture continues its session's clock.
 * Frames are views into a block of memory shared by the next few dozen frames: one allocation
 * every second or so instead of one per frame, for a process that runs all day.
 */

export const SAMPLE_RATE = 16_000;

/** Frames that share one block of memory. */
const BLOCK_FRAMES = 64;
/** Whether this machine stores an Int16 low byte first, as s16le does. */
const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

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
  /** The frame being filled: its bytes in the current block. */
  #frame: Uint8Array;
  #filled = 0;
  #count = 0;

  constructor(frameMs: number, start: FramerStart = {}) {
    if (![10, 20, 30].includes(frameMs)) {
      throw new InvalidFrameSizeError(
        `Cannot frame audio as 'frameMs' must be 10, 20 or 30: current value is ${frameMs}`,
      );
    }
    this.frameSamples = (SAMPLE_RATE * frameMs) / 1000;
    this.#frame = this.#nextFrame(new Uint8Array(0));
    this.startMs = start.startMs ?? 0;
    this.startIndex = start.startIndex ?? 0;
  }

  /** Feeds bytes; returns every frame they complete (possibly none). */
  push(chunk: Uint8Array): Frame[] {
    const frames: Frame[] = [];
    let offset = 0;
    while (offset < chunk.length) {
      const frame = this.#frame;
      const take = Math.min(chunk.length - offset, frame.length - this.#filled);
      frame.set(chunk.subarray(offset, offset + take), this.#filled);
      this.#filled += take;
      offset += take;
      if (this.#filled === frame.length) {
        const samples = new Int16Array(frame.buffer, frame.byteOffset, this.frameSamples);
        if (!LITTLE_ENDIAN) {
          const view = new DataView(frame.buffer, frame.byteOffset, frame.length);
          for (let i = 0; i < this.frameSamples; i++) samples[i] = view.getInt16(i * 2, true);
        }
        frames.push({ samples, t_ms: this.#timeOf(this.#count), index: this.nextIndex });
        this.#count++;
        this.#filled = 0;
        this.#frame = this.#nextFrame(frame);
      }
    }
    return frames;
  }

  /** The bytes of the frame after `last`: the rest of its block, or a new block. */
  #nextFrame(last: Uint8Array): Uint8Array {
    const bytes = this.frameSamples * 2;
    const at = last.byteOffset + last.length;
    if (last.length > 0 && at + bytes <= last.buffer.byteLength) {
      return new Uint8Array(last.buffer, at, bytes);
    }
    return new Uint8Array(new ArrayBuffer(BLOCK_FRAMES * bytes), 0, bytes);
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
