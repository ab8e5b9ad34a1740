/**
 * The audio front as a library, on real speech through the real model and a real sox/ffmpeg
 * subprocess: the order and content of its events as the streaming mode consumes them.
 */
import { assert, assertEquals, assertStringIncludes } from "@shared/testing/asserts.ts";
import { makeFixtures } from "../fixtures/make_fixtures.ts";
import { type FrontEvent, startAudioFront } from "./audio_front.ts";

async function collect(events: AsyncIterable<FrontEvent>): Promise<FrontEvent[]> {
  const out: FrontEvent[] = [];
  for await (const e of events) out.push(e);
  return out;
}

Deno.test("audio front: a segment's pre-roll and speech audio add up to its padded audio", async () => {
  const dir = await Deno.makeTempDir({ prefix: "edge-front-" });
  try {
    const files = await makeFixtures(dir);
    const fixture = files.two_sentences!;
    const front = await startAudioFront({
      capture: "sox",
      input: fixture.path,
      frameMs: 20,
      pace: false,
      vad: "silero",
    });
    const events = await collect(front.events);
    await front.close();

    assertEquals(events.at(-1)?.type, "ended");
    assertEquals(events.filter((e) => e.type === "error").length, 0);
    const frames = events.filter((e) => e.type === "frame");
    const fileSamples = Math.floor((await soxSamples(fixture.path)) / 320) * 320;
    assertEquals(frames.length * 320, fileSamples);

    // Replay the events the way the realtime client consumes them.
    const segments: { start_ms: number; end_ms: number; streamed: number; padded: number }[] = [];
    let open: { start_ms: number; streamed: number } | undefined;
    for (const e of events) {
      if (e.type === "speech_start") {
        assert(open === undefined, "speech_start while a segment is open");
        open = { start_ms: e.start_ms, streamed: e.preroll.length };
      } else if (e.type === "speech_audio") {
        assert(open !== undefined, "speech_audio outside a segment");
        open.streamed += e.samples.length;
      } else if (e.type === "speech_end") {
        assert(open !== undefined, "speech_end without speech_start");
        assertEquals(e.start_ms, open.start_ms);
        segments.push({
          start_ms: e.start_ms,
          end_ms: e.end_ms,
          streamed: open.streamed,
          padded: e.audio.length,
        });
        open = undefined;
      }
    }
    assertEquals(segments.length, fixture.speech.length);
    for (const [i, s] of segments.entries()) {
      assertEquals(s.streamed, s.padded, `segment ${i}: streamed samples = padded audio`);
      const want = fixture.speech[i]!;
      assert(Math.abs(s.start_ms - want.start_ms) <= 250, `segment ${i} start ${s.start_ms}`);
      assert(Math.abs(s.end_ms - want.end_ms) <= 250, `segment ${i} end ${s.end_ms}`);
    }
    const ended = events.at(-1);
    assert(ended?.type === "ended");
    assertEquals(ended.stats.segments, fixture.speech.length);
    assertEquals(ended.stats.frames, frames.length);
    assertEquals(ended.stats.dropped, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("audio front: --vad off passes every frame through and finds no segments", async () => {
  const dir = await Deno.makeTempDir({ prefix: "edge-front-" });
  try {
    const path = `${dir}/tone.wav`;
    await sox(["-n", "-r", "16000", "-c", "1", "-b", "16", path, "synth", "1.0", "sine", "440"]);
    const front = await startAudioFront({
      capture: "ffmpeg",
      input: path,
      frameMs: 10,
      pace: false,
      vad: "off",
    });
    const events = await collect(front.events);
    await front.close();
    assertEquals(events.filter((e) => e.type === "frame").length, 100);
    assertEquals(
      events.filter((e) => e.type !== "frame").map((e) => e.type),
      ["ended"],
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("audio front: a file that is not audio ends with an error event", async () => {
  const dir = await Deno.makeTempDir({ prefix: "edge-front-" });
  try {
    const path = `${dir}/notes.wav`;
    await Deno.writeTextFile(path, "this is not audio\n".repeat(50));
    const front = await startAudioFront({
      capture: "sox",
      input: path,
      frameMs: 20,
      pace: false,
      vad: "off",
    });
    const events = await collect(front.events);
    await front.close();
    const types = events.map((e) => e.type);
    assertEquals(types.slice(-2), ["error", "ended"]);
    const error = events.at(-2);
    assert(error?.type === "error");
    assertEquals(error.error.name, "CaptureError");
    assertStringIncludes(error.error.message, `Cannot decode '${path}' as audio with sox: `);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

async function sox(args: string[]): Promise<void> {
  const out = await new Deno.Command("sox", { args, stdout: "null", stderr: "piped" }).output();
  if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
}

async function soxSamples(path: string): Promise<number> {
  const out = await new Deno.Command("soxi", { args: ["-s", path], stdout: "piped" }).output();
  return Number(new TextDecoder().decode(out.stdout).trim());
}
