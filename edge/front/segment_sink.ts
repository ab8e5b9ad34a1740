/**
 * @module
 * The stage between the audio front and the transcriber: it turns the front's speech events
 * into segment calls (speech start → `beginSegment` and the pre-roll, speech audio →
 * `appendAudio`, speech end → `endSegment`), or, without a VAD, streams every frame. The
 * half-duplex gate, when there is one, decides per segment at its start, so the edge's own
 * voice coming back through the microphone never becomes a request. The edge, its benchmarks
 * and its tests all feed the transcriber through it. Synchronous: it runs on the audio path.
 */
import type { FrontEvent } from "./audio_front.ts";

/** What a sink feeds: the audio-path methods of the transcriber. */
export interface SegmentTarget {
  /** Opens a segment; returns its utterance id. */
  beginSegment(): string;
  appendAudio(samples: Int16Array): void;
  endSegment(): string | undefined;
}

/** Decides what the microphone heard is worth sending (the half-duplex gate). */
export interface SegmentGate {
  /** A speech segment starts now: whether it goes on (false drops it whole). */
  segmentStarted(): boolean;
  /** The segment that started last has ended. */
  segmentEnded(): void;
  /** Without a VAD: whether a frame heard now goes on. */
  framePasses(): boolean;
}

/** Options of {@linkcode SegmentSink}. */
export interface SegmentSinkOptions {
  /** Stream every frame (the VAD is off) instead of speech segments. @default false */
  allAudio?: boolean;
  /** @default none: everything passes */
  gate?: SegmentGate | undefined;
}

/** See the module documentation. */
export class SegmentSink {
  readonly #target: SegmentTarget;
  readonly #allAudio: boolean;
  readonly #gate: SegmentGate | undefined;
  /** Utterance id of the segment being passed on, if one is. */
  #current: string | undefined;
  /** Counters: segments passed on, and dropped by the gate. */
  readonly stats = { segments: 0, dropped: 0 };

  constructor(target: SegmentTarget, options: SegmentSinkOptions = {}) {
    this.#target = target;
    this.#allAudio = options.allAudio ?? false;
    this.#gate = options.gate;
  }

  /**
   * Feeds one front event. Returns the utterance id of the segment the event belongs to when
   * that segment is passed on, else `undefined`.
   */
  push(event: FrontEvent): string | undefined {
    switch (event.type) {
      case "frame":
        if (this.#allAudio && (this.#gate?.framePasses() ?? true)) {
          this.#target.appendAudio(event.frame.samples);
        }
        return undefined;
      case "speech_start": {
        if (this.#allAudio) return undefined;
        if (this.#gate && !this.#gate.segmentStarted()) {
          this.#current = undefined;
          this.stats.dropped++;
          return undefined;
        }
        const id = this.#target.beginSegment();
        this.#target.appendAudio(event.preroll);
        this.#current = id;
        this.stats.segments++;
        return id;
      }
      case "speech_audio":
        if (this.#current !== undefined) this.#target.appendAudio(event.samples);
        return this.#current;
      case "speech_end": {
        if (this.#allAudio) return undefined;
        this.#gate?.segmentEnded();
        const id = this.#current;
        this.#current = undefined;
        if (id !== undefined) this.#target.endSegment();
        return id;
      }
      default:
        return undefined;
    }
  }
}
