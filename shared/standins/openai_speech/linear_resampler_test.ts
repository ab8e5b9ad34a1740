import { assertEquals, assertThrows } from "@shared/testing/asserts.ts";
import { InvalidRateError, LinearResampler, resampleLinear } from "./linear_resampler.ts";

Deno.test("resampleLinear() keeps the length ratio and interpolates between samples", () => {
  const ramp = Int16Array.from({ length: 22_050 }, (_, i) => i % 1000);
  const out = resampleLinear(ramp, 22_050, 24_000);
  assertEquals(Math.abs(out.length - 24_000) <= 1, true, String(out.length));
  // Doubling a ramp puts the midpoints between neighbours.
  assertEquals([...resampleLinear(Int16Array.of(0, 10, 20), 1, 2)], [0, 5, 10, 15, 20]);
});

Deno.test("LinearResampler gives the same samples chunk by chunk as in one piece, no gaps at borders", () => {
  const input = Int16Array.from({ length: 5000 }, (_, i) => Math.round(8000 * Math.sin(i / 7)));
  const whole = resampleLinear(input, 22_050, 24_000);
  const r = new LinearResampler(22_050, 24_000);
  const parts: number[] = [];
  for (let at = 0; at < input.length; at += 333) {
    parts.push(...r.push(input.subarray(at, at + 333)));
  }
  assertEquals(parts.length, whole.length);
  // Equal up to the rounding of the fractional position (at most one step of 16-bit PCM).
  assertEquals(Math.max(...parts.map((v, i) => Math.abs(v - whole[i]!))) <= 1, true);
});

Deno.test("LinearResampler refuses a rate that is not a positive integer", () => {
  const error = assertThrows(() => new LinearResampler(0, 24_000), InvalidRateError);
  assertEquals(
    error.message,
    "Cannot resample as 'fromRate' must be a positive integer: current value is 0",
  );
});
