import { assert, assertEquals } from "@shared/testing/asserts.ts";
import { type FrontHooks, startVoiceOutput } from "./voice_output.ts";

function recorder() {
  const calls: string[] = [];
  const hooks: FrontHooks = {
    onStart: () => calls.push("start"),
    onAudio: () => calls.push("audio"),
    onEnd: () => calls.push("end"),
  };
  return { calls, hooks };
}

Deno.test("startVoiceOutput() off: no speaker, hooks untouched", async () => {
  const voice = await startVoiceOutput({ speak: "off", microphone: true, env: {} });
  assertEquals([voice.speaker, voice.description], [undefined, "not speaking"]);
  const { hooks } = recorder();
  assert(voice.gateHooks(hooks) === hooks, "the same hooks");
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
    const { calls, hooks } = recorder();
    const gated = voice.gateHooks(hooks);
    voice.gate.playbackStarted();
    gated.onStart!(new Int16Array(0));
    gated.onAudio!(new Int16Array(0));
    gated.onEnd!({ start_ms: 0, end_ms: 1 });
    assertEquals(calls, [], "its own voice is not a request");
    voice.gate.playbackEnded(performance.now() - 1);
    gated.onStart!(new Int16Array(0));
    gated.onAudio!(new Int16Array(0));
    gated.onEnd!({ start_ms: 2, end_ms: 3 });
    assertEquals(calls, ["start", "audio", "end"]);
    // A file hears no echo: its hooks are not gated at all.
    const file = await startVoiceOutput({
      speak: "espeak",
      microphone: false,
      speakTo: dir,
      player: "none",
      env: {},
    });
    assert(file.gateHooks(hooks) === hooks, "the same hooks");
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
    const { calls, hooks } = recorder();
    voice.gateHooks(hooks).onStart!(new Int16Array(0));
    assertEquals(calls, ["start"]);
    assertEquals(await voice.whenSpoken(30_000), true);
    assert(voice.speaker!.stats.stopped >= 2, JSON.stringify(voice.speaker!.stats));
    assertEquals(voice.speaker!.stats.spoken, 0);
    await voice.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
