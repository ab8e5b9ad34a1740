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

/** Frames whose loudness wanders (seeded), so probabilities cross every threshold often. */
function wanderingFrames(seed: number, count: number, gapAt?: number): Frame[] {
  let x = seed;
  const random = () => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
  const out: Frame[] = [];
  let t = 0;
  let level = 0;
  for (let i = 0; i < count; i++) {
    if (i === gapAt) t += 700;
    // Runs of similar loudness, as speech and pauses have.
    if (random() < 0.15) level = Math.floor(random() * 16000);
    out.push({ samples: new Int16Array(320).fill(level), t_ms: t, index: i });
    t += 20;
  }
  return out;
}

/** Probability = loudness, so values between the two thresholds occur too. */
const graded: SpeechModel = {
  probability(window) {
    return Promise.resolve(Math.min(1, Math.abs(window[0]!) * 2.5));
  },
};

/** Every event with the push (frame) it came on; transitions apart, they may come later. */
async function pushes(segmenter: Segmenter, input: Frame[], onPush = () => {}) {
  const events: unknown[] = [];
  const transitions: unknown[] = [];
  for (const [i, f] of input.entries()) {
    onPush();
    for (const e of await segmenter.push(f)) {
      if (e.type === "transition") transitions.push(e);
      else events.push({ on_frame: i, ...e });
    }
  }
  for (const e of await segmenter.flush()) {
    if (e.type === "transition") transitions.push(e);
    else events.push({ on_frame: "flush", ...e });
  }
  return { events, transitions };
}

for (const redemptionMs of [0, 20, 32, 64, 300, 600]) {
  for (
    const [minSpeechMs, gapAt] of [[0, undefined], [100, 400], [250, undefined], [250, 900], [
      1000,
      undefined,
    ]] as const
  ) {
    Deno.test(
      `Segmenter batches windows without moving any event but a transition: hangover ${redemptionMs} ms, min speech ${minSpeechMs} ms${
        gapAt ? ", a gap" : ""
      }`,
      async () => {
        const settings = { redemptionMs, minSpeechMs, preSpeechPadMs: 100 };
        const seen: number[][] = [[], []];
        const runsOn: number[] = [];
        let pushed = 0;
        const model = (k: number): SpeechModel => ({
          async probability(window) {
            const p = await graded.probability(window);
            seen[k]!.push(p);
            if (k === 0) runsOn.push(pushed);
            return p;
          },
        });
        for (const seed of [1, 7, 42]) {
          const input = wanderingFrames(seed, 1500, gapAt);
          seen[0]!.length = seen[1]!.length = runsOn.length = 0;
          const counting = new Segmenter(model(0), settings);
          const batched = await pushes(counting, input, () => pushed++);
          const single = await pushes(
            new Segmenter(model(1), settings, { perWindow: true }),
            input,
          );
          // Speech starts, ends (with their audio), misfires and speech audio: the same events
          // on the same frames.
          assertEquals(batched.events, single.events);
          assertEquals(batched.transitions, single.transitions);
          // The model saw the same windows in the same order.
          assertEquals(seen[0], seen[1]);
          const ends = batched.events.filter((e) => (e as SegmentEvent).type === "speech_end");
          if (ends.length < 3) throw new Error(`seed ${seed} gave only ${ends.length} segments`);
          // A frame that ends before the time the segmenter is idle until gives nothing at all
          // (a capture may hand such frames over later, together), unless audio before it is
          // missing; and while quiet, most frames are such frames.
          const idle = new Segmenter(graded, settings);
          let held = 0;
          for (const [i, f] of input.entries()) {
            const until = idle.idleUntil_ms;
            const events = await idle.push(f);
            const afterGap = i > 0 && f.t_ms !== input[i - 1]!.t_ms + 20;
            if (until !== undefined && f.t_ms + 20 < until && !afterGap) {
              held++;
              assertEquals(events, [], `frame ${i} ends before ${until} ms`);
            }
          }
          if (minSpeechMs >= 100 && redemptionMs >= 64 && held < 20) {
            throw new Error(`only ${held} frames held`);
          }
          // And windows did wait where they could: fewer wake-ups of the model than windows.
          const wakeups = new Set(runsOn).size;
          if (minSpeechMs >= 100 && redemptionMs >= 64 && wakeups > 0.8 * runsOn.length) {
            throw new Error(`${wakeups} wake-ups for ${runsOn.length} windows`);
          }
        }
      },
    );
  }
}

Deno.test("Segmenter runs windows together until one could give an event", async () => {
  const calls: number[] = [];
  let pushed = 0;
  const base = loudnessModel();
  const model: SpeechModel = {
    probability(window) {
      calls.push(pushed);
      return base.probability(window);
    },
  };
  // Default settings: 250 ms min speech, 600 ms hangover. Window n (n·32 to (n+1)·32 ms) is
  // full on push ceil(32 (n + 1) / 20).
  const segmenter = new Segmenter(model);
  const input = frames([["silence", 1000], ["speech", 1000], ["silence", 1200]]);
  const ends: number[] = [];
  for (const f of input) {
    pushed++;
    for (const e of await segmenter.push(f)) if (e.type === "speech_end") ends.push(pushed);
  }
  const on = (push: number) => calls.filter((c) => c === push).length;
  // Quiet: windows 0–7 (0–256 ms) wait until 250 ms of them are full, on push 13.
  assertEquals(calls.slice(0, 9), [13, 13, 13, 13, 13, 13, 13, 13, 26]);
  // Speech from 1000 ms: window 31 (992–1024) starts it; 250 ms later window 38 (1216–1248)
  // confirms it on push 63, the same push as one window at a time would.
  assertEquals(calls[38], 63);
  // Speaking: a window can end speech only 600 ms after the last speech, so from then on the
  // windows run about 19 at a time.
  assertEquals(on(calls[39]!) >= 18, true);
  // The speech ends 600 ms after its last window (1984–2016): window 81 (2592–2624), push 132.
  assertEquals(ends, [132]);
  assertEquals(calls[81], 132);
  // Every window ran exactly once (the last ones when the stream ends).
  await segmenter.flush();
  assertEquals(calls.length, Math.floor((3200 * 16) / 512));
});

Deno.test("Segmenter is idle until a quiet window could give an event, and never once speech may start", async () => {
  const segmenter = new Segmenter(loudnessModel());
  // Quiet: a start is confirmed 250 ms (the minimum speech) after the first waiting window
  // began, so nothing can happen before the window that ends after it (the eighth, 256 ms).
  assertEquals(segmenter.idleUntil_ms, 256);
  const input = frames([["silence", 300], ["speech", 600]]);
  const idle: (number | undefined)[] = [];
  for (const f of input) {
    await segmenter.push(f);
    idle.push(segmenter.idleUntil_ms);
  }
  // After 260 ms, windows 0–7 ran; the next wait from window 8 (256 ms) for eight more.
  assertEquals(idle[12], 512);
  // Speech confirmed: every frame counts at once.
  assertEquals(segmenter.machine.state, "speaking");
  assertEquals(idle.at(-1), undefined);
  assertEquals(new Segmenter(loudnessModel(), {}, { perWindow: true }).idleUntil_ms, undefined);
});
