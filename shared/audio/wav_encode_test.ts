import { assertEquals } from "@shared/testing/asserts.ts";
import { parseWav } from "@shared/standins/openai_realtime/pcm_codec.ts";
import { encodeWav } from "./wav_encode.ts";

Deno.test("encodeWav() writes a file that a WAV reader gives back sample for sample", () => {
  const samples = Int16Array.of(0, 1, -1, 32767, -32768, 1234);
  const wav = encodeWav(samples, 24_000);
  assertEquals(wav.length, 44 + 12);
  const back = parseWav(wav);
  assertEquals(back.sampleRate, 24_000);
  assertEquals([...back.samples], [...samples]);
});
