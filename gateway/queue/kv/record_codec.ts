/**
 * @module
 * How a job record is laid out in Deno KV. A record is stored as the UTF-8 bytes of its JSON
 * (index version 4): Deno KV passes any other value through V8's serializer, which cost the
 * gateway's thread about twice as much per record as `JSON.stringify` plus `TextEncoder`, and the
 * JSON is made anyway to size the record. Records written as objects before stay readable.
 *
 * A KV value holds at most 64 KiB, but a job record can be larger (a 60 KB instruction echoed
 * back in its result). A large one becomes a head (the fields `list()` filters on, plus a chunk
 * count) and its JSON in chunks under their own keys, all written in the same atomic operation.
 */
import type { JobRecord, JobState } from "@shared/schemas/mod.ts";
import { QueueError } from "../queue.ts";

/** Bytes of JSON per chunk, and the most a record stored inline has (limit 65,536 bytes). */
export const CHUNK_BYTES = 60_000;

/**
 * Chunks per record: the head and its chunks are read in one `getMany` (at most 10 keys) so the
 * read is one consistent snapshot.
 */
export const MAX_CHUNKS = 9;

/** The largest record the kv backend stores, in bytes of JSON. */
export const MAX_RECORD_BYTES = CHUNK_BYTES * MAX_CHUNKS;

/** Stands in for a record stored in chunks. */
export interface ChunkedHead {
  $chunks: number;
  job_id: string;
  utterance_id: string;
  intent: string;
  status: JobState;
}

/** A record as stored: its JSON bytes, the head of its chunks, or (before version 4) itself. */
export type StoredJob = Uint8Array | ChunkedHead | JobRecord;

/** Thrown when a record exceeds {@linkcode MAX_RECORD_BYTES}. */
export class RecordTooLargeError extends QueueError {
  override name = "RecordTooLargeError";
  constructor(readonly jobId: string, readonly bytes: number) {
    super(
      `Cannot store job '${jobId}' as its record is ${bytes} bytes: the kv queue holds at most ${MAX_RECORD_BYTES} bytes per job`,
    );
  }
}

export function isChunked(value: StoredJob): value is ChunkedHead {
  return !(value instanceof Uint8Array) && "$chunks" in value;
}

/** Chunk count of a stored value (0 for inline records and for nothing). */
export function chunkCount(value: StoredJob | null): number {
  return value && isChunked(value) ? value.$chunks : 0;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * A record (job or utterance) as stored from index version 4: its JSON bytes. An utterance holds
 * at most 8,000 characters of text and 32 job ids, well below a value's 64 KiB even with every
 * character escaped; a job may need chunks (see {@linkcode encodeJob}).
 */
export function toStored(record: object): Uint8Array {
  return encoder.encode(JSON.stringify(record));
}

/** A record as read: JSON bytes, or (before version 4) the record itself; null for nothing. */
export function fromStored<T extends object>(value: Uint8Array | T | null): T | null {
  return value instanceof Uint8Array ? JSON.parse(decoder.decode(value)) : value;
}

/** The record of a job value stored inline (not chunked); null for nothing. */
export const inlineJob: (value: Exclude<StoredJob, ChunkedHead> | null) => JobRecord | null =
  fromStored;

/**
 * Splits a record into the head to store at its key (its JSON bytes when it fits in one value)
 * and the chunks (none when inline), with the bytes they take in a commit.
 */
export function encodeJob(
  job: JobRecord,
): { head: StoredJob; chunks: Uint8Array[]; bytes: number } {
  const bytes = toStored(job);
  if (bytes.length <= CHUNK_BYTES) return { head: bytes, chunks: [], bytes: bytes.length };
  if (bytes.length > MAX_RECORD_BYTES) throw new RecordTooLargeError(job.job_id, bytes.length);
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += CHUNK_BYTES) chunks.push(bytes.slice(i, i + CHUNK_BYTES));
  return {
    head: {
      $chunks: chunks.length,
      job_id: job.job_id,
      utterance_id: job.utterance_id,
      intent: job.intent,
      status: job.status,
    },
    chunks,
    bytes: bytes.length + 200,
  };
}

/** Reassembles a chunked record; `chunks` must be the ones written with this head. */
export function decodeJob(head: ChunkedHead, chunks: readonly (Uint8Array | null)[]): JobRecord {
  if (chunks.length !== head.$chunks || chunks.some((c) => c === null)) {
    throw new TypeError(
      `Cannot read job '${head.job_id}' as ${
        chunks.filter((c) => c !== null).length
      } of its ${head.$chunks} chunks are present`,
    );
  }
  const whole = new Uint8Array(chunks.reduce((n, c) => n + c!.length, 0));
  let at = 0;
  for (const c of chunks) {
    whole.set(c!, at);
    at += c!.length;
  }
  return JSON.parse(decoder.decode(whole));
}
