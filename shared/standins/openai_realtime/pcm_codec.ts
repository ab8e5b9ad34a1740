/**
 * @module
 * Strict decoding of the base64 PCM16 carried by `input_audio_buffer.append`, and WAV files
 * for fixtures. The stand-in rejects what the real API would reject instead of guessing.
 */

/** Thrown for an `audio` field that is not valid base64 PCM16. */
export class InvalidAudioError extends Error {
  override name = "InvalidAudioError";
}

/** Decodes base64 little-endian PCM16; throws {@linkcode InvalidAudioError} on bad input. */
export function decodePcm16Base64(audio: string): Int16Array {
  let bytes: Uint8Array;
  try {
    bytes = Uint8Array.fromBase64(audio, { lastChunkHandling: "strict" });
  } catch (cause) {
    throw new InvalidAudioError(
      `Cannot decode the audio as it is not valid base64: ${(cause as Error).message}`,
      { cause },
    );
  }
  if (bytes.byteLength % 2 !== 0) {
    throw new InvalidAudioError(
      `Cannot decode the audio as PCM16 needs an even number of bytes: current length is ${bytes.byteLength}`,
    );
  }
  // Copy into an aligned buffer; the platforms Deno runs on are little-endian like the wire.
  const out = new Int16Array(bytes.byteLength / 2);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

/** A decoded mono PCM16 WAV file. */
export interface Wav {
  sampleRate: number;
  samples: Int16Array;
}

/** Thrown for a WAV file that is not mono PCM16. */
export class InvalidWavError extends Error {
  override name = "InvalidWavError";
}

/** Parses a RIFF/WAVE file holding 16-bit PCM; stereo is mixed down to mono. */
export function parseWav(bytes: Uint8Array): Wav {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (at: number) => String.fromCharCode(...bytes.subarray(at, at + 4));
  if (bytes.byteLength < 12 || tag(0) !== "RIFF" || tag(8) !== "WAVE") {
    throw new InvalidWavError("Cannot read the WAV file as it has no RIFF/WAVE header");
  }
  let at = 12;
  let channels = 0;
  let sampleRate = 0;
  let bits = 0;
  let format = 0;
  while (at + 8 <= bytes.byteLength) {
    const id = tag(at);
    const size = view.getUint32(at + 4, true);
    const body = at + 8;
    if (id === "fmt ") {
      format = view.getUint16(body, true);
      channels = view.getUint16(body + 2, true);
      sampleRate = view.getUint32(body + 4, true);
      bits = view.getUint16(body + 14, true);
    } else if (id === "data") {
      // 0xFFFE is WAVE_FORMAT_EXTENSIBLE, which sox writes for some files; PCM inside.
      if ((format !== 1 && format !== 0xfffe) || bits !== 16 || channels < 1) {
        throw new InvalidWavError(
          `Cannot read the WAV file as it must be 16-bit PCM: format ${format}, ${bits} bits, ${channels} channels`,
        );
      }
      const end = Math.min(bytes.byteLength, body + size);
      const frames = Math.floor((end - body) / (2 * channels));
      const samples = new Int16Array(frames);
      for (let i = 0; i < frames; i++) {
        let sum = 0;
        for (let c = 0; c < channels; c++) {
          sum += view.getInt16(body + 2 * (i * channels + c), true);
        }
        samples[i] = Math.round(sum / channels);
      }
      return { sampleRate, samples };
    }
    at = body + size + (size % 2);
  }
  throw new InvalidWavError("Cannot read the WAV file as it has no data chunk");
}
