import { assertEquals } from "@shared/testing/asserts.ts";
import { sliceChunks, sliceStream } from "./audio_chunks.ts";

const i16 = (...v: number[]) => new Int16Array(v);

Deno.test("sliceChunks() copies a range across chunk boundaries", () => {
  const chunks = [i16(1, 2, 3), i16(4), i16(5, 6)];
  const cases: [number, number, number[]][] = [
    [0, 6, [1, 2, 3, 4, 5, 6]],
    [2, 5, [3, 4, 5]],
    [3, 4, [4]],
    [4, 4, []],
    [5, 3, []],
  ];
  for (const [from, to, expected] of cases) {
    assertEquals([...sliceChunks(chunks, from, to)], expected, `${from}..${to}`);
  }
});

Deno.test("sliceStream() places chunks by their offsets; gaps stay silent", () => {
  const stream = [{ at: 10, samples: i16(1, 2) }, { at: 14, samples: i16(5, 6) }];
  const cases: [number, number, number[]][] = [
    [10, 16, [1, 2, 0, 0, 5, 6]],
    [11, 15, [2, 0, 0, 5]],
    [8, 11, [0, 0, 1]],
    [20, 18, []],
  ];
  for (const [from, to, expected] of cases) {
    assertEquals([...sliceStream(stream, from, to)], expected, `${from}..${to}`);
  }
});
