/**
 * @module
 * Runs the capture subprocess and turns its stdout into frames. Errors name their fix:
 * a missing tool, a missing or undecodable file, a microphone that stops (restarted with
 * backoff while live). Frame times are one session clock: after a restart they resume at the
 * time the new subprocess started, so the gap while the microphone was down shows in `t_ms`.
 * While the consumer says that no frame before a given time can count (a quiet VAD), a
 * microphone's pipe is read once when that audio can have come in, not once per fragment.
 */
import { getLogger } from "@logtape/logtape";
import {
  captureCommand,
  type CaptureSpec,
  type CaptureTool,
  listDevicesCommand,
  type Os,
  parseDshowAudioDevices,
} from "./capture_command.ts";
import { ArrivalEstimate } from "./arrival_estimate.ts";
import { FrameQueue } from "./frame_queue.ts";
import { Framer } from "./framer.ts";
import { nextRestart } from "./restart_policy.ts";

const log = getLogger(["edge", "capture"]);

/** Characters of the tool's stderr kept for error messages. */
const STDERR_TAIL = 4096;

export class CaptureError extends Error {
  override name = "CaptureError";
}

const INSTALL_HINT: Record<CaptureTool, string> = {
  ffmpeg:
    "install ffmpeg (Debian/Ubuntu: apt-get install ffmpeg; Windows: winget install ffmpeg; macOS: brew install ffmpeg) or use --capture sox",
  sox:
    "install sox (Debian/Ubuntu: apt-get install sox; Windows: winget install ChrisBagwell.SoX; macOS: brew install sox) or use --capture ffmpeg",
  parec:
    "install pulseaudio-utils (Debian/Ubuntu: apt-get install pulseaudio-utils; it records from PulseAudio and from PipeWire's pulse server) or use --capture ffmpeg",
};

const PAREC_NO_FILE =
  "parec records from a sound server and cannot read a file: use --capture ffmpeg or sox with --input";

/** Whether `tool` can be started. */
export async function toolAvailable(tool: CaptureTool): Promise<boolean> {
  try {
    const out = await new Deno.Command(tool, {
      args: [tool === "ffmpeg" ? "-version" : "--version"],
      stdout: "null",
      stderr: "null",
    }).output();
    return out.success;
  } catch {
    return false;
  }
}

/** The first of `tools` that is installed, in order. */
async function firstAvailable(tools: readonly CaptureTool[]): Promise<CaptureTool | undefined> {
  for (const tool of tools) if (await toolAvailable(tool)) return tool;
  return undefined;
}

/** What the capture reads: a file, or a microphone on `os`. */
export interface CaptureSource {
  input?: string | undefined;
  os?: Os;
}

/**
 * `auto` → for a Linux microphone parec when installed (the cheapest at pace, see
 * capture_command.ts), then ffmpeg, then sox; for a file and on Windows and macOS ffmpeg, then
 * sox. A named tool must be installed, and parec cannot read a file.
 */
export async function resolveTool(
  choice: "auto" | CaptureTool,
  source: CaptureSource = {},
): Promise<CaptureTool> {
  if (choice === "parec" && source.input) {
    throw new CaptureError(PAREC_NO_FILE);
  }
  if (choice !== "auto") {
    if (!(await toolAvailable(choice))) {
      throw new CaptureError(`${choice} was not found on PATH: ${INSTALL_HINT[choice]}`);
    }
    return choice;
  }
  const linuxMicrophone = !source.input && (source.os ?? hostOs()) === "linux";
  const order = linuxMicrophone
    ? (["parec", "ffmpeg", "sox"] as const)
    : (["ffmpeg", "sox"] as const);
  const found = await firstAvailable(order);
  if (found) return found;
  throw new CaptureError(
    linuxMicrophone
      ? "None of parec, ffmpeg or sox was found on PATH: install one (Debian/Ubuntu: apt-get install pulseaudio-utils, or ffmpeg)"
      : "Neither ffmpeg nor sox was found on PATH: install one (Debian/Ubuntu: apt-get install ffmpeg sox; Windows: winget install ffmpeg; macOS: brew install ffmpeg)",
  );
}

/** This machine's OS as the capture commands name it (other Unixes capture as Linux does). */
export function hostOs(): Os {
  return Deno.build.os === "windows" ? "windows" : Deno.build.os === "darwin" ? "darwin" : "linux";
}

export interface CaptureOptions {
  tool: CaptureTool;
  input?: string;
  device?: string;
  frameMs: 10 | 20 | 30;
  /**
   * Release a file's frames in real time. A microphone is real time already: its frames always
   * leave in the bursts the tool hands over (ffmpeg: one per sound-server fragment), never
   * later than they came, each with its capture timestamp.
   */
  pace: boolean;
  os?: Os;
  /** Live restarts in a row before giving up. @default 5 */
  maxRestarts?: number;
  /** A live run that lasted this long starts the restart count again, ms. @default 60000 */
  stableMs?: number;
  /** Monotonic clock, ms (restarts, and a paced file's frame times). @default performance.now */
  clock?: () => number;
  /** Waits between restarts and for a paced file's frame times; injectable so tests control time. */
  sleep?: (ms: number) => Promise<void>;
  /** The subprocess for a capture. @default captureCommand */
  command?: (spec: CaptureSpec) => { cmd: string; args: string[] };
  /**
   * A microphone only: the capture time (ms, the frames' clock) before which no frame can make
   * the consumer do anything but wait, or undefined when every frame counts at once. Until
   * that audio can have come in (going by when audio has come in so far), the pipe is not
   * read: the frames before it then come in one read instead of one per sound-server fragment,
   * and the frame that reaches it is read as soon as it comes, as it would be without waiting.
   */
  holdUntil?: () => number | undefined;
}

/** A wait for the pipe shorter than this costs more than the reads it saves, ms. */
const MIN_HOLD_MS = 30;
/** The longest wait for the pipe, ms: far under what the queue and the pipe can hold. */
const MAX_HOLD_MS = 500;
/** A paced file's frames leave together every this many ms (see FrameQueueOptions.paceBurstMs). */
const PACED_BURST_MS = 50;
/** Bytes one read takes at most: a pipe's whole buffer (about 2 s of 16 kHz audio). */
const READ_BYTES = 65_536;

export interface Capture {
  frames: FrameQueue;
  /** Resolves when capture ended (file done), rejects with a CaptureError. */
  done: Promise<void>;
  stop(): void;
  /** Restarts in the current row (reset by a run of `stableMs`). */
  restarts(): number;
  /** Restarts in the whole session. */
  totalRestarts(): number;
}

/**
 * The first DirectShow audio device ffmpeg lists: Windows has no device called "default", so
 * this stands for the default microphone when no `--device` is given.
 */
export async function defaultDshowDevice(): Promise<string> {
  const { cmd, args } = listDevicesCommand("ffmpeg", "windows");
  const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
  const listing = new TextDecoder().decode(out.stderr) + new TextDecoder().decode(out.stdout);
  const [first] = parseDshowAudioDevices(listing);
  if (first === undefined) {
    throw new CaptureError(
      "ffmpeg lists no DirectShow audio device: connect a microphone, name one with --device (see --list-devices) or use --capture sox",
    );
  }
  return first;
}

/** The tool's last line on stderr, which names why it stopped, or its exit code. */
function lastLine(stderr: string, code: number): string {
  return stderr.split("\n").filter(Boolean).slice(-1)[0] ?? `exit code ${code}`;
}

export async function startCapture(options: CaptureOptions): Promise<Capture> {
  const os = options.os ?? hostOs();
  if (options.input && options.tool === "parec") {
    throw new CaptureError(PAREC_NO_FILE);
  }
  if (options.input) {
    try {
      const info = await Deno.stat(options.input);
      if (!info.isFile) {
        throw new CaptureError(
          `Input '${options.input}' is not a file: give an audio file to --input`,
        );
      }
    } catch (err) {
      if (err instanceof CaptureError) throw err;
      throw new CaptureError(
        `Input file '${options.input}' was not found: check the path given to --input`,
      );
    }
  }
  const live = !options.input;
  let device = options.device;
  if (live && !device && os === "windows" && options.tool === "ffmpeg") {
    device = await defaultDshowDevice();
    log.info("Capturing from {device}, the first DirectShow audio device", { device });
  }
  const clock = options.clock ?? (() => performance.now());
  const sleep = options.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  const queue = new FrameQueue({
    policy: live ? "drop" : "block",
    capacity: live ? 50 : 200,
    // A file is paced unless --no-pace. A microphone's bursts go on whole: re-pacing them would
    // only delay its frames and wake the consumer once per frame instead of once per burst.
    // Paced, it leaves in bursts of 50 ms, as PulseAudio hands a microphone's audio over: at most
    // 50 ms after its time, and the consumer woken a third as often as once per 20 ms frame.
    ...(options.pace && !live ? { paceMs: options.frameMs, paceBurstMs: PACED_BURST_MS } : {}),
    now: clock,
    sleep,
  });
  const command = options.command ?? captureCommand;
  let child: Deno.ChildProcess | undefined;
  let stopped = false;
  // A wait for the pipe that stop() cuts short, so that stopping stays immediate.
  let endHold: (() => void) | undefined;
  const hold = (ms: number) =>
    options.sleep ? options.sleep(ms) : new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        endHold = undefined;
        resolve();
      }, ms);
      endHold = () => {
        clearTimeout(timer);
        endHold = undefined;
        resolve();
      };
    });
  let restarts = 0;
  let totalRestarts = 0;
  // Whether any run has given audio: the sound server is then there, and is never given up for ALSA.
  let heard = false;
  // The session clock: 0 at the first spawn; where the last run's audio ended.
  let sessionStart: number | undefined;
  let audioEndMs = 0;
  let nextIndex = 0;
  const spec: CaptureSpec = {
    tool: options.tool,
    os,
    ...(options.input ? { input: options.input } : {}),
    ...(device ? { device } : {}),
  };

  const runOnce = async (): Promise<
    { bytes: number; code: number; stderr: string; ranMs: number }
  > => {
    const { cmd, args } = command(spec);
    try {
      child = new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped", stdin: "null" })
        .spawn();
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) {
        throw new CaptureError(`${cmd} was not found on PATH: ${INSTALL_HINT[spec.tool]}`);
      }
      throw new CaptureError(`Cannot start ${cmd}: ${err instanceof Error ? err.message : err}`);
    }
    const spawnedAt = clock();
    const origin = (sessionStart ??= spawnedAt);
    // The new run's audio starts now on the session clock (never before the last run's end).
    const startMs = Math.max(audioEndMs, Math.round(spawnedAt - origin));
    if (startMs > audioEndMs) {
      log.info("Capture resumes at {t_ms} ms after a gap of {gap_ms} ms", {
        t_ms: startMs,
        gap_ms: startMs - audioEndMs,
      });
    }
    // Only the tail is kept: a live tool can write a warning now and then for hours, and only
    // its last lines name why it stopped.
    const stderrText = (async () => {
      let tail = "";
      for await (const text of child.stderr.pipeThrough(new TextDecoderStream())) {
        tail = (tail + text).slice(-STDERR_TAIL);
      }
      return tail;
    })();
    const framer = new Framer(options.frameMs, { startMs, startIndex: nextIndex });
    const holdUntil = live ? options.holdUntil : undefined;
    const arrivals = new ArrivalEstimate();
    // One buffer for every read, handed back and forth, rather than a new 64 KiB one per read:
    // the framer copies what it keeps.
    const reader = child.stdout.getReader({ mode: "byob" });
    let buffer = new ArrayBuffer(READ_BYTES);
    let bytes = 0;
    while (!stopped) {
      if (holdUntil) {
        let until = holdUntil();
        // The frames read reach the time asked for: what the consumer makes of them (speech may
        // have begun, or the next wait is known) decides the next read.
        if (until !== undefined && until <= framer.nextMs && framer.nextMs > startMs) {
          await queue.settled();
          until = holdUntil();
        }
        const at = until !== undefined && until > framer.nextMs
          ? arrivals.arrival(until)
          : undefined;
        const wait = at === undefined ? 0 : at - (clock() - origin);
        if (wait >= MIN_HOLD_MS) await hold(Math.min(wait, MAX_HOLD_MS));
        if (stopped) break;
      }
      const { value: chunk, done } = await reader.read(new Uint8Array(buffer));
      if (done || !chunk) break;
      buffer = chunk.buffer as ArrayBuffer;
      bytes += chunk.length;
      for (const frame of framer.push(chunk)) await queue.push(frame);
      audioEndMs = framer.nextMs;
      nextIndex = framer.nextIndex;
      if (holdUntil) arrivals.observe(framer.nextMs, clock() - origin);
    }
    if (stopped) await reader.cancel().catch(() => {});
    const { code } = await child.status;
    return { bytes, code, stderr: (await stderrText).trim(), ranMs: clock() - spawnedAt };
  };

  const done = (async () => {
    for (;;) {
      const { bytes, code, stderr, ranMs } = await runOnce();
      if (stopped) return;
      if (!live) {
        if (code !== 0 || bytes === 0) {
          throw new CaptureError(
            `Cannot decode '${options.input}' as audio with ${spec.tool}: ${
              lastLine(stderr, code)
            }`,
          );
        }
        return;
      }
      if (bytes > 0) heard = true;
      if (os === "linux" && spec.linuxBackend !== "alsa" && !heard) {
        // No PulseAudio (or PipeWire's pulse shim) here: open ALSA directly instead, with ffmpeg
        // or sox when the tool was parec. Only before any audio came: a sound server that gave
        // audio and stopped (restarting, say) is waited for, as any microphone that stops.
        // The first installed tool that can open ALSA, for a Linux machine with no sound server.
        const alsaTool = spec.tool === "parec"
          ? await firstAvailable(["ffmpeg", "sox"])
          : spec.tool;
        if (!alsaTool) {
          throw new CaptureError(
            `parec gave no audio (${
              lastLine(stderr, code)
            }) and neither ffmpeg nor sox is installed to open ALSA instead: start the sound server, or install ffmpeg`,
          );
        }
        log.warn("Capture through pulse gave no audio ({reason}); trying alsa with {tool}", {
          reason: stderr || `exit ${code}`,
          tool: alsaTool,
        });
        spec.tool = alsaTool;
        spec.linuxBackend = "alsa";
        continue;
      }
      const next = nextRestart({ restarts, ranMs }, {
        ...(options.maxRestarts !== undefined ? { maxRestarts: options.maxRestarts } : {}),
        ...(options.stableMs !== undefined ? { stableMs: options.stableMs } : {}),
      });
      if (!next) {
        throw new CaptureError(
          `The microphone capture (${spec.tool}) kept stopping (${
            lastLine(stderr, code)
          }): check the device with --list-devices or choose one with --device`,
        );
      }
      restarts = next.restarts;
      totalRestarts++;
      log.warn(
        "Capture stopped after {ran_ms} ms ({reason}); restarting in {delay_ms} ms (restart {restarts} in a row, {total} in all)",
        {
          reason: stderr || `exit ${code}`,
          ran_ms: Math.round(ranMs),
          delay_ms: next.delayMs,
          restarts,
          total: totalRestarts,
        },
      );
      await sleep(next.delayMs);
      if (stopped) return;
    }
  })();
  done.then(() => queue.end(), (err) => queue.end(err));
  return {
    frames: queue,
    done,
    stop() {
      stopped = true;
      endHold?.();
      // Stopping means now: audio buffered for pacing is not played out.
      queue.stop();
      try {
        child?.kill("SIGTERM");
      } catch { /* already gone */ }
    },
    restarts: () => restarts,
    totalRestarts: () => totalRestarts,
  };
}
