import { assertEquals } from "@shared/testing/asserts.ts";
import { type SegmentGate, SegmentSink, type SegmentTarget } from "./segment_sink.ts";
import type { FrontEvent } from "./audio_front.ts";
import { speechEvents } from "../_testing/test_audio.ts";

function recorder(): { calls: string[]; target: SegmentTarget } {
  const calls: string[] = [];
  let n = 0;
  return {
    calls,
    target: {
      beginSegment: () => (calls.push("begin"), `u${++n}`),
      appendAudio: (s) => void calls.push(`audio:${s.length}`),
      endSegment: () => (calls.push("end"), `u${n}`),
    },
  };
}

const frame = (samples: number): FrontEvent => ({
  type: "frame",
  frame: { samples: new Int16Array(samples), t_ms: 0, index: 0 },
  level: -20,
});

Deno.test("SegmentSink turns a speech segment into begin, pre-roll, audio and end", () => {
  const { calls, target } = recorder();
  const sink = new SegmentSink(target);
  const events = speechEvents([new Int16Array(320), new Int16Array(160)], new Int16Array(640));
  const ids = events.map((e) => sink.push(e));
  assertEquals(calls, ["begin", "audio:640", "audio:320", "audio:160", "end"]);
  assertEquals(ids, ["u1", "u1", "u1", "u1"]);
  // Frames, transitions and misfires are not segment audio.
  sink.push(frame(320));
  sink.push({ type: "misfire", start_ms: 0, end_ms: 40, at_ms: 40 });
  assertEquals(calls.length, 5);
  assertEquals(sink.stats, { segments: 1, dropped: 0 });
});

Deno.test("SegmentSink without a VAD streams every frame the gate lets through", () => {
  const { calls, target } = recorder();
  let open = true;
  const gate: SegmentGate = {
    segmentStarted: () => true,
    segmentEnded: () => {},
    framePasses: () => open,
  };
  const sink = new SegmentSink(target, { allAudio: true, gate });
  sink.push(frame(320));
  open = false;
  sink.push(frame(321));
  open = true;
  sink.push(frame(322));
  assertEquals(calls, ["audio:320", "audio:322"]);
});

Deno.test("SegmentSink drops a segment the gate refuses at its start, whole", () => {
  const { calls, target } = recorder();
  const verdicts = [false, true];
  let ended = 0;
  const gate: SegmentGate = {
    segmentStarted: () => verdicts.shift()!,
    segmentEnded: () => void ended++,
    framePasses: () => true,
  };
  const sink = new SegmentSink(target, { gate });
  const dropped = speechEvents([new Int16Array(320)]).map((e) => sink.push(e));
  assertEquals(dropped, [undefined, undefined, undefined]);
  assertEquals(calls, []);
  const passed = speechEvents([new Int16Array(320)]).map((e) => sink.push(e));
  assertEquals(passed, ["u1", "u1", "u1"]);
  assertEquals(calls, ["begin", "audio:0", "audio:320", "end"]);
  assertEquals([ended, sink.stats.dropped, sink.stats.segments], [2, 1, 1]);
});
