/**
 * @module
 * What the stand-in "hears": scripted transcripts. Either a list of texts handed out in
 * order of distinct committed audio, a function of the audio, or fixtures: WAV files each
 * with a sidecar `.txt` (one line per utterance in the WAV), matched by the length of the
 * sound in the committed audio.
 */
import { join } from "node:path";
import { parseWav } from "./pcm_codec.ts";
import { soundRegions, soundSpanMs } from "./energy_vad.ts";

/** One committed item, as the script sees it. */
export interface CommittedAudio {
  itemId: string;
  /** 24 kHz mono PCM16. */
  samples: Int16Array;
  durationMs: number;
  /** 0 for the first distinct audio the server transcribes, 1 for the next, ... */
  index: number;
}

/** A text per committed audio. */
export type TranscriptFn = (audio: CommittedAudio) => string | Promise<string>;

/**
 * Texts in order (the n-th distinct audio gets the n-th text; past the end, a placeholder
 * saying how much audio was heard), or a function.
 */
export type TranscriptScript = readonly string[] | TranscriptFn;

/** Placeholder for audio no script line covers. */
export function unscriptedText(audio: CommittedAudio): string {
  return `(stand-in transcript of ${(audio.durationMs / 1000).toFixed(1)} s of audio)`;
}

/** Turns a {@linkcode TranscriptScript} into a function. */
export function scriptFunction(script: TranscriptScript | undefined): TranscriptFn {
  if (typeof script === "function") return script;
  const texts = script ?? [];
  return (audio) => texts[audio.index] ?? unscriptedText(audio);
}

/** One utterance of a fixture: its text and the length of its sound. */
export interface FixtureUtterance {
  fixture: string;
  text: string;
  soundMs: number;
}

const ANALYSIS = { thresholdDbfs: -40, silenceMs: 300 } as const;

/**
 * Splits a fixture into as many sound regions as it has transcript lines, cutting at the
 * widest silences (speech has short pauses inside an utterance).
 */
export function fixtureUtterances(
  name: string,
  samples: Int16Array,
  sampleRate: number,
  lines: readonly string[],
): FixtureUtterance[] {
  const regions = soundRegions(samples, { sampleRate, ...ANALYSIS });
  if (regions.length === 0 || lines.length === 0) return [];
  const gaps = regions.slice(1).map((r, i) => ({ at: i, width: r.startMs - regions[i]!.endMs }));
  const cuts = new Set(
    gaps.sort((a, b) => b.width - a.width).slice(0, lines.length - 1).map((g) => g.at),
  );
  const out: FixtureUtterance[] = [];
  let start = regions[0]!.startMs;
  for (let i = 0; i < regions.length; i++) {
    if (cuts.has(i) || i === regions.length - 1) {
      const text = lines[out.length];
      if (text !== undefined) {
        out.push({ fixture: name, text, soundMs: regions[i]!.endMs - start });
      }
      const next = regions[i + 1];
      if (next) start = next.startMs;
    }
  }
  return out;
}

/** Loads every `NAME.wav` + `NAME.txt` pair in a folder. */
export async function loadFixtures(dir: string): Promise<FixtureUtterance[]> {
  const out: FixtureUtterance[] = [];
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (entry.isFile && entry.name.endsWith(".wav")) names.push(entry.name.slice(0, -4));
  }
  names.sort();
  for (const name of names) {
    let text: string;
    try {
      text = await Deno.readTextFile(join(dir, `${name}.txt`));
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) continue;
      throw error;
    }
    const lines = text.split("\n").map((l) => l.trim()).filter((l) => l.length > 0);
    const wav = parseWav(await Deno.readFile(join(dir, `${name}.wav`)));
    out.push(...fixtureUtterances(name, wav.samples, wav.sampleRate, lines));
  }
  return out;
}

/**
 * A script that answers with the fixture utterance whose sound length is nearest to the
 * committed audio's, within `tolerance` (a fraction of the length); otherwise the
 * placeholder.
 */
export function fixtureScript(
  utterances: readonly FixtureUtterance[],
  options: { tolerance?: number; sampleRate?: number } = {},
): TranscriptFn {
  const tolerance = options.tolerance ?? 0.35;
  const sampleRate = options.sampleRate ?? 24_000;
  return (audio) => {
    const heard = soundSpanMs(audio.samples, { sampleRate, ...ANALYSIS });
    let best: FixtureUtterance | undefined;
    for (const u of utterances) {
      if (!best || Math.abs(u.soundMs - heard) < Math.abs(best.soundMs - heard)) best = u;
    }
    if (best && Math.abs(best.soundMs - heard) <= Math.max(150, best.soundMs * tolerance)) {
      return best.text;
    }
    return unscriptedText(audio);
  };
}
