import { assertEquals } from "@shared/testing/asserts.ts";
import type { Frame } from "../capture/framer.ts";
import { Segmenter, type SegmentEvent, type SpeechModel } from "./segmenter.ts";

const SPEECH = 8000;

/** Speech is any window louder than a whisper; counts resets. */
function loudnessModel() {
  const model = {
    resets: 0,
    probability(window: Float32Array) {
      let sum = 0;
      for (const x of window) sum += Math.abs(x);
      return Promise.resolve(sum / window.length > 0.05 ? 0.9 : 0.05);
    },
    reset() {
      model.resets++;
    },
  } satisfies SpeechModel & { resets: number };
  return model;
}

type Part = ["speech" | "silence" | "gap", number] | ["restart_at", number];

/** 20 ms frames of the given parts; a gap advances time with no frames. */
function frames(parts: Part[]): Frame[] {
  const out: Frame[] = [];
  let t = 0;
  for (const [kind, ms] of parts) {
    if (kind === "restart_at") {
      t = ms;
      continue;
    }
    if (kind === "gap") {
      t += ms;
      continue;
    }
    for (let i = 0; i < ms / 20; i++) {
      out.push({
        samples: new Int16Array(320).fill(kind === "speech" ? SPEECH : 0),
        t_ms: t,
        index: out.length,
      });
      t += 20;
    }
  }
  return out;
}

async function run(parts: Part[]) {
  const model = loudnessModel();
  const segmenter = new Segmenter(model);
  const events: SegmentEvent[] = [];
  for (const f of frames(parts)) events.push(...(await segmenter.push(f)));
  events.push(...await segmenter.flush());
  const segments = events.flatMap((e) =>
    e.type === "speech_end" ? [[e.start_ms, e.end_ms, e.audio.length / 16]] : []
  );
  const prerolls = events.flatMap((e) => e.type === "speech_start" ? [e.preroll.length / 16] : []);
  return { segments, prerolls, resets: model.resets };
}

interface Expected {
  /** [start_ms, end_ms, padded audio ms] of each segment. */
  segments: number[][];
  /** Pre-roll of each segment, ms. */
  prerolls: number[];
  /** Times the model was told to forget. */
  resets: number;
}

const table: [string, Part[], Expected][] = [
  [
    "contiguous audio: one segment, windows on the frames' clock",
    [["silence", 1000], ["speech", 1000], ["silence", 1000]],
    { segments: [[992, 2016, 1960]], prerolls: [580], resets: 0 },
  ],
  [
    "100 ms of frames dropped mid-speech: the speech after the gap keeps its capture time",
    [["silence", 1000], ["speech", 400], ["gap", 100], ["speech", 500], ["silence", 1000]],
    // The speech really ends at 2000 ms; counting samples instead would say ~1916.
    { segments: [[992, 2012, 1840]], prerolls: [580], resets: 0 },
  ],
  [
    "a 2 s gap (microphone restarted) ends open speech; the next pre-roll starts after the gap",
    [
      ["silence", 1000],
      ["speech", 1000],
      ["gap", 2000],
      ["silence", 100],
      ["speech", 500],
      ["silence", 1000],
    ],
    // Pre-roll of 360 ms: 4000–4360, nothing from before the gap (the pad would reach 3796).
    { segments: [[992, 1984, 1320], [4096, 4608, 1220]], prerolls: [580, 360], resets: 1 },
  ],
  [
    "a clock that goes back starts afresh: the old history is not used for the pre-roll",
    [
      ["silence", 1000],
      ["speech", 1000],
      ["silence", 3000],
      ["restart_at", 0],
      ["silence", 100],
      ["speech", 500],
      ["silence", 1000],
    ],
    { segments: [[992, 2016, 1960], [96, 608, 1220]], prerolls: [580, 360], resets: 1 },
  ],
];

for (const [name, parts, expected] of table) {
  Deno.test(`Segmenter: ${name}`, async () => {
    assertEquals(await run(parts), expected);
  });
}

Deno.test("Segmenter runs quiet windows three at a time and speech windows at once, losing none", async () => {
  const calls: number[] = [];
  let pushed = 0;
  const base = loudnessModel();
  const model: SpeechModel = {
    probability(window) {
      calls.push(pushed);
      return base.probability(window);
    },
  };
  // 32 ms windows from 20 ms frames: quiet for 12 windows' worth, then speech.
  const segmenter = new Segmenter(model);
  const input = frames([["silence", 400], ["speech", 600], ["silence", 1200]]);
  const events: SegmentEvent[] = [];
  for (const f of input) {
    pushed++;
    events.push(...(await segmenter.push(f)));
  }
  events.push(...await segmenter.flush());
  // While quiet, the model runs only once three windows (96 ms, ~5 frames) are full.
  assertEquals(calls.slice(0, 6), [5, 5, 5, 10, 10, 10]);
  // Every window of the 2.2 s was run exactly once (the last, partial one is not a window).
  assertEquals(calls.length, Math.floor((2200 * 16) / 512));
  // Nothing is lost: the segment is the same as with one window at a time.
  const oneByOne = new Segmenter(loudnessModel(), {}, { quietBatch: 1 });
  const reference: SegmentEvent[] = [];
  for (const f of input) reference.push(...(await oneByOne.push(f)));
  reference.push(...await oneByOne.flush());
  const ends = (es: SegmentEvent[]) =>
    es.flatMap((e) => e.type === "speech_end" ? [[e.start_ms, e.end_ms, e.audio.length]] : []);
  assertEquals(ends(events), ends(reference));
  assertEquals(ends(events).length, 1);
});
