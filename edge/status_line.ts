/**
 * @module
 * One live status line for a terminal: input level, VAD state, elapsed time, segments, and
 * the live (partial) transcript of the utterance being transcribed. Only drawn on a terminal;
 * redirected output never sees partial transcripts.
 */

export interface StatusSnapshot {
  levelDb: number;
  state: string;
  elapsedMs: number;
  segments: number;
  dropped: number;
  /** Live text of the utterance being transcribed. */
  partial?: string;
}

/** Characters of a partial transcript shown at most (its end, where the words arrive). */
export const PARTIAL_CHARS = 60;

/** The line for a snapshot, pure. The meter spans −60..0 dBFS in 20 cells. */
export function formatStatus(s: StatusSnapshot): string {
  const cells = Math.max(0, Math.min(20, Math.round(((s.levelDb + 60) / 60) * 20)));
  const meter = "█".repeat(cells) + "·".repeat(20 - cells);
  const t = s.elapsedMs / 1000;
  const clock = `${Math.floor(t / 60)}:${(t % 60).toFixed(1).padStart(4, "0")}`;
  return `🎙 ${meter} ${s.levelDb.toFixed(0).padStart(4)} dB  ${
    s.state.padEnd(8)
  }  ${clock}  segments ${s.segments}${s.dropped ? `  dropped ${s.dropped}` : ""}${
    partialTail(s.partial)
  }`;
}

function partialTail(partial: string | undefined): string {
  const text = partial?.replace(/\s+/g, " ").trim();
  if (!text) return "";
  return `  “${text.length > PARTIAL_CHARS ? `…${text.slice(-(PARTIAL_CHARS - 1))}` : text}”`;
}

export interface StatusLineOptions {
  /** Monotonic clock in ms. @default performance.now */
  now?: () => number;
  /** Least time between two redraws. @default 100 */
  intervalMs?: number;
}

export class StatusLine {
  readonly #out: { writeSync(p: Uint8Array): number };
  readonly #now: () => number;
  readonly #intervalMs: number;
  /** When the line was last drawn; undefined until the first draw, and after print/clear. */
  #last: number | undefined;
  #partial: string | undefined;
  #snapshot: StatusSnapshot | undefined;
  readonly #enc = new TextEncoder();

  constructor(out: typeof Deno.stderr, options: StatusLineOptions = {}) {
    this.#out = out;
    this.#now = options.now ?? (() => performance.now());
    this.#intervalMs = options.intervalMs ?? 100;
  }

  /** Redraws at most 10 times a second; the first update always draws, however early. */
  update(s: StatusSnapshot): void {
    this.#snapshot = s;
    const now = this.#now();
    if (this.#last !== undefined && now - this.#last < this.#intervalMs) return;
    this.#last = now;
    const shown = this.#partial === undefined ? s : { ...s, partial: this.#partial };
    this.#out.writeSync(this.#enc.encode(`\r\x1b[2K${formatStatus(shown)}`));
  }

  /** Shows (or, with `undefined`, removes) the live transcript at the end of the line. */
  setPartial(text: string | undefined): void {
    this.#partial = text;
    if (this.#snapshot) this.update(this.#snapshot);
  }

  /** Prints a line above the status line; the next update draws it again at once. */
  print(line: string): void {
    this.#out.writeSync(this.#enc.encode(`\r\x1b[2K${line}\n`));
    this.#last = undefined;
  }

  /** Removes the line; the next update draws it again at once. */
  clear(): void {
    this.#out.writeSync(this.#enc.encode("\r\x1b[2K"));
    this.#last = undefined;
  }
}
