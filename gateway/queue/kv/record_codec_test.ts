import { assertEquals, assertThrows } from "@shared/testing/asserts.ts";
import { TaskSpec } from "@shared/schemas/mod.ts";
import { createJob } from "../job_ops.ts";
import {
  CHUNK_BYTES,
  decodeJob,
  encodeJob,
  inlineJob,
  isChunked,
  MAX_RECORD_BYTES,
  RecordTooLargeError,
} from "./record_codec.ts";

const JOB_ID = "01J0000000000000000000JOB1";

function jobWith(text: string) {
  const spec = TaskSpec.parse({ intent: "echo", instruction: "x", params: { text } });
  return createJob(JOB_ID, "utt-1", { spec, max_attempts: 1 }, 0);
}

const overhead = JSON.stringify(jobWith("")).length;
const table: [name: string, text: string, chunks: number][] = [
  ["a small record stays inline", "hello", 0],
  ["a record at the inline limit stays inline", "a".repeat(CHUNK_BYTES - overhead), 0],
  ["one byte over the inline limit is chunked", "a".repeat(CHUNK_BYTES - overhead + 1), 2],
  ["two-byte text counts its UTF-8 bytes", "é".repeat(CHUNK_BYTES), 3],
  ["the largest record fits in the last chunk", "a".repeat(MAX_RECORD_BYTES - overhead), 9],
];

for (const [name, text, chunks] of table) {
  Deno.test(`encodeJob(): ${name}`, () => {
    const job = jobWith(text);
    const encoded = encodeJob(job);
    assertEquals(encoded.chunks.length, chunks);
    assertEquals(isChunked(encoded.head), chunks > 0);
    for (const c of encoded.chunks) assertEquals(c.length <= CHUNK_BYTES, true);
    const back = isChunked(encoded.head)
      ? decodeJob(encoded.head, encoded.chunks)
      : inlineJob(encoded.head);
    assertEquals(back, job);
  });
}

Deno.test("encodeJob(): the head keeps the fields list() filters on", () => {
  const { head } = encodeJob(jobWith("a".repeat(CHUNK_BYTES)));
  assertEquals(head, {
    $chunks: 2,
    job_id: JOB_ID,
    utterance_id: "utt-1",
    intent: "echo",
    status: "queued",
  });
});

Deno.test("encodeJob(): a record over the limit is refused with its size", () => {
  const job = jobWith("a".repeat(MAX_RECORD_BYTES - overhead + 1));
  assertThrows(
    () => encodeJob(job),
    RecordTooLargeError,
    `Cannot store job '${JOB_ID}' as its record is ${
      MAX_RECORD_BYTES + 1
    } bytes: the kv queue holds at most ${MAX_RECORD_BYTES} bytes per job`,
  );
});

Deno.test("decodeJob(): a missing chunk is an error, not a truncated record", () => {
  const { head, chunks } = encodeJob(jobWith("a".repeat(CHUNK_BYTES * 2)));
  if (!isChunked(head)) throw new Error("expected a chunked record");
  assertThrows(
    () => decodeJob(head, [chunks[0]!, null, chunks[2]!]),
    TypeError,
    `Cannot read job '${JOB_ID}' as 2 of its 3 chunks are present`,
  );
});

Deno.test("inlineJob(): a record stored as JSON bytes and one stored as an object read alike", () => {
  const job = jobWith("héllo");
  const { head } = encodeJob(job);
  if (!(head instanceof Uint8Array)) throw new Error("expected JSON bytes");
  assertEquals(new TextDecoder().decode(head), JSON.stringify(job));
  assertEquals(inlineJob(head), job);
  assertEquals(inlineJob(job), job);
  assertEquals(inlineJob(null), null);
});
