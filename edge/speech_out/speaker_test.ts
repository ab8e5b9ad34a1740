/**
 * The speaker with real parts: espeak-ng and the OpenAI speech stand-in as voices, `paplay`
 * into a PulseAudio server of the test's own, and `--speak-to` files.
 */
import { assert, assertEquals } from "@shared/testing/asserts.ts";
import { startPulseServer } from "@shared/testing/pulse_server.ts";
import { parseWav } from "@shared/standins/openai_realtime/pcm_codec.ts";
import { startSpeechStandIn } from "@shared/standins/openai_speech/speech_standin.ts";
import { SpeechArchive } from "./audio_player.ts";
import { EspeakSynth, OpenAiSynth } from "./speech_synth.ts";
import { Speaker } from "./speaker.ts";
import { DuplexGate } from "./duplex_gate.ts";

Deno.test("Speaker plays sentences in order through paplay, gates while playing, archives them", async () => {
  const pulse = await startPulseServer();
  const dir = await Deno.makeTempDir();
  const saved = Deno.env.get("PULSE_SERVER");
  Deno.env.set("PULSE_SERVER", pulse.server);
  try {
    await Deno.writeTextFile(`${dir}/007.txt`, "from an earlier run\n");
    const gate = new DuplexGate({ tailMs: 0 });
    const events: string[] = [];
    const printed: string[] = [];
    const speaker = new Speaker({
      synth: new EspeakSynth("en-us"),
      player: "paplay",
      archive: await SpeechArchive.open(dir),
      print: (l) => printed.push(l),
      listener: {
        playbackStarted: () => {
          gate.playbackStarted();
          events.push("start");
        },
        playbackEnded: (now) => {
          gate.playbackEnded(now);
          events.push("end");
        },
      },
      onFirstAudio: (e) => events.push(`first:${e.text}`),
    });
    speaker.say("On it: browser.");
    speaker.say("Say yes or no.");
    assertEquals(speaker.busy, true);
    await speaker.whenIdle();
    assertEquals(speaker.busy, false);
    assertEquals(gate.closed(performance.now()), false);
    assertEquals(events, [
      "first:On it: browser.",
      "start",
      "end",
      "first:Say yes or no.",
      "start",
      "end",
    ]);
    assertEquals(printed, ["🔊 On it: browser.", "🔊 Say yes or no."]);
    assertEquals(speaker.player, "paplay", "the player kept working");
    assertEquals(speaker.stats, { said: 2, spoken: 2, failed: 0, stopped: 0 });
    assertEquals(await Deno.readTextFile(`${dir}/008.txt`), "On it: browser.\n");
    assertEquals(await Deno.readTextFile(`${dir}/009.txt`), "Say yes or no.\n");
    const wav = parseWav(await Deno.readFile(`${dir}/009.wav`));
    assertEquals(wav.sampleRate, 22_050);
    assert(wav.samples.length > 22_050 / 2);
  } finally {
    if (saved === undefined) Deno.env.delete("PULSE_SERVER");
    else Deno.env.set("PULSE_SERVER", saved);
    await pulse.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Speaker gives up a failing player with one notice and still archives, through OpenAI speech", async () => {
  const standIn = await startSpeechStandIn({ apiKey: "sk-t" });
  const dir = await Deno.makeTempDir();
  const saved = Deno.env.get("PULSE_SERVER");
  Deno.env.set("PULSE_SERVER", `unix:${dir}/no-such-socket`);
  try {
    const notices: string[] = [];
    const speaker = new Speaker({
      synth: new OpenAiSynth({
        baseUrl: standIn.url,
        apiKey: "sk-t",
        model: "gpt-4o-mini-tts",
        voice: "alloy",
      }),
      player: "paplay",
      archive: await SpeechArchive.open(dir),
      notice: (l) => notices.push(l),
    });
    speaker.say("First.");
    speaker.say("Second.");
    await speaker.whenIdle();
    assertEquals(notices.length, 1, notices.join("\n"));
    assert(notices[0]!.startsWith("notice: cannot play speech (paplay failed: "), notices[0]);
    assert(notices[0]!.endsWith(`sentences go to ${dir} only`), notices[0]);
    assertEquals(speaker.player, undefined);
    assertEquals(standIn.spoken.map((s) => [s.input, s.model, s.response_format]), [
      ["First.", "gpt-4o-mini-tts", "pcm"],
      ["Second.", "gpt-4o-mini-tts", "pcm"],
    ]);
    const wav = parseWav(await Deno.readFile(`${dir}/002.wav`));
    assertEquals(wav.sampleRate, 24_000);
    assertEquals(wav.samples.length, standIn.spoken[1]!.samples);
  } finally {
    if (saved === undefined) Deno.env.delete("PULSE_SERVER");
    else Deno.env.set("PULSE_SERVER", saved);
    await standIn.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Speaker.stop() cuts the sentence being said and drops the queued ones", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const firstAudio = Promise.withResolvers<void>();
    const speaker = new Speaker({
      synth: new EspeakSynth("en-us"),
      archive: await SpeechArchive.open(dir),
      onFirstAudio: () => firstAudio.resolve(),
    });
    speaker.say("one two three four five six seven eight nine ten ".repeat(30));
    speaker.say("This is never said.");
    await firstAudio.promise;
    speaker.stop();
    await speaker.whenIdle();
    assertEquals(speaker.stats.spoken, 0);
    assertEquals(speaker.stats.stopped, 2);
    const names = [];
    for await (const e of Deno.readDir(dir)) names.push(e.name);
    assertEquals(names.includes("002.txt"), false, names.join());
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Speaker without a working player or an archive stops making sound after the notice", async () => {
  const standIn = await startSpeechStandIn();
  const dir = await Deno.makeTempDir();
  const saved = Deno.env.get("PULSE_SERVER");
  Deno.env.set("PULSE_SERVER", `unix:${dir}/no-such-socket`);
  try {
    const notices: string[] = [];
    const speaker = new Speaker({
      synth: new OpenAiSynth({
        baseUrl: standIn.url,
        apiKey: "k",
        model: "gpt-4o-mini-tts",
        voice: "alloy",
      }),
      player: "paplay",
      notice: (l) => notices.push(l),
    });
    speaker.say("First.");
    speaker.say("Second.");
    await speaker.whenIdle();
    assertEquals(notices.length, 1);
    assert(notices[0]!.endsWith("sentences go nowhere (try --speak-to DIR)"), notices[0]);
    assertEquals(standIn.spoken.map((s) => s.input), ["First."]);
  } finally {
    if (saved === undefined) Deno.env.delete("PULSE_SERVER");
    else Deno.env.set("PULSE_SERVER", saved);
    await standIn.close();
    await Deno.remove(dir, { recursive: true });
  }
});
