/**
 * @module
 * The VAD hysteresis state machine, pure: quiet → starting → speaking → stopping. Speech starts
 * when the probability reaches the positive threshold and is confirmed after the minimum speech
 * duration; it ends after the probability stays under the negative threshold for the hangover
 * (redemption) time. Times are ms of audio, so the same input always gives the same segments.
 */

export type VadState = "quiet" | "starting" | "speaking" | "stopping";

export interface VadSettings {
  /** Probability that starts speech. @default 0.5 */
  positiveThreshold: number;
  /** Probability under which speech may be ending. @default 0.35 */
  negativeThreshold: number;
  /** Shorter bursts are misfires. @default 250 */
  minSpeechMs: number;
  /** Quiet needed to end speech (hangover). @default 600 */
  redemptionMs: number;
  /** Audio kept before the detected start. @default 300 */
  preSpeechPadMs: number;
}

export const DEFAULT_VAD_SETTINGS: VadSettings = {
  positiveThreshold: 0.5,
  negativeThreshold: 0.35,
  minSpeechMs: 250,
  redemptionMs: 600,
  preSpeechPadMs: 300,
};

export type VadEvent =
  | { type: "transition"; from: VadState; to: VadState; at_ms: number }
  | { type: "speech_start"; start_ms: number; at_ms: number }
  | { type: "speech_end"; start_ms: number; end_ms: number; at_ms: number }
  | { type: "misfire"; start_ms: number; end_ms: number; at_ms: number };

export class VadStateMachine {
  readonly settings: VadSettings;
  #state: VadState = "quiet";
  #start = 0;
  /** End of the last window that was speech. */
  #lastSpeech = 0;

  constructor(settings: Partial<VadSettings> = {}) {
    this.settings = { ...DEFAULT_VAD_SETTINGS, ...settings };
  }

  get state(): VadState {
    return this.#state;
  }

  /** Feeds one window's probability; `start_ms`/`end_ms` bound the window. */
  step(probability: number, start_ms: number, end_ms: number): VadEvent[] {
    const s = this.settings;
    const events: VadEvent[] = [];
    const go = (to: VadState) => {
      if (to !== this.#state) {
        events.push({ type: "transition", from: this.#state, to, at_ms: end_ms });
      }
      this.#state = to;
    };
    const speech = probability >= s.positiveThreshold;
    const quietish = probability < s.negativeThreshold;
    switch (this.#state) {
      case "quiet":
        if (speech) {
          this.#start = start_ms;
          this.#lastSpeech = end_ms;
          go("starting");
          this.#confirm(events, end_ms, go);
        }
        break;
      case "starting":
        if (!quietish) this.#lastSpeech = end_ms;
        if (quietish && end_ms - this.#lastSpeech >= s.redemptionMs) {
          events.push({
            type: "misfire",
            start_ms: this.#start,
            end_ms: this.#lastSpeech,
            at_ms: end_ms,
          });
          go("quiet");
        } else this.#confirm(events, end_ms, go);
        break;
      case "speaking":
        if (quietish) go("stopping");
        else if (speech) this.#lastSpeech = end_ms;
        break;
      case "stopping":
        if (speech) {
          this.#lastSpeech = end_ms;
          go("speaking");
        } else if (!quietish) {
          // Between the thresholds: neither new speech nor quiet; the hangover keeps running.
        } else if (end_ms - this.#lastSpeech >= s.redemptionMs) {
          events.push({
            type: "speech_end",
            start_ms: this.#start,
            end_ms: this.#lastSpeech,
            at_ms: end_ms,
          });
          go("quiet");
        }
        break;
    }
    return events;
  }

  #confirm(events: VadEvent[], now: number, go: (to: VadState) => void): void {
    if (this.#lastSpeech - this.#start >= this.settings.minSpeechMs) {
      events.push({ type: "speech_start", start_ms: this.#start, at_ms: now });
      go("speaking");
    }
  }

  /**
   * The earliest window end, ms, at which a step can give anything but a transition, for the
   * windows that follow those already stepped (the first of them starting at `nextStartMs`).
   * A window ending before it can move the state (`quiet → starting`, `speaking ⇄ stopping`)
   * but cannot start, end or drop speech, whatever its probability: a start is confirmed only
   * `minSpeechMs` after it began, and an end or a misfire only `redemptionMs` after the last
   * speech, which never moves back. So such windows can wait and run later, all together,
   * with every event still on the window that gives it.
   */
  eventsFrom(nextStartMs: number): number {
    const s = this.settings;
    switch (this.#state) {
      case "quiet":
        // Speech starting in a later window begins no earlier than `nextStartMs`; its misfire
        // needs the hangover after its first window.
        return nextStartMs + Math.min(s.minSpeechMs, s.redemptionMs);
      case "starting":
        return Math.min(this.#start + s.minSpeechMs, this.#lastSpeech + s.redemptionMs);
      case "speaking":
      case "stopping":
        return this.#lastSpeech + s.redemptionMs;
    }
  }

  /** Ends the stream: open speech ends at its last speech window. */
  flush(now_ms: number): VadEvent[] {
    if (this.#state === "speaking" || this.#state === "stopping") {
      this.#state = "quiet";
      return [{
        type: "speech_end",
        start_ms: this.#start,
        end_ms: this.#lastSpeech,
        at_ms: now_ms,
      }];
    }
    if (this.#state === "starting") {
      this.#state = "quiet";
      return [{ type: "misfire", start_ms: this.#start, end_ms: this.#lastSpeech, at_ms: now_ms }];
    }
    return [];
  }
}
