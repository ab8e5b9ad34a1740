import { assertEquals } from "@shared/testing/asserts.ts";
import { type VadEvent, VadStateMachine } from "./vad_state.ts";

const W = 32; // window ms
type Ev = Record<string, unknown>;

/** Runs probabilities (one per 32 ms window); returns non-transition events. */
function run(probs: number[], settings = {}): Ev[] {
  const m = new VadStateMachine({ minSpeechMs: 96, redemptionMs: 128, ...settings });
  const out: VadEvent[] = [];
  probs.forEach((p, i) => out.push(...m.step(p, i * W, (i + 1) * W)));
  out.push(...m.flush(probs.length * W));
  return out.filter((e) => e.type !== "transition").map(({ at_ms: _, ...rest }) => rest as Ev);
}

const q = (n: number) => Array(n).fill(0.05);
const s = (n: number) => Array(n).fill(0.9);

const table: [string, number[], Ev[]][] = [
  ["silence gives nothing", q(50), []],
  ["one utterance", [...q(5), ...s(10), ...q(10)], [
    { type: "speech_start", start_ms: 160 },
    { type: "speech_end", start_ms: 160, end_ms: 480 },
  ]],
  ["a blip shorter than min speech is a misfire", [...q(5), ...s(2), ...q(10)], [
    { type: "misfire", start_ms: 160, end_ms: 224 },
  ]],
  [
    "a short pause inside speech does not split it",
    [...q(2), ...s(6), ...q(3), ...s(6), ...q(10)],
    [
      { type: "speech_start", start_ms: 64 },
      { type: "speech_end", start_ms: 64, end_ms: 544 },
    ],
  ],
  ["a long pause splits two utterances", [...q(2), ...s(6), ...q(8), ...s(6), ...q(10)], [
    { type: "speech_start", start_ms: 64 },
    { type: "speech_end", start_ms: 64, end_ms: 256 },
    { type: "speech_start", start_ms: 512 },
    { type: "speech_end", start_ms: 512, end_ms: 704 },
  ]],
  ["values between the thresholds hold speech but do not extend it", [
    ...s(5),
    0.4,
    0.4,
    0.4,
    0.4,
    0.4,
    ...q(5),
  ], [
    { type: "speech_start", start_ms: 0 },
    { type: "speech_end", start_ms: 0, end_ms: 160 },
  ]],
  ["speech still open at the end is closed by flush", [...q(2), ...s(10)], [
    { type: "speech_start", start_ms: 64 },
    { type: "speech_end", start_ms: 64, end_ms: 384 },
  ]],
];

for (const [name, probs, expected] of table) {
  Deno.test(`VadStateMachine: ${name}`, () => assertEquals(run(probs), expected));
}

Deno.test("VadStateMachine reports each transition in order", () => {
  const m = new VadStateMachine({ minSpeechMs: 64, redemptionMs: 64 });
  const states: string[] = [];
  [0.9, 0.9, 0.9, 0.1, 0.1, 0.1].forEach((p, i) => {
    for (const e of m.step(p, i * W, (i + 1) * W)) {
      if (e.type === "transition") states.push(`${e.from}>${e.to}`);
    }
  });
  assertEquals(states, [
    "quiet>starting",
    "starting>speaking",
    "speaking>stopping",
    "stopping>quiet",
  ]);
});

Deno.test("VadStateMachine.eventsFrom: when the next event could come, state by state", () => {
  const m = new VadStateMachine({ minSpeechMs: 96, redemptionMs: 128 });
  const seen: [string, number][] = [];
  const step = (p: number, i: number) => {
    m.step(p, i * W, (i + 1) * W);
    seen.push([m.state, m.eventsFrom((i + 1) * W)]);
  };
  // quiet: a start at the next window (from 32 ms) is confirmed 96 ms after it began at the
  // earliest; starting at 32 ms: confirmed at 128, or a misfire 128 ms after the last speech;
  // speaking and stopping: an end 128 ms after the last speech (which a speech window moves on).
  [0.1, 0.9, 0.9, 0.9, 0.9, 0.1, 0.4, 0.9, 0.1].forEach(step);
  assertEquals(seen, [
    ["quiet", 128],
    ["starting", 128],
    ["starting", 128],
    ["speaking", 256],
    ["speaking", 288],
    ["stopping", 288],
    ["stopping", 288],
    ["speaking", 384],
    ["stopping", 384],
  ]);
  // With a hangover shorter than the minimum speech, a misfire can come first.
  const short = new VadStateMachine({ minSpeechMs: 300, redemptionMs: 64 });
  assertEquals(short.eventsFrom(1000), 1064);
  short.step(0.9, 1000, 1032);
  assertEquals([short.state, short.eventsFrom(1032)], ["starting", 1096]);
});
