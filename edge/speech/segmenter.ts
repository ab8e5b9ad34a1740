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
 *
 * Windows run together where no event can be later for it. An inference that follows another at
 * once costs a fraction of the CPU of one that wakes the model alone every 32 ms (its caches are
 * cold), so a full window waits while the state machine says that no window ending before a
 * given time can start, end or drop speech ({@linkcode VadStateMachine.eventsFrom}): while
 * quiet, until `minSpeechMs` of windows are waiting (eight by default), as a start is confirmed
 * only that long after it began; while speaking or stopping, until the hangover after the last
 * speech is reached. Then the waiting windows run back to back, in order, through the same
 * model, so every `speech_start`, `speech_audio`, `speech_end` and `misfire` comes on the same
 * frame, with the same audio, as with one window at a time; only transitions that give no event
 * (`quiet → starting`, `speaking ⇄ stopping`) can be reported later, with the same `at_ms`.
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

export interface SegmenterOptions {
  /**
   * Run every window as soon as it is full: the plain path that the batched one must match
   * event for event (tests). @default false
   */
  perWindow?: boolean;
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
  /** Full windows not yet run, oldest first. */
  readonly #pending: { samples: Float32Array; start: number }[] = [];
  /** Window buffers already run, reused rather than allocated per window. */
  readonly #spare: Float32Array[] = [];
  readonly #perWindow: boolean;

  constructor(
    model: SpeechModel,
    settings: Partial<VadSettings> = {},
    options: SegmenterOptions = {},
  ) {
    this.#model = model;
    this.machine = new VadStateMachine(settings);
    this.#perWindow = options.perWindow ?? false;
    const s = this.machine.settings;
    // A start is confirmed at most `minSpeechMs` plus a window and a frame after it began, and
    // its pre-roll reaches `preSpeechPadMs` before that.
    this.#historyMs = s.preSpeechPadMs + s.minSpeechMs + s.redemptionMs + 4 * WINDOW_MS;
  }

  /** Runs the pending windows in order and applies what the state machine makes of them. */
  async #drain(): Promise<SegmentEvent[]> {
    const events: SegmentEvent[] = [];
    while (this.#pending.length > 0) {
      const { samples, start } = this.#pending.shift()!;
      const p = await this.#model.probability(samples);
      this.#spare.push(samples);
      for (const e of this.machine.step(p, start, start + WINDOW_MS)) {
        events.push(...this.#apply(e));
      }
    }
    return events;
  }

  async push(frame: Frame): Promise<SegmentEvent[]> {
    const events: SegmentEvent[] = [];
    if (
      this.#lastFrameEnd !== undefined &&
      Math.abs(frame.t_ms - this.#lastFrameEnd) > CONTIGUOUS_MS
    ) {
      // What came before the gap is decided first, against the history it belongs to.
      events.push(...await this.#drain());
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
        const samples = this.#spare.pop() ?? new Float32Array(WINDOW);
        samples.set(this.#window);
        this.#pending.push({ samples, start: this.#windowStart });
        this.#filled = 0;
        const end = this.#windowStart + WINDOW_MS;
        if (this.#perWindow || end >= this.machine.eventsFrom(this.#pending[0]!.start)) {
          events.push(...await this.#drain());
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

  /** Ends the stream: runs the windows still pending, then closes open speech. */
  async flush(): Promise<SegmentEvent[]> {
    const events = await this.#drain();
    return [
      ...events,
      ...this.machine.flush(this.#lastFrameEnd ?? 0).flatMap((e) => this.#apply(e)),
    ];
  }

  /**
   * While quiet, the capture time that the frames must reach before any of them can give an
   * event (the end of the window that would run the waiting ones); undefined in any other
   * state, and with `perWindow`. Until then the frames only fill windows that wait, so a
   * capture may hand them over together, later, with no event later for it: a speech start is
   * confirmed only `minSpeechMs` after it began. Once speech may have begun, every frame counts
   * at once (its audio streams out, and the hangover that ends speech runs on it).
   */
  get idleUntil_ms(): number | undefined {
    if (this.#perWindow || this.machine.state !== "quiet") return undefined;
    // Windows follow one another from the first one waiting (or being filled): the first that
    // ends at or after the time the state machine gives runs them.
    const start = this.position_ms;
    const from = this.machine.eventsFrom(start);
    return start + Math.max(1, Math.ceil((from - start) / WINDOW_MS)) * WINDOW_MS;
  }

  /** Capture time where the next window starts (the window being filled, if any), ms. */
  get position_ms(): number {
    if (this.#pending.length > 0) return this.#pending[0]!.start;
    return this.#filled > 0 ? this.#windowStart : this.#lastFrameEnd ?? 0;
  }
}
