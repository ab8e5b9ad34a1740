/**
 * @module
 * The edge's audio front as one library call: capture subprocess → frames → Silero VAD →
 * speech events. A microphone's frames come in the capture tool's bursts (a file's at its
 * pace), each with its capture timestamp, so every time here is the audio's own.
 * `--vad-only` prints its segments; the streaming mode feeds them to the realtime transcriber.
 */
import { getLogger } from "@logtape/logtape";
import { type Capture, resolveTool, startCapture } from "../capture/capture.ts";
import type { CaptureTool } from "../capture/capture_command.ts";
import type { Frame } from "../capture/framer.ts";
import { Segmenter, type SegmentEvent, type SpeechModel } from "../speech/segmenter.ts";
import { SileroVad, type VadRuntimeChoice } from "../speech/silero_vad.ts";
import type { VadSettings } from "../speech/vad_state.ts";
import { latencySummary } from "./latency_summary.ts";

const log = getLogger(["edge", "vad"]);

export interface AudioFrontOptions {
  capture: "auto" | CaptureTool;
  input?: string;
  device?: string;
  frameMs: 10 | 20 | 30;
  pace: boolean;
  /** `off` passes all audio through with no segments. */
  vad: "silero" | "off";
  vadSettings?: Partial<VadSettings>;
  modelPath?: string;
  /** ONNX runtime for Silero. @default "auto" (native, else WASM) */
  vadRuntime?: VadRuntimeChoice;
}

/** Counters of a running front. */
export interface FrontStats {
  frames: number;
  dropped: number;
  restarts: number;
  segments: number;
  inference_ms: number[];
}

/**
 * What the front reports, in capture order. `frame` comes for every frame (all audio, whatever
 * the VAD says); `speech_start` carries the pre-roll (padding plus the frames that confirmed the
 * start) and `speech_audio` each frame after it until `speech_end`. The stream always finishes
 * with `ended`, preceded by `error` when the capture failed for good.
 */
export type FrontEvent =
  | { type: "frame"; frame: Frame; level: number }
  | SegmentEvent
  | { type: "dropped"; count: number; total: number }
  | { type: "error"; error: Error }
  | { type: "ended"; stats: FrontStats };

export interface AudioFront {
  events: AsyncIterable<FrontEvent>;
  stop(): void;
  stats(): FrontStats;
  close(): Promise<void>;
}

/** RMS level of a frame in dBFS (−100 for silence). */
export function levelDb(samples: Int16Array): number {
  let sum = 0;
  for (const s of samples) sum += s * s;
  const rms = Math.sqrt(sum / Math.max(1, samples.length)) / 32768;
  return rms > 0 ? Math.max(-100, 20 * Math.log10(rms)) : -100;
}

/** Audio time between two inference latency summaries in the trace log. */
const LATENCY_SUMMARY_EVERY_MS = 60_000;

export async function startAudioFront(options: AudioFrontOptions): Promise<AudioFront> {
  const tool = await resolveTool(options.capture, { input: options.input });
  const vad = options.vad === "silero"
    ? await SileroVad.load(options.modelPath, { runtime: options.vadRuntime ?? "auto" })
    : null;
  // Times since the last summary, so a long live session keeps reporting its latency.
  let recent: number[] = [];
  let summarizedAt = 0;
  let audioEndMs = 0;
  const model: SpeechModel | null = vad && {
    async probability(window) {
      const started = performance.now();
      const p = await vad.probability(window);
      recent.push(performance.now() - started);
      return p;
    },
    reset: () => vad.reset(),
  };
  const summarize = (audioMs: number) => {
    if (recent.length === 0) return;
    log.info(
      "VAD inference over {windows} windows: p50 {p50_ms} ms, p99 {p99_ms} ms, max {max_ms} ms",
      { ...latencySummary(recent), runtime: vad?.runtime, audio_ms: audioMs },
    );
    recent = [];
    summarizedAt = audioMs;
  };
  const segmenter = model ? new Segmenter(model, options.vadSettings) : null;
  let capture: Capture;
  try {
    capture = await startCapture({
      tool,
      frameMs: options.frameMs,
      pace: options.pace,
      ...(options.input ? { input: options.input } : {}),
      ...(options.device ? { device: options.device } : {}),
      // While quiet, a microphone's frames before the segmenter could give an event are read
      // together: fewer wake-ups, and no event later.
      ...(segmenter ? { holdUntil: () => segmenter.idleUntil_ms } : {}),
    });
  } catch (err) {
    await vad?.close();
    throw err;
  }
  log.info("Audio front started: {tool}, {frame_ms} ms frames, VAD {vad}", {
    tool,
    frame_ms: options.frameMs,
    vad: options.vad,
    input: options.input ?? "microphone",
  });
  let frames = 0;
  let segments = 0;
  let reportedDropped = 0;
  const stats = (): FrontStats => ({
    frames,
    dropped: capture.frames.dropped,
    restarts: capture.totalRestarts(),
    segments,
    inference_ms: vad?.timings ?? [],
  });
  async function* events(): AsyncGenerator<FrontEvent> {
    let failure: Error | undefined;
    try {
      for await (const frame of capture.frames) {
        frames++;
        audioEndMs = frame.t_ms + options.frameMs;
        const dropped = capture.frames.dropped;
        if (dropped > reportedDropped) {
          log.warn("Dropped {count} frames (consumer behind), {total} in all", {
            count: dropped - reportedDropped,
            total: dropped,
          });
          yield { type: "dropped", count: dropped - reportedDropped, total: dropped };
          reportedDropped = dropped;
        }
        yield { type: "frame", frame, level: levelDb(frame.samples) };
        if (!segmenter) continue;
        for (const e of await segmenter.push(frame)) {
          if (e.type === "speech_end") segments++;
          if (e.type === "transition") {
            log.info("VAD {from} → {to} at {at_ms} ms", { from: e.from, to: e.to, at_ms: e.at_ms });
          }
          yield e;
        }
        if (frame.t_ms - summarizedAt >= LATENCY_SUMMARY_EVERY_MS) summarize(frame.t_ms);
      }
    } catch (err) {
      failure = err instanceof Error ? err : new Error(String(err));
    }
    if (segmenter) {
      for (const e of await segmenter.flush()) {
        if (e.type === "speech_end") segments++;
        yield e;
      }
      summarize(audioEndMs);
    }
    if (failure) yield { type: "error", error: failure };
    yield { type: "ended", stats: stats() };
  }
  return {
    events: events(),
    stop: () => capture.stop(),
    stats,
    close: async () => {
      capture.stop();
      await vad?.close();
    },
  };
}
