/**
 * @module
 * What a completed transcription of a held segment becomes: the {@linkcode FinalTranscript}
 * the transcriber emits and its `transcript.final` trace, or nothing to say when the text is
 * empty. Pure: the caller passes the clock reading.
 */
import { SAMPLES_PER_MS } from "./audio_chunks.ts";
import type { Segment } from "./segment_store.ts";
import type { TranscriptUsage } from "./server_events.ts";
import type { FinalTranscript } from "./transcriber_types.ts";
import type { EdgeTraceInput } from "../support/edge_trace.ts";

/** The provider's `completed` event of a segment. */
export interface Completion {
  itemId: string;
  text: string;
  usage: TranscriptUsage | undefined;
  model: string;
  /** `performance.now()` when it arrived. */
  now: number;
}

/** A transcript, with its trace; `empty` when the segment said nothing. */
export type FinalOutcome =
  | { kind: "final"; final: FinalTranscript; trace: EdgeTraceInput }
  | { kind: "empty" };

/** The outcome of `seg`'s transcription. */
export function finalTranscript(seg: Segment, done: Completion): FinalOutcome {
  const trimmed = done.text.trim();
  if (trimmed.length === 0) return { kind: "empty" };
  const final: FinalTranscript = {
    utterance_id: seg.id,
    text: trimmed,
    item_id: done.itemId,
    model: done.model,
    audio_ms: seg.samples / SAMPLES_PER_MS,
    received_at: done.now,
  };
  if (done.usage) final.usage = done.usage;
  // A re-sent segment's latency counts the failed attempt too: it says nothing of the speed.
  if (seg.endedAt !== undefined && seg.retries === 0) {
    final.speech_end_to_final_ms = done.now - seg.endedAt;
  }
  const trace: EdgeTraceInput = {
    source: "edge.realtime",
    event: "transcript.final",
    utterance_id: seg.id,
    ...(final.speech_end_to_final_ms !== undefined
      ? { duration_ms: final.speech_end_to_final_ms }
      : {}),
    data: { chars: trimmed.length, audio_ms: final.audio_ms, retries: seg.retries },
  };
  return { kind: "final", final, trace };
}
