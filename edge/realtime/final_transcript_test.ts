import { assertEquals } from "@shared/testing/asserts.ts";
import { finalTranscript } from "./final_transcript.ts";
import type { Segment } from "./segment_store.ts";

const seg = (retries: number): Segment => ({
  id: "u1",
  kind: "client",
  state: "committed",
  chunks: [],
  samples: 24_000,
  sentSamples: 0,
  retries,
  partial: "",
  endedAt: 1000,
});

Deno.test("finalTranscript() trims the text, times it from speech end, and says nothing for blank text", () => {
  const done = {
    itemId: "item_1",
    text: "  hello there ",
    usage: undefined,
    model: "m",
    now: 1250,
  };
  assertEquals(finalTranscript(seg(0), done), {
    kind: "final",
    final: {
      utterance_id: "u1",
      text: "hello there",
      item_id: "item_1",
      model: "m",
      audio_ms: 1000,
      received_at: 1250,
      speech_end_to_final_ms: 250,
    },
    trace: {
      source: "edge.realtime",
      event: "transcript.final",
      utterance_id: "u1",
      duration_ms: 250,
      data: { chars: 11, audio_ms: 1000, retries: 0 },
    },
  });
  assertEquals(finalTranscript(seg(0), { ...done, text: " \n" }), { kind: "empty" });
});

Deno.test("finalTranscript() leaves out the latency of a re-sent segment", () => {
  const done = { itemId: "item_2", text: "again", usage: undefined, model: "m", now: 5000 };
  const outcome = finalTranscript(seg(1), done);
  assertEquals(outcome.kind === "final" && outcome.final.speech_end_to_final_ms, undefined);
  assertEquals(outcome.kind === "final" && outcome.trace.duration_ms, undefined);
});
