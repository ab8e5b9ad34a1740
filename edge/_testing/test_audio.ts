/**
 * @module
 * Synthetic 16 kHz audio for tests and benchmarks: tone bursts cut into 20 ms frames, so
 * that each "utterance" has a distinct length (the stand-in tells them apart by their audio).
 */

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
