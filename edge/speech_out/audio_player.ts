/**
 * @module
 * Plays PCM on the default output through whichever player the machine has, as a child
 * process, so the audio loop never waits on the sound device. Streaming players get the PCM
 * on stdin as it is made: `paplay` (PulseAudio and PipeWire), `ffplay -nodisp -autoexit`
 * (every OS with FFmpeg), `aplay` (ALSA). Where none exists, file players get a WAV once the
 * sentence is made: `afplay` on macOS, PowerShell's `Media.SoundPlayer` on Windows.
 */
import { join } from "node:path";
import { encodeWav } from "@shared/audio/wav_encode.ts";

export type PlayerName = "paplay" | "ffplay" | "aplay" | "afplay" | "powershell";

/** Players tried, in order, on each OS. */
export function playerCandidates(os: typeof Deno.build.os): PlayerName[] {
  if (os === "windows") return ["ffplay", "powershell"];
  if (os === "darwin") return ["ffplay", "afplay"];
  return ["paplay", "ffplay", "aplay"];
}

/** Whether the player reads PCM from stdin (else it plays a WAV file). */
export function streams(name: PlayerName): boolean {
  return name === "paplay" || name === "ffplay" || name === "aplay";
}

/** The command line that plays 16-bit mono PCM at `rate` (from stdin, or from `file`). */
export function playerCommand(
  name: PlayerName,
  rate: number,
  file?: string,
): { cmd: string; args: string[] } {
  switch (name) {
    case "paplay":
      return {
        cmd: "paplay",
        args: [
          "--raw",
          `--rate=${rate}`,
          "--channels=1",
          "--format=s16le",
          "--client-name=voice-edge",
        ],
      };
    case "ffplay":
      return {
        cmd: "ffplay",
        args: [
          "-hide_banner",
          "-loglevel",
          "error",
          "-nodisp",
          "-autoexit",
          "-f",
          "s16le",
          "-ar",
          String(rate),
          "-ac",
          "1",
          "-i",
          "-",
        ],
      };
    case "aplay":
      return {
        cmd: "aplay",
        args: ["-q", "-t", "raw", "-f", "S16_LE", "-r", String(rate), "-c", "1", "-"],
      };
    case "afplay":
      return { cmd: "afplay", args: [file ?? ""] };
    case "powershell":
      return {
        cmd: "powershell",
        args: [
          "-NoProfile",
          "-NonInteractive",
          "-Command",
          `(New-Object Media.SoundPlayer '${(file ?? "").replaceAll("'", "''")}').PlaySync()`,
        ],
      };
  }
}

async function runs(cmd: string, args: string[]): Promise<boolean> {
  try {
    await new Deno.Command(cmd, { args, stdout: "null", stderr: "null", stdin: "null" }).output();
    return true; // it ran; some players exit non-zero on a version flag
  } catch {
    return false;
  }
}

/** The first player that exists here, or undefined. */
export async function findPlayer(
  os: typeof Deno.build.os = Deno.build.os,
): Promise<PlayerName | undefined> {
  for (const name of playerCandidates(os)) {
    const probe: Record<PlayerName, string[]> = {
      paplay: ["--version"],
      ffplay: ["-version"],
      aplay: ["--version"],
      afplay: ["-h"],
      powershell: ["-NoProfile", "-Command", "exit 0"],
    };
    if (await runs(name, probe[name])) return name;
  }
  return undefined;
}

/** How a playback ended. */
export type PlaybackResult = { ok: true; stopped: boolean } | { ok: false; error: string };

/** One sentence being played. */
export class Playback {
  readonly #name: PlayerName;
  readonly #rate: number;
  #child: Deno.ChildProcess | undefined;
  #writer: WritableStreamDefaultWriter<Uint8Array> | undefined;
  #writes: Promise<void> = Promise.resolve();
  #held: Int16Array[] = [];
  #stopped = false;
  #stderr: Promise<string> = Promise.resolve("");
  #tmp: string | undefined;

  constructor(name: PlayerName, rate: number) {
    this.#name = name;
    this.#rate = rate;
    if (streams(name)) {
      const { cmd, args } = playerCommand(name, rate);
      this.#child = new Deno.Command(cmd, { args, stdin: "piped", stdout: "null", stderr: "piped" })
        .spawn();
      this.#stderr = new Response(this.#child.stderr).text().catch(() => "");
      this.#writer = this.#child.stdin.getWriter();
    }
  }

  /** Queues audio; never waits. */
  write(samples: Int16Array): void {
    if (this.#stopped) return;
    if (!this.#writer) {
      this.#held.push(samples);
      return;
    }
    const writer = this.#writer;
    const bytes = new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength);
    this.#writes = this.#writes.then(() => writer.write(bytes)).catch(() => {});
  }

  /** No more audio: resolves when the player has finished (or failed). */
  async end(): Promise<PlaybackResult> {
    try {
      if (!this.#child) {
        if (this.#stopped) return { ok: true, stopped: true };
        const total = this.#held.reduce((n, s) => n + s.length, 0);
        const all = new Int16Array(total);
        let at = 0;
        for (const s of this.#held) {
          all.set(s, at);
          at += s.length;
        }
        this.#tmp = await Deno.makeTempFile({ prefix: "edge-speech-", suffix: ".wav" });
        await Deno.writeFile(this.#tmp, encodeWav(all, this.#rate));
        const { cmd, args } = playerCommand(this.#name, this.#rate, this.#tmp);
        this.#child = new Deno.Command(cmd, {
          args,
          stdin: "null",
          stdout: "null",
          stderr: "piped",
        })
          .spawn();
        this.#stderr = new Response(this.#child.stderr).text().catch(() => "");
      } else {
        await this.#writes;
        await this.#writer?.close().catch(() => {});
      }
      const status = await this.#child.status;
      if (this.#stopped) return { ok: true, stopped: true };
      if (!status.success) {
        const why = (await this.#stderr).trim().split("\n").slice(-2).join(" ") ||
          `exit ${status.code}`;
        return { ok: false, error: `${this.#name} failed: ${why}` };
      }
      return { ok: true, stopped: false };
    } catch (error) {
      return { ok: false, error: `${this.#name} could not run: ${(error as Error).message}` };
    } finally {
      if (this.#tmp) await Deno.remove(this.#tmp).catch(() => {});
    }
  }

  /** Stops at once (barge-in). */
  stop(): void {
    this.#stopped = true;
    try {
      this.#child?.kill("SIGKILL");
    } catch { /* already gone */ }
  }
}

/** Where `--speak-to` sentences go: `DIR/NNN.wav` and `DIR/NNN.txt`, numbered on from what is there. */
export class SpeechArchive {
  readonly dir: string;
  #next: number;

  private constructor(dir: string, next: number) {
    this.dir = dir;
    this.#next = next;
  }

  static async open(dir: string): Promise<SpeechArchive> {
    await Deno.mkdir(dir, { recursive: true });
    let highest = 0;
    for await (const e of Deno.readDir(dir)) {
      const m = /^(\d+)\.(wav|txt)$/.exec(e.name);
      if (m) highest = Math.max(highest, Number(m[1]));
    }
    return new SpeechArchive(dir, highest + 1);
  }

  /** Takes the next number (at the time a sentence is said, so files keep its order). */
  reserve(): string {
    return String(this.#next++).padStart(3, "0");
  }

  async write(name: string, text: string, samples: Int16Array, rate: number): Promise<string> {
    const wav = join(this.dir, `${name}.wav`);
    await Deno.writeFile(wav, encodeWav(samples, rate));
    await Deno.writeTextFile(join(this.dir, `${name}.txt`), `${text}\n`);
    return wav;
  }
}
