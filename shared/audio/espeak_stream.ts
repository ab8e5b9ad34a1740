/**
 * @module
 * Speech from `espeak-ng`, streamed: the text goes in on stdin (so no text is ever read as a
 * flag), the WAV comes out on stdout and is handed on as 16-bit mono PCM chunks as soon as
 * espeak-ng writes them. espeak-ng writes its WAV header with unknown sizes (0x7fff...), so
 * the header is read for its rate and the data chunk is taken as "until the end".
 */
import { Pcm16Reader } from "./pcm16_reader.ts";

/** One piece of speech. */
export interface PcmChunk {
  sampleRate: number;
  samples: Int16Array;
}

/** Options of {@linkcode espeakPcm}. */
export interface EspeakOptions {
  /** An espeak-ng voice, e.g. `en-us` or `en-us+f3`. @default espeak-ng's own default */
  voice?: string;
  /** Words per minute. @default 175 (espeak-ng's default) */
  wordsPerMinute?: number;
  /** Stops synthesis (the process is killed). */
  signal?: AbortSignal;
  /** The program. @default "espeak-ng" */
  command?: string;
}

/** Thrown when espeak-ng cannot be run or fails. */
export class EspeakError extends Error {
  override name = "EspeakError";
}

/** Whether `espeak-ng` (or `command`) runs here. */
export async function espeakAvailable(command = "espeak-ng"): Promise<boolean> {
  try {
    const out = await new Deno.Command(command, {
      args: ["--version"],
      stdout: "null",
      stderr: "null",
      stdin: "null",
    }).output();
    return out.success;
  } catch {
    return false;
  }
}

/** Reads the rate and where the samples start; undefined while the header is incomplete. */
export function wavHeader(bytes: Uint8Array): { sampleRate: number; dataAt: number } | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (at: number) => String.fromCharCode(...bytes.subarray(at, at + 4));
  if (bytes.length < 12) return undefined;
  if (tag(0) !== "RIFF" || tag(8) !== "WAVE") {
    throw new EspeakError("Cannot read espeak-ng's output as it is not a WAV stream");
  }
  let at = 12;
  let sampleRate = 0;
  while (at + 8 <= bytes.length) {
    const id = tag(at);
    const size = view.getUint32(at + 4, true);
    if (id === "data") {
      if (!sampleRate) throw new EspeakError("Cannot read espeak-ng's output: no fmt chunk");
      return { sampleRate, dataAt: at + 8 };
    }
    if (id === "fmt ") {
      if (at + 8 + 16 > bytes.length) return undefined;
      const bits = view.getUint16(at + 8 + 14, true);
      const channels = view.getUint16(at + 8 + 2, true);
      if (bits !== 16 || channels !== 1) {
        throw new EspeakError(
          `Cannot read espeak-ng's output as it must be 16-bit mono: ${bits} bits, ${channels} channels`,
        );
      }
      sampleRate = view.getUint32(at + 8 + 4, true);
    }
    at += 8 + size + (size % 2);
  }
  return undefined;
}

/** Speaks `text` with espeak-ng, yielding PCM as it is made. */
export async function* espeakPcm(
  text: string,
  options: EspeakOptions = {},
): AsyncGenerator<PcmChunk> {
  const args = ["--stdout", "--stdin"];
  if (options.voice) args.push("-v", options.voice);
  if (options.wordsPerMinute) args.push("-s", String(options.wordsPerMinute));
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(options.command ?? "espeak-ng", {
      args,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  } catch (error) {
    throw new EspeakError(`Cannot run espeak-ng: ${(error as Error).message}`, { cause: error });
  }
  const kill = () => {
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
  };
  options.signal?.addEventListener("abort", kill, { once: true });
  const stderr = new Response(child.stderr).text();
  const writer = child.stdin.getWriter();
  // A newline ends the text: espeak-ng reads stdin line by line.
  void writer.write(new TextEncoder().encode(`${text.replace(/\s+/g, " ")}\n`))
    .then(() => writer.close()).catch(() => {});
  let head: Uint8Array = new Uint8Array(0);
  let sampleRate = 0;
  const reader = new Pcm16Reader();
  try {
    for await (const piece of child.stdout) {
      let bytes: Uint8Array = piece;
      if (!sampleRate) {
        const joined = new Uint8Array(head.length + bytes.length);
        joined.set(head);
        joined.set(bytes, head.length);
        const found = wavHeader(joined);
        if (!found) {
          head = joined;
          continue;
        }
        sampleRate = found.sampleRate;
        bytes = joined.subarray(found.dataAt);
      }
      const samples = reader.push(bytes);
      if (samples.length > 0) yield { sampleRate, samples };
    }
    const status = await child.status;
    if (!status.success && !options.signal?.aborted) {
      throw new EspeakError(
        `espeak-ng failed (exit ${status.code}): ${(await stderr).trim().slice(0, 300)}`,
      );
    }
  } finally {
    options.signal?.removeEventListener("abort", kill);
    kill();
    await child.status.catch(() => {});
    await stderr.catch(() => "");
  }
}
