/**
 * @module
 * The edge's voice: sentences are said one after another, in the background. `say()` only
 * queues (it is called from event handlers next to the audio loop); a loop makes each
 * sentence with the synth, streams it to the player as it is made, tells the half-duplex
 * gate when sound starts and ends, and with `--speak-to` writes it as `NNN.wav` + `NNN.txt`.
 * A player that fails (no sound device) is given up after one notice; sentences still go to
 * the archive. `stop()` (barge-in) cuts the current sentence and drops the queued ones.
 */
import { getLogger } from "@logtape/logtape";
import { Playback, type PlayerName, type SpeechArchive } from "./audio_player.ts";
import type { SpeechSynth } from "./speech_synth.ts";

const log = getLogger(["edge", "speech"]);

/** The gate's side of playback. */
export interface PlaybackListener {
  playbackStarted(): void;
  playbackEnded(now: number): void;
}

/** Options of {@linkcode Speaker}. */
export interface SpeakerOptions {
  synth: SpeechSynth;
  /** Plays on the default output; none: no sound (archive only). */
  player?: PlayerName | undefined;
  /** `--speak-to`. */
  archive?: SpeechArchive | undefined;
  /** Told when sound starts and ends (the half-duplex gate). */
  listener?: PlaybackListener;
  /** Where each sentence is printed as it is queued. @default none */
  print?: (line: string) => void;
  /** Where the one "cannot play" notice goes. @default console.error */
  notice?: (line: string) => void;
  /** Called with the time from `say()` to the sentence's first audio. */
  onFirstAudio?: (e: { text: string; latency_ms: number }) => void;
  /** @default performance.now */
  now?: () => number;
}

interface Sentence {
  text: string;
  name: string | undefined;
  at: number;
}

/** See the module documentation. */
export class Speaker {
  readonly #o: SpeakerOptions;
  readonly #now: () => number;
  #player: PlayerName | undefined;
  readonly #queue: Sentence[] = [];
  #loop: Promise<void> | null = null;
  #current: { abort: AbortController; playback: Playback | undefined } | undefined;
  #idle: (() => void)[] = [];
  #closed = false;
  readonly stats = { said: 0, spoken: 0, failed: 0, stopped: 0 };

  constructor(options: SpeakerOptions) {
    this.#o = options;
    this.#player = options.player;
    this.#now = options.now ?? (() => performance.now());
  }

  /** The player in use (none once it failed). */
  get player(): PlayerName | undefined {
    return this.#player;
  }

  /** Whether a sentence is being said or waits. */
  get busy(): boolean {
    return this.#current !== undefined || this.#queue.length > 0;
  }

  /** Queues a sentence; never waits. */
  say(text: string): void {
    const t = text.trim();
    if (!t || this.#closed) return;
    this.stats.said++;
    try {
      this.#o.print?.(`🔊 ${t}`);
    } catch { /* printing must not stop speech */ }
    this.#queue.push({ text: t, name: this.#o.archive?.reserve(), at: this.#now() });
    this.#loop ??= this.#run();
  }

  /** Cuts the current sentence and drops the queued ones (barge-in). */
  stop(): void {
    this.stats.stopped += this.#queue.length + (this.#current ? 1 : 0);
    this.#queue.length = 0;
    if (this.#current) {
      this.#current.abort.abort();
      this.#current.playback?.stop();
    }
  }

  /** Resolves once nothing is being said or waits. */
  whenIdle(): Promise<void> {
    if (!this.busy && !this.#loop) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.stop();
    await this.#loop;
  }

  async #run(): Promise<void> {
    try {
      for (let s = this.#queue.shift(); s; s = this.#queue.shift()) await this.#sayOne(s);
    } finally {
      this.#loop = null;
      for (const w of this.#idle.splice(0)) w();
    }
  }

  async #sayOne(s: Sentence): Promise<void> {
    // Nowhere to play and nowhere to write: making the sound would be wasted work.
    if (!this.#player && !this.#o.archive) return;
    const abort = new AbortController();
    const current: { abort: AbortController; playback: Playback | undefined } = {
      abort,
      playback: undefined,
    };
    this.#current = current;
    const parts: Int16Array[] = [];
    let rate = 0;
    let sounding = false;
    try {
      for await (const c of this.#o.synth.speak(s.text, abort.signal)) {
        if (abort.signal.aborted) break;
        if (rate === 0) {
          this.#o.onFirstAudio?.({ text: s.text, latency_ms: this.#now() - s.at });
        }
        rate = c.sampleRate;
        parts.push(c.samples);
        if (this.#player && !current.playback) {
          try {
            current.playback = new Playback(this.#player, rate);
            this.#o.listener?.playbackStarted();
            sounding = true;
          } catch (error) {
            this.#giveUpPlayer((error as Error).message);
          }
        }
        current.playback?.write(c.samples);
      }
    } catch (error) {
      if (!abort.signal.aborted) {
        this.stats.failed++;
        log.warning("Could not say '{text}': {error}", { text: s.text, error });
      }
    }
    if (current.playback) {
      const result = await current.playback.end();
      if (!result.ok) this.#giveUpPlayer(result.error);
    }
    if (sounding) this.#o.listener?.playbackEnded(this.#now());
    this.#current = undefined;
    if (rate > 0 && !abort.signal.aborted) this.stats.spoken++;
    if (s.name !== undefined && this.#o.archive && rate > 0) {
      const total = parts.reduce((n, p) => n + p.length, 0);
      const all = new Int16Array(total);
      let at = 0;
      for (const p of parts) {
        all.set(p, at);
        at += p.length;
      }
      try {
        await this.#o.archive.write(s.name, s.text, all, rate);
      } catch (error) {
        log.warning("Could not write sentence {name} to {dir}: {error}", {
          name: s.name,
          dir: this.#o.archive.dir,
          error,
        });
      }
    }
  }

  #giveUpPlayer(why: string): void {
    if (!this.#player) return;
    this.#player = undefined;
    const where = this.#o.archive
      ? `to ${this.#o.archive.dir} only`
      : "nowhere (try --speak-to DIR)";
    const line = `notice: cannot play speech (${why.slice(0, 200)}): sentences go ${where}`;
    log.warning("{line}", { line });
    (this.#o.notice ?? console.error)(line);
  }
}
