/**
 * @module
 * Runs the capture subprocess and turns its stdout into steady frames. Errors name their fix:
 * a missing tool, a missing or undecodable file, a microphone that stops (restarted with
 * backoff while live).
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
import { FrameQueue } from "./frame_queue.ts";
import { Framer } from "./framer.ts";

const log = getLogger(["edge", "capture"]);

export class CaptureError extends Error {
  override name = "CaptureError";
}

const INSTALL_HINT: Record<CaptureTool, string> = {
  ffmpeg:
    "install ffmpeg (Debian/Ubuntu: apt-get install ffmpeg; Windows: winget install ffmpeg; macOS: brew install ffmpeg) or use --capture sox",
  sox:
    "install sox (Debian/Ubuntu: apt-get install sox; Windows: winget install ChrisBagwell.SoX; macOS: brew install sox) or use --capture ffmpeg",
};

/** Whether `tool` can be started. */
export async function toolAvailable(tool: CaptureTool): Promise<boolean> {
  try {
    const out = await new Deno.Command(tool, {
      args: [tool === "sox" ? "--version" : "-version"],
      stdout: "null",
      stderr: "null",
    }).output();
    return out.success;
  } catch {
    return false;
  }
}

/** `auto` → ffmpeg when installed, else sox; a named tool must be installed. */
export async function resolveTool(choice: "auto" | CaptureTool): Promise<CaptureTool> {
  if (choice !== "auto") {
    if (!(await toolAvailable(choice))) {
      throw new CaptureError(`${choice} was not found on PATH: ${INSTALL_HINT[choice]}`);
    }
    return choice;
  }
  for (const tool of ["ffmpeg", "sox"] as const) if (await toolAvailable(tool)) return tool;
  throw new CaptureError(
    "Neither ffmpeg nor sox was found on PATH: install one (Debian/Ubuntu: apt-get install ffmpeg sox; Windows: winget install ffmpeg; macOS: brew install ffmpeg)",
  );
}

export interface CaptureOptions {
  tool: CaptureTool;
  input?: string;
  device?: string;
  frameMs: 10 | 20 | 30;
  /**
   * Release a file's frames in real time. A microphone is real time already; its bursts are
   * always re-paced into steady frames by a jitter buffer.
   */
  pace: boolean;
  os?: Os;
  /** Live restarts before giving up. @default 5 */
  maxRestarts?: number;
}

export interface Capture {
  frames: FrameQueue;
  /** Resolves when capture ended (file done), rejects with a CaptureError. */
  done: Promise<void>;
  stop(): void;
  restarts(): number;
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

export async function startCapture(options: CaptureOptions): Promise<Capture> {
  const os = options.os ??
    (Deno.build.os === "windows" ? "windows" : Deno.build.os === "darwin" ? "darwin" : "linux");
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
  const queue = new FrameQueue({
    policy: live ? "drop" : "block",
    capacity: live ? 50 : 200,
    // A microphone's bursts are always re-paced; a file is paced unless --no-pace.
    ...(live ? { jitter: { frameMs: options.frameMs } } : {}),
    ...(options.pace && !live ? { paceMs: options.frameMs } : {}),
  });
  let child: Deno.ChildProcess | undefined;
  let stopped = false;
  let restarts = 0;
  const spec: CaptureSpec = {
    tool: options.tool,
    os,
    ...(options.input ? { input: options.input } : {}),
    ...(device ? { device } : {}),
  };

  const runOnce = async (): Promise<{ bytes: number; code: number; stderr: string }> => {
    const { cmd, args } = captureCommand(spec);
    try {
      child = new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped", stdin: "null" })
        .spawn();
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) {
        throw new CaptureError(`${cmd} was not found on PATH: ${INSTALL_HINT[options.tool]}`);
      }
      throw new CaptureError(`Cannot start ${cmd}: ${err instanceof Error ? err.message : err}`);
    }
    const stderrText = new Response(child.stderr).text();
    const framer = new Framer(options.frameMs);
    let bytes = 0;
    for await (const chunk of child.stdout) {
      bytes += chunk.length;
      for (const frame of framer.push(chunk)) await queue.push(frame);
      if (stopped) break;
    }
    const { code } = await child.status;
    return { bytes, code, stderr: (await stderrText).trim() };
  };

  const done = (async () => {
    for (;;) {
      const { bytes, code, stderr } = await runOnce();
      if (stopped) return;
      if (!live) {
        if (code !== 0 || bytes === 0) {
          const detail = stderr.split("\n").filter(Boolean).slice(-1)[0] ?? `exit code ${code}`;
          throw new CaptureError(
            `Cannot decode '${options.input}' as audio with ${options.tool}: ${detail}`,
          );
        }
        return;
      }
      if (os === "linux" && spec.linuxBackend !== "alsa" && bytes === 0) {
        // No PulseAudio (or PipeWire's pulse shim) here: open ALSA directly instead.
        log.warn("Capture through pulse gave no audio ({reason}); trying alsa", {
          reason: stderr || `exit ${code}`,
        });
        spec.linuxBackend = "alsa";
        continue;
      }
      restarts++;
      if (restarts > (options.maxRestarts ?? 5)) {
        const detail = stderr.split("\n").filter(Boolean).slice(-1)[0] ?? `exit code ${code}`;
        throw new CaptureError(
          `The microphone capture (${options.tool}) kept stopping (${detail}): check the device with --list-devices or choose one with --device`,
        );
      }
      const delay = Math.min(200 * 2 ** restarts, 5000);
      log.warn("Capture stopped ({reason}); restarting in {delay_ms} ms (restart {restarts})", {
        reason: stderr || `exit ${code}`,
        delay_ms: delay,
        restarts,
      });
      await new Promise((r) => setTimeout(r, delay));
    }
  })();
  done.then(() => queue.end(), (err) => queue.end(err));
  return {
    frames: queue,
    done,
    stop() {
      stopped = true;
      // Stopping means now: audio buffered for pacing is not played out.
      queue.stop();
      try {
        child?.kill("SIGTERM");
      } catch { /* already gone */ }
    },
    restarts: () => restarts,
  };
}
