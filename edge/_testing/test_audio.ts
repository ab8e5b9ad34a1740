/**
 * @module
 * Synthetic 16 kHz audio for tests and benchmarks: tone bursts cut into 20 ms frames, so
 * that each "utterance" has a distinct length (the stand-in tells them apart by their audio),
 * and the audio front's events of one spoken segment, to feed a `SegmentSink` as the VAD would.
 */
import type { FrontEvent } from "../front/audio_front.ts";

/** Samples per 20 ms frame at 16 kHz. */
export const FRAME_SAMPLES = 320;

/** A tone of `ms` milliseconds at 16 kHz, as 20 ms frames (the last one may be shorter). */
export function toneFrames(ms: number, freq = 440, amplitude = 8000): Int16Array[] {
  const total = Math.round(ms * 16);
  const frames: Int16Array[] = [];
  for (let at = 0; at < total; at += FRAME_SAMPLES) {
    const n = Math.min(FRAME_SAMPLES, total - at);
    const frame = new Int16Array(n);
    for (let i = 0; i < n; i++) {
      frame[i] = Math.round(amplitude * Math.sin((2 * Math.PI * freq * (at + i)) / 16_000));
    }
    frames.push(frame);
  }
  return frames;
}

/** `ms` of silence as 20 ms frames. */
export function silenceFrames(ms: number): Int16Array[] {
  const frames: Int16Array[] = [];
  for (let left = Math.round(ms * 16); left > 0; left -= FRAME_SAMPLES) {
    frames.push(new Int16Array(Math.min(FRAME_SAMPLES, left)));
  }
  return frames;
}

/**
 * The front's events of one speech segment made of `frames`, as the VAD reports it: the
 * start (with `preroll`, the audio before the detected start), the audio, the end.
 */
export function speechEvents(
  frames: readonly Int16Array[],
  preroll: Int16Array = new Int16Array(0),
  startMs = 0,
): FrontEvent[] {
  const events: FrontEvent[] = [{
    type: "speech_start",
    start_ms: startMs,
    at_ms: startMs,
    preroll,
  }];
  let t = startMs;
  const audio: Int16Array[] = [preroll];
  for (const samples of frames) {
    events.push({ type: "speech_audio", samples, t_ms: t });
    audio.push(samples);
    t += samples.length / 16;
  }
  const all = new Int16Array(audio.reduce((n, a) => n + a.length, 0));
  let at = 0;
  for (const a of audio) {
    all.set(a, at);
    at += a.length;
  }
  events.push({ type: "speech_end", start_ms: startMs, end_ms: t, at_ms: t, audio: all });
  return events;
}
