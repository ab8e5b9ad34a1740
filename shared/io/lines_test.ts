import { assertEquals } from "../testing/asserts.ts";
import { readLines } from "./lines.ts";

function streamOf(...chunks: string[]): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  return ReadableStream.from(chunks.map((c) => enc.encode(c)));
}

const cases: [string, string[], string[]][] = [
  ["one chunk", ["a\nb\n"], ["a", "b"]],
  ["split lines", ["a", "b\nc", "\n"], ["ab", "c"]],
  ["crlf", ["a\r\nb\r\n"], ["a", "b"]],
  ["no trailing newline", ["a\nb"], ["a", "b"]],
  ["split multibyte character", ["\xe2", "x"], ["\xe2x"]],
];
for (const [name, chunks, expected] of cases) {
  Deno.test(`readLines(): ${name}`, async () => {
    const out: string[] = [];
    for await (const line of readLines(streamOf(...chunks))) out.push(line);
    assertEquals(out, expected);
  });
}

Deno.test("readLines(): a UTF-8 character split across chunks is kept whole", async () => {
  const bytes = new TextEncoder().encode("é\n");
  const stream = ReadableStream.from([bytes.slice(0, 1), bytes.slice(1)]);
  const out: string[] = [];
  for await (const line of readLines(stream)) out.push(line);
  assertEquals(out, ["é"]);
});
