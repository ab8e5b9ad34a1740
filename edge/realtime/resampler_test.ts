import { assert, assertAlmostEquals, assertEquals, assertThrows } from "@shared/testing/asserts.ts";
import { InvalidResamplerOptionsError, Resampler16to24 } from "./resampler.ts";

function sine(freq: number, rate: number, samples: number, amplitude = 12_000): Int16Array {
  const out = new Int16Array(samples);
  for (let i = 0; i < samples; i++) {
    out[i] = Math.round(amplitude * Math.sin((2 * Math.PI * freq * i) / rate));
  }
  return out;
}

/** Frequency from the count of rising zero crossings, skipping the filter's start-up. */
function zeroCrossingFrequency(x: Int16Array, rate: number, skip: number): number {
  let first = -1;
  let last = -1;
  let count = 0;
  for (let i = skip + 1; i < x.length; i++) {
    if (x[i - 1]! < 0 && x[i]! >= 0) {
      // Sub-sample position of the crossing by linear interpolation.
      const pos = i - 1 + -x[i - 1]! / (x[i]! - x[i - 1]!);
      if (first < 0) first = pos;
      else count++;
      last = pos;
    }
  }
  return (count * rate) / (last - first);
}

function peak(x: Int16Array, skip: number): number {
  let p = 0;
  for (let i = skip; i < x.length; i++) p = Math.max(p, Math.abs(x[i]!));
  return p;
}

function resampleChunked(input: Int16Array, sizes: readonly number[]): Int16Array {
  const r = new Resampler16to24();
  const parts: Int16Array[] = [];
  let at = 0;
  let i = 0;
  while (at < input.length) {
    const n = Math.min(sizes[i++ % sizes.length]!, input.length - at);
    parts.push(r.process(input.subarray(at, at + n)));
    at += n;
  }
  const out = new Int16Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

Deno.test("Resampler16to24 keeps the frequency and amplitude of a sine", () => {
  for (const freq of [200, 440, 1000, 3000, 5000]) {
    const input = sine(freq, 16_000, 16_000);
    const out = new Resampler16to24().process(input);
    assertEquals(out.length, 24_000, `length for ${freq} Hz`);
    const measured = zeroCrossingFrequency(out, 24_000, 200);
    assertAlmostEquals(measured, freq, freq * 0.002, `frequency of ${freq} Hz`);
    assertAlmostEquals(peak(out, 200), 12_000, 12_000 * 0.02, `amplitude of ${freq} Hz`);
  }
});

Deno.test("Resampler16to24 gives 480 samples per 20 ms frame", () => {
  const r = new Resampler16to24();
  for (let i = 0; i < 10; i++) assertEquals(r.process(new Int16Array(320)).length, 480);
});

Deno.test("Resampler16to24 output is identical chunked or in one piece (no boundary clicks)", () => {
  const input = sine(1000, 16_000, 8_000);
  const whole = new Resampler16to24().process(input);
  for (const sizes of [[320], [1], [7, 13, 320, 1, 999], [160, 161]]) {
    const chunked = resampleChunked(input, sizes);
    assertEquals(chunked.length, whole.length, `length with chunks ${sizes}`);
    assertEquals(chunked, whole, `samples with chunks ${sizes}`);
  }
  // No step anywhere larger than the steepest slope of the sine itself (plus rounding).
  const chunked = resampleChunked(input, [320]);
  const maxSlope = (2 * Math.PI * 1000 * 12_000) / 24_000;
  for (let i = 201; i < chunked.length; i++) {
    const step = Math.abs(chunked[i]! - chunked[i - 1]!);
    assert(step <= maxSlope * 1.03 + 2, `step of ${step} at sample ${i} (max ${maxSlope})`);
  }
});

Deno.test("Resampler16to24 reset() starts a new stream", () => {
  const r = new Resampler16to24();
  const input = sine(440, 16_000, 640);
  const a = r.process(input);
  r.reset();
  const b = r.process(input);
  assertEquals(a, b);
});

Deno.test("Resampler16to24 clamps instead of wrapping around on full-scale input", () => {
  const square = new Int16Array(3200);
  for (let i = 0; i < square.length; i++) square[i] = (i >> 5) % 2 === 0 ? 32767 : -32768;
  const out = new Resampler16to24().process(square);
  // Gibbs overshoot would exceed the Int16 range; wrapped samples would flip sign mid-plateau.
  let wrapped = 0;
  for (let i = 100; i < out.length - 1; i++) {
    if (Math.abs(out[i + 1]! - out[i]!) > 40_000) wrapped++;
  }
  assertEquals(wrapped, 0);
});

Deno.test("Resampler16to24 rejects options the filter cannot be built from", () => {
  assertThrows(
    () => new Resampler16to24({ tapsPerPhase: 1 }),
    InvalidResamplerOptionsError,
    "Cannot build the resampler as 'tapsPerPhase' must be an integer of at least 2: current value is 1",
  );
  assertThrows(
    () => new Resampler16to24({ cutoffHz: 9000 }),
    InvalidResamplerOptionsError,
    "'cutoffHz' must be in (0, 8000]: current value is 9000",
  );
});
