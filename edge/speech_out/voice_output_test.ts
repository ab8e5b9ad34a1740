import { assert, assertEquals } from "@shared/testing/asserts.ts";
import { startVoiceOutput } from "./voice_output.ts";
import { type SegmentGate, SegmentSink, type SegmentTarget } from "../front/segment_sink.ts";
import { speechEvents } from "../_testing/test_audio.ts";

/** A sink through `gate` into a target that records its calls. */
function recorder(gate: SegmentGate | undefined) {
  const calls: string[] = [];
  const target: SegmentTarget = {
    beginSegment: () => (calls.push("start"), "u"),
    appendAudio: (s) => void (s.length > 0 && calls.push("audio")),
    endSegment: () => (calls.push("end"), "u"),
  };
  const sink = new SegmentSink(target, { gate });
  const speak = () => void speechEvents([new Int16Array(320)]).forEach((e) => sink.push(e));
  return { calls, speak };
}

Deno.test("startVoiceOutput() off: no speaker, no gate", async () => {
  const voice = await startVoiceOutput({ speak: "off", microphone: true, env: {} });
  assertEquals([voice.speaker, voice.description], [undefined, "not speaking"]);
  assertEquals(voice.segmentGate, undefined);
  assertEquals(await voice.whenSpoken(10), true);
});

Deno.test("startVoiceOutput() gates the microphone while the edge plays, and never a file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const voice = await startVoiceOutput({
      speak: "espeak",
      microphone: true,
      speakTo: dir,
      player: "none",
      env: {},
      tailMs: 0,
    });
    assertEquals(voice.description, `speaking with espeak-ng (en-us), sentences also in ${dir}`);
    const { calls, speak } = recorder(voice.segmentGate);
    voice.gate.playbackStarted();
    speak();
    assertEquals(calls, [], "its own voice is not a request");
    voice.gate.playbackEnded(performance.now() - 1);
    speak();
    assertEquals(calls, ["start", "audio", "end"]);
    // A file hears no echo: it is not gated at all.
    const file = await startVoiceOutput({
      speak: "espeak",
      microphone: false,
      speakTo: dir,
      player: "none",
      env: {},
    });
    assertEquals(file.segmentGate, undefined);
    await voice.close();
    await file.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("startVoiceOutput() with barge-in: speech during playback stops the edge and goes through", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const first = Promise.withResolvers<void>();
    const voice = await startVoiceOutput({
      speak: "espeak",
      microphone: true,
      bargeIn: true,
      speakTo: dir,
      player: "none",
      env: {},
      onFirstAudio: () => first.resolve(),
    });
    voice.speaker!.say("one two three four five six seven eight nine ten ".repeat(20));
    voice.speaker!.say("never said");
    await first.promise;
    voice.gate.playbackStarted();
    const { calls, speak } = recorder(voice.segmentGate);
    speak();
    assertEquals(calls, ["start", "audio", "end"]);
    assertEquals(await voice.whenSpoken(30_000), true);
    assert(voice.speaker!.stats.stopped >= 2, JSON.stringify(voice.speaker!.stats));
    assertEquals(voice.speaker!.stats.spoken, 0);
    await voice.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
