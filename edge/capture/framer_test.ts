import { assertEquals, assertThrows } from "@shared/testing/asserts.ts";
import { Framer, InvalidFrameSizeError } from "./framer.ts";

function pcm(n: number, start = 0): Uint8Array {
  const out = new Uint8Array(n * 2);
  const v = new DataView(out.buffer);
  for (let i = 0; i < n; i++) v.setInt16(i * 2, (start + i) % 30000 - 15000, true);
  return out;
}

function feed(framer: Framer, bytes: Uint8Array, chunk: number) {
  const frames = [];
  for (let i = 0; i < bytes.length; i += chunk) {
    frames.push(...framer.push(bytes.subarray(i, i + chunk)));
  }
  return frames;
}

const table: [string, number, number, number][] = [
  // name, frame ms, chunk size in bytes, samples in the stream
  ["one byte at a time", 20, 1, 1000],
  ["641-byte chunks split samples", 20, 641, 3200],
  ["one big chunk", 30, 1 << 20, 4800],
  ["10 ms frames from 3-byte chunks", 10, 3, 640],
  ["odd total leaves a partial frame", 20, 7, 700],
  // More frames than share one block of memory: earlier frames keep their samples.
  ["sound-server fragments over several blocks", 20, 1600, 320 * 200 + 17],
  ["30 ms frames over several blocks", 30, 4096, 480 * 150],
];

for (const [name, ms, chunk, samples] of table) {
  Deno.test(`Framer: ${name}`, () => {
    const framer = new Framer(ms);
    const bytes = pcm(samples);
    const frames = feed(framer, bytes, chunk);
    const per = (16000 * ms) / 1000;
    assertEquals(frames.length, Math.floor(samples / per));
    assertEquals(framer.pendingBytes, (samples % per) * 2);
    // Frames are contiguous, exact and timestamped from the sample count.
    const joined = new Int16Array(frames.length * per);
    frames.forEach((f, i) => {
      assertEquals(f.index, i);
      assertEquals(f.t_ms, i * ms);
      joined.set(f.samples, i * per);
    });
    assertEquals(joined, new Int16Array(bytes.buffer.slice(0, joined.length * 2)));
  });
}

Deno.test("Framer rejects a frame size other than 10, 20 or 30 ms", () => {
  assertThrows(
    () => new Framer(25),
    InvalidFrameSizeError,
    "Cannot frame audio as 'frameMs' must be 10, 20 or 30: current value is 25",
  );
});

Deno.test("Framer continues a session's clock and numbering from where it is told to start", () => {
  const framer = new Framer(30, { startMs: 1234, startIndex: 41 });
  assertEquals([framer.nextMs, framer.nextIndex], [1234, 41]);
  const frames = feed(framer, pcm(480 * 3 + 100), 1000);
  assertEquals(frames.map((f) => [f.index, f.t_ms]), [[41, 1234], [42, 1264], [43, 1294]]);
  assertEquals([framer.nextMs, framer.nextIndex], [1324, 44]);
});
