import { assert, assertEquals, assertThrows } from "@shared/testing/asserts.ts";
import { espeakAvailable, EspeakError, espeakPcm, wavHeader } from "./espeak_stream.ts";

Deno.test("espeakPcm() streams real speech from espeak-ng as 16-bit PCM with its rate", async () => {
  assert(await espeakAvailable(), "espeak-ng is installed on test machines");
  let samples = 0;
  let chunks = 0;
  let rate = 0;
  let peak = 0;
  for await (const c of espeakPcm("--help is spoken, not read as a flag", { voice: "en-us" })) {
    rate = c.sampleRate;
    samples += c.samples.length;
    chunks++;
    for (const s of c.samples) peak = Math.max(peak, Math.abs(s));
  }
  assertEquals(rate, 22_050);
  assert(samples / rate > 1 && samples / rate < 6, `${samples / rate} s of speech`);
  assert(peak > 3000, `audible: peak ${peak}`);
  assert(chunks >= 1);
});

Deno.test("espeakPcm() stops when its signal aborts", async () => {
  const stop = new AbortController();
  let samples = 0;
  for await (
    const c of espeakPcm("one two three four five six seven eight nine ten ".repeat(20), {
      signal: stop.signal,
    })
  ) {
    samples += c.samples.length;
    stop.abort();
  }
  // Far less than the ~60 s the whole text would take.
  assert(samples < 22_050 * 30, String(samples));
});

Deno.test("espeakPcm() names a missing program", async () => {
  let error: unknown;
  try {
    for await (const _ of espeakPcm("hi", { command: "espeak-ng-not-here" })) { /* none */ }
  } catch (e) {
    error = e;
  }
  assert(error instanceof EspeakError);
  assert(error.message.startsWith("Cannot run espeak-ng: "), error.message);
});

Deno.test("wavHeader() waits for a whole header and refuses what is not a mono 16-bit WAV", () => {
  const header = new Uint8Array(44);
  const v = new DataView(header.buffer);
  header.set(new TextEncoder().encode("RIFF"), 0);
  header.set(new TextEncoder().encode("WAVEfmt "), 8);
  v.setUint32(16, 16, true);
  v.setUint16(20, 1, true);
  v.setUint16(22, 1, true);
  v.setUint32(24, 22_050, true);
  v.setUint16(34, 16, true);
  header.set(new TextEncoder().encode("data"), 36);
  assertEquals(wavHeader(header.subarray(0, 30)), undefined);
  assertEquals(wavHeader(header), { sampleRate: 22_050, dataAt: 44 });
  v.setUint16(22, 2, true);
  assertEquals(
    assertThrows(() => wavHeader(header), EspeakError).message,
    "Cannot read espeak-ng's output as it must be 16-bit mono: 16 bits, 2 channels",
  );
  assertEquals(
    assertThrows(() => wavHeader(new TextEncoder().encode("ID3 not a wave file")), EspeakError)
      .message,
    "Cannot read espeak-ng's output as it is not a WAV stream",
  );
});
