import { assertEquals, assertThrows } from "@shared/testing/asserts.ts";
import { decodePcm16Base64, InvalidAudioError, InvalidWavError, parseWav } from "./pcm_codec.ts";

function wav(
  fmt: { format: number; channels: number; rate: number; bits: number },
  data: number[],
) {
  const bytes = new Uint8Array(44 + data.length * 2);
  const v = new DataView(bytes.buffer);
  const put = (at: number, s: string) => [...s].forEach((c, i) => bytes[at + i] = c.charCodeAt(0));
  put(0, "RIFF");
  v.setUint32(4, 36 + data.length * 2, true);
  put(8, "WAVE");
  put(12, "fmt ");
  v.setUint32(16, 16, true);
  v.setUint16(20, fmt.format, true);
  v.setUint16(22, fmt.channels, true);
  v.setUint32(24, fmt.rate, true);
  v.setUint16(34, fmt.bits, true);
  put(36, "data");
  v.setUint32(40, data.length * 2, true);
  data.forEach((s, i) => v.setInt16(44 + 2 * i, s, true));
  return bytes;
}

Deno.test("decodePcm16Base64() decodes little-endian PCM16 and names what is wrong", () => {
  assertEquals([...decodePcm16Base64("AQD//w==")], [1, -1]);
  assertThrows(() => decodePcm16Base64("AQD"), InvalidAudioError, "not valid base64");
  assertThrows(
    () => decodePcm16Base64("AQID"),
    InvalidAudioError,
    "Cannot decode the audio as PCM16 needs an even number of bytes: current length is 3",
  );
});

Deno.test("parseWav() reads mono and stereo PCM16 and refuses other formats", () => {
  const mono = parseWav(wav({ format: 1, channels: 1, rate: 16000, bits: 16 }, [1, -2, 3]));
  assertEquals(mono.sampleRate, 16000);
  assertEquals([...mono.samples], [1, -2, 3]);
  const stereo = parseWav(wav({ format: 1, channels: 2, rate: 8000, bits: 16 }, [10, 20, -4, -6]));
  assertEquals([...stereo.samples], [15, -5]);
  assertThrows(
    () => parseWav(wav({ format: 3, channels: 1, rate: 16000, bits: 32 }, [])),
    InvalidWavError,
    "Cannot read the WAV file as it must be 16-bit PCM: format 3, 32 bits, 1 channels",
  );
  assertThrows(
    () => parseWav(new TextEncoder().encode("not a wav at all")),
    InvalidWavError,
    "Cannot read the WAV file as it has no RIFF/WAVE header",
  );
});
