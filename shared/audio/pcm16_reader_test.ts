import { assertEquals } from "../testing/asserts.ts";
import { Pcm16Reader } from "./pcm16_reader.ts";

Deno.test("Pcm16Reader joins a sample split across pieces and keeps every sample once", () => {
  const samples = Int16Array.from([1, -2, 300, -32768, 32767]);
  const bytes = new Uint8Array(samples.buffer);
  const reader = new Pcm16Reader();
  const out: number[] = [];
  // Pieces of 3, 1, 0 and 6 bytes: two splits fall inside a sample.
  for (const [a, b] of [[0, 3], [3, 4], [4, 4], [4, 10]]) {
    out.push(...reader.push(bytes.subarray(a, b)));
  }
  assertEquals(out, [...samples]);
});
