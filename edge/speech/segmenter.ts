/**
 * @module
 * Turns frames into speech segments: re-chunks 10–30 ms frames into the model's 512-sample
 * windows, runs the VAD state machine on their probabilities, and keeps a short history so
 * that a confirmed start can hand over its pre-roll (the padding before the detected start and
 * the audio while the start was being confirmed).
 *
 * Time is the frames' own capture time, not a count of the samples seen, so audio that never
 * arrived (frames dropped by a consumer that fell behind, a microphone restarted) leaves a gap
 * instead of pulling everything after it earlier. Across a gap the window being filled is
 * discarded (its audio is not contiguous); a gap of at least the hangover (`redemptionMs`) ends
 * open speech where its speech last was and starts afresh (model state, history), so a pre-roll
 * never reaches back across it.
 */
import type { Frame } from "../capture/framer.ts";
import { SAMPLE_RATE } from "../capture/framer.ts";
import { type VadSettings, type VadState, VadStateMachine } from "./vad_state.ts";
import { WINDOW } from "./silero_vad.ts";

/** What gives a speech probability per 512-sample window. */
export interface SpeechModel {
  probability(window: Float32Array): Promise<number>;
  /** Forgets the audio before (a recurrent model's state), after a gap. */
  reset?(): void;
}

export type SegmentEvent =
  | { type: "transition"; from: VadState; to: VadState; at_ms: number }
  | { type: "speech_start"; start_ms: number; at_ms: number; preroll: Int16Array }
  | { type: "speech_audio"; samples: Int16Array; t_ms: number }
  | { type: "speech_end"; start_ms: number; end_ms: number; at_ms: number; audio: Int16Array }
  | { type: "misfire"; start_ms: number; end_ms: number; at_ms: number };

const WINDOW_MS = (WINDOW * 1000) / SAMPLE_RATE;
/** Frames this close to the end of the last one are contiguous (rounding of frame times), ms. */
const CONTIGUOUS_MS = 0.5;

function concat(frames: readonly Int16Array[]): Int16Array {
  const out = new Int16Array(frames.reduce((n, f) => n + f.length, 0));
  let o = 0;
  for (const f of frames) {
    out.set(f, o);
    o += f.length;
  }
  return out;
}

export class Segmenter {
  readonly machine: VadStateMachine;
  readonly #model: SpeechModel;
  readonly #window = new Float32Array(WINDOW);
  #filled = 0;
  /** Capture time of the first sample in the window being filled, ms. */
  #windowStart = 0;
  readonly #history: Frame[] = [];
  readonly #historyMs: number;
  #segment: Int16Array[] | null = null;
  /** End of the last frame, ms; undefined before the first. */
  #lastFrameEnd: number | undefined;

  constructor(model: SpeechModel, settings: Partial<VadSettings> = {}) {
    this.#model = model;
    this.machine = new VadStateMachine(settings);
    const s = this.machine.settings;
    this.#historyMs = s.preSpeechPadMs + s.minSpeechMs + s.redemptionMs + 2 * WINDOW_MS;
  }

  async push(frame: Frame): Promise<SegmentEvent[]> {
    const events: SegmentEvent[] = [];
    if (
      this.#lastFrameEnd !== undefined &&
      Math.abs(frame.t_ms - this.#lastFrameEnd) > CONTIGUOUS_MS
    ) {
      events.push(...this.#gap(frame.t_ms - this.#lastFrameEnd));
    }
    this.#history.push(frame);
    const frameMs = (frame.samples.length * 1000) / SAMPLE_RATE;
    this.#lastFrameEnd = frame.t_ms + frameMs;
    while (
      this.#history.length > 0 && this.#history[0]!.t_ms < this.#lastFrameEnd - this.#historyMs
    ) {
      this.#history.shift();
    }
    if (this.#segment) {
      this.#segment.push(frame.samples);
      events.push({ type: "speech_audio", samples: frame.samples, t_ms: frame.t_ms });
    }
    let offset = 0;
    while (offset < frame.samples.length) {
      if (this.#filled === 0) this.#windowStart = frame.t_ms + (offset * 1000) / SAMPLE_RATE;
      const take = Math.min(frame.samples.length - offset, WINDOW - this.#filled);
      for (let i = 0; i < take; i++) {
        this.#window[this.#filled + i] = frame.samples[offset + i]! / 32768;
      }
      this.#filled += take;
      offset += take;
      if (this.#filled === WINDOW) {
        const start = this.#windowStart;
        this.#filled = 0;
        const p = await this.#model.probability(this.#window);
        for (const e of this.machine.step(p, start, start + WINDOW_MS)) {
          events.push(...this.#apply(e));
        }
      }
    }
    return events;
  }

  /** Audio is missing (`gapMs` > 0) or, should a clock ever go back, overlaps (< 0). */
  #gap(gapMs: number): SegmentEvent[] {
    this.#filled = 0;
    if (gapMs > 0 && gapMs < this.machine.settings.redemptionMs) return [];
    const events = this.machine.flush(this.#lastFrameEnd ?? 0).flatMap((e) => this.#apply(e));
    this.#history.length = 0;
    this.#model.reset?.();
    return events;
  }

  #apply(e: ReturnType<VadStateMachine["step"]>[number]): SegmentEvent[] {
    if (e.type === "speech_start") {
      const from = e.start_ms - this.machine.settings.preSpeechPadMs;
      const pre = this.#history.filter((f) =>
        f.t_ms + (f.samples.length * 1000) / SAMPLE_RATE > from
      )
        .map((f) => f.samples);
      this.#segment = [...pre];
      return [{ ...e, preroll: concat(pre) }];
    }
    if (e.type === "speech_end") {
      const audio = concat(this.#segment ?? []);
      this.#segment = null;
      return [{ ...e, audio }];
    }
    return [e];
  }

  /** Ends the stream, closing open speech. */
  flush(): SegmentEvent[] {
    return this.machine.flush(this.#lastFrameEnd ?? 0).flatMap((e) => this.#apply(e));
  }

  /** Capture time where the next window starts (the window being filled, if any), ms. */
  get position_ms(): number {
    return this.#filled > 0 ? this.#windowStart : this.#lastFrameEnd ?? 0;
  }
}
