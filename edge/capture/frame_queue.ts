/**
 * @module
 * The bounded buffer between the capture reader and the consumers. The reader never waits on a
 * consumer for a live microphone: when the buffer is full the oldest frame is dropped and
 * counted. For files (`block` policy) the reader waits instead, so nothing is lost.
 *
 * Frames leave as soon as they arrive, in the bursts the capture tool hands over, unless the
 * queue paces them: a file played at real-time pace (`paceMs`) leaves in real time from its first
 * frame, whatever bursts the pipe delivered: each frame when its time has come, or in bursts of
 * `paceBurstMs` as a microphone's sound server hands them over. A microphone is real time
 * already, so the edge takes its bursts whole: pacing them would only make each frame later and
 * cost a timer wake-up per frame, and every frame keeps its capture timestamp either way. A
 * consumer that needs one live frame per frame interval can ask for a {@linkcode JitterPacer}
 * (`jitter`).
 */
import type { Frame } from "./framer.ts";
import { JitterPacer, type JitterPacerOptions } from "./jitter_pacer.ts";

export interface FrameQueueOptions {
  /** Frames held at most. @default 50 (1 s of 20 ms frames) */
  capacity?: number;
  /** `drop` (live: never block the reader) or `block` (files: never lose audio). */
  policy: "drop" | "block";
  /** Release frames in real time, `paceMs` apart from the first one (a file). */
  paceMs?: number;
  /**
   * With `paceMs`: release the frames whose time has come every `paceBurstMs` instead of each at
   * its own time, so a paced file wakes its consumer as often as a microphone does. No frame
   * leaves before its time; none later than `paceBurstMs` after it. @default paceMs
   */
  paceBurstMs?: number;
  /**
   * Re-pace a live source's bursts into steady frames, for a consumer that needs one frame per
   * interval (the edge's own capture does not: it takes a microphone's bursts whole).
   */
  jitter?: JitterPacerOptions;
  now?: () => number;
  /** Waits; injectable so tests control time. */
  sleep?: (ms: number) => Promise<void>;
}

export class FrameQueue implements AsyncIterable<Frame> {
  readonly #frames: Frame[] = [];
  /** Monotonic arrival time of each buffered frame (kept only for the jitter pacer). */
  readonly #arrived: number[] = [];
  readonly #capacity: number;
  readonly #policy: "drop" | "block";
  readonly #pace: number | undefined;
  readonly #burst: number;
  readonly #jitter: JitterPacer | undefined;
  readonly #now: () => number;
  readonly #sleep: (ms: number) => Promise<void>;
  #dropped = 0;
  #ended = false;
  #error: Error | undefined;
  #wakeConsumer: (() => void) | undefined;
  #wakeProducer: (() => void) | undefined;
  /** Who waits for the consumer to have taken every frame ({@linkcode settled}). */
  readonly #settledWaiters: (() => void)[] = [];
  /** Whether a consumer has asked for a frame yet. */
  #consuming = false;
  #startedAt: number | undefined;
  #released = 0;

  constructor(options: FrameQueueOptions) {
    this.#capacity = options.capacity ?? 50;
    this.#policy = options.policy;
    this.#pace = options.paceMs;
    this.#burst = Math.max(options.paceBurstMs ?? 0, options.paceMs ?? 0);
    this.#jitter = options.jitter && new JitterPacer(options.jitter);
    this.#now = options.now ?? (() => performance.now());
    this.#sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  get dropped(): number {
    return this.#dropped;
  }

  get size(): number {
    return this.#frames.length;
  }

  /** Adds a frame. With `drop`, returns at once; with `block`, waits while full. */
  async push(frame: Frame): Promise<void> {
    if (this.#ended) return;
    while (this.#frames.length >= this.#capacity) {
      if (this.#policy === "drop") {
        this.#frames.shift();
        this.#arrived.shift();
        this.#dropped++;
        break;
      }
      await new Promise<void>((r) => (this.#wakeProducer = r));
      if (this.#ended) return;
    }
    this.#frames.push(frame);
    if (this.#jitter) this.#arrived.push(this.#now());
    this.#wakeConsumer?.();
  }

  /** No more frames will come; the consumer still gets those buffered. */
  end(error?: Error): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#error = error;
    this.#wakeConsumer?.();
    this.#settle();
  }

  /**
   * Resolves once the consumer has taken every frame pushed so far and asks for the next one
   * (at once if it already waits), or the queue has ended: what the consumer made of those
   * frames is then known. Before any consumer has asked for a frame it resolves at once, so
   * that a reader never waits on a consumer that has not started.
   */
  settled(): Promise<void> {
    if (
      this.#ended || !this.#consuming || (this.#frames.length === 0 && this.#wakeConsumer)
    ) return Promise.resolve();
    return new Promise((resolve) => this.#settledWaiters.push(resolve));
  }

  #settle(): void {
    // Called on every wait of the consumer: no copy of the (nearly always empty) list then.
    if (this.#settledWaiters.length === 0) return;
    for (const resolve of this.#settledWaiters.splice(0)) resolve();
  }

  /**
   * Ends now: frames buffered but not yet released are discarded (a paced file can hold
   * seconds of them) and a producer waiting for room is let go; later pushes are ignored.
   */
  stop(): void {
    this.#frames.length = 0;
    this.#arrived.length = 0;
    this.end();
    this.#wakeProducer?.();
    this.#wakeProducer = undefined;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Frame> {
    this.#consuming = true;
    for (;;) {
      if (this.#frames.length === 0) {
        if (this.#ended) {
          if (this.#error) throw this.#error;
          return;
        }
        this.#jitter?.next(this.#now(), { depth: 0 }); // an empty slot counts as depth 0
        const waiting = new Promise<void>((r) => (this.#wakeConsumer = r));
        this.#settle();
        await waiting;
        this.#wakeConsumer = undefined;
        continue;
      }
      if (this.#jitter) {
        const decision = this.#jitter.next(this.#now(), {
          depth: this.#frames.length,
          oldestArrivedMs: this.#arrived[0]!,
        });
        if (decision.kind === "wait") {
          await this.#sleep(Math.max(0, decision.untilMs - this.#now()));
          continue;
        }
      } else if (this.#pace !== undefined) {
        this.#startedAt ??= this.#now();
        // The next burst's time at or after this frame's own time.
        const due = this.#startedAt +
          Math.ceil((this.#released * this.#pace) / this.#burst - 1e-9) * this.#burst;
        const wait = due - this.#now();
        if (wait > 1) await this.#sleep(wait);
      }
      const frame = this.#frames.shift();
      this.#arrived.shift();
      if (!frame) continue; // stopped while waiting for the frame's time

      this.#released++;
      this.#wakeProducer?.();
      this.#wakeProducer = undefined;
      yield frame;
    }
  }
}
