import { assertEquals } from "@shared/testing/asserts.ts";
import { parseServerFrame } from "./server_events.ts";

Deno.test("parseServerFrame() sorts frames into events, unknown types and invalid input", () => {
  const cases: { frame: unknown; expect: string }[] = [
    {
      frame: JSON.stringify({
        type: "conversation.item.input_audio_transcription.completed",
        event_id: "e1",
        item_id: "item_1",
        content_index: 0,
        transcript: "hello",
        usage: { type: "duration", seconds: 1.5 },
      }),
      expect: "event:conversation.item.input_audio_transcription.completed",
    },
    {
      frame: JSON.stringify({
        type: "conversation.item.input_audio_transcription.delta",
        event_id: "e2",
        item_id: "item_1",
        delta: "hel",
        new_field_from_the_future: 1,
      }),
      expect: "event:conversation.item.input_audio_transcription.delta",
    },
    {
      frame: JSON.stringify({ type: "input_audio_buffer.committed", event_id: "e", item_id: "i" }),
      expect: "event:input_audio_buffer.committed",
    },
    {
      frame: JSON.stringify({
        type: "error",
        event_id: "e",
        error: { type: "invalid_request_error", message: "bad", code: null },
      }),
      expect: "event:error",
    },
    { frame: JSON.stringify({ type: "response.done", event_id: "e" }), expect: "unknown" },
    {
      frame: JSON.stringify({ type: "input_audio_buffer.committed", event_id: "e" }),
      expect: "invalid:item_id: Invalid input: expected string, received undefined",
    },
    {
      frame: JSON.stringify({
        type: "conversation.item.input_audio_transcription.completed",
        event_id: "e",
        item_id: "i",
        content_index: 0,
        transcript: "x",
        usage: { type: "bananas" },
      }),
      expect: "invalid:usage.type: Invalid discriminator value. Expected 'tokens' | 'duration'",
    },
    { frame: "{not json", expect: 'invalid:not JSON: "{not json"' },
    { frame: JSON.stringify([1, 2]), expect: "invalid:a JSON value without a string 'type'" },
    {
      frame: new Uint8Array([1, 2]),
      expect: "invalid:binary frame where a JSON text event was expected",
    },
  ];
  for (const { frame, expect } of cases) {
    const parsed = parseServerFrame(frame);
    const got = parsed.kind === "event"
      ? `event:${parsed.event.type}`
      : parsed.kind === "unknown"
      ? "unknown"
      : `invalid:${parsed.reason}`;
    if (expect.startsWith("invalid:") && got.startsWith("invalid:")) {
      assertEquals(got.slice(0, expect.length), expect, `frame ${String(frame).slice(0, 60)}`);
    } else {
      assertEquals(got, expect, `frame ${String(frame).slice(0, 60)}`);
    }
  }
});

Deno.test("parseServerFrame() keeps the usage of a completed transcript", () => {
  const parsed = parseServerFrame(JSON.stringify({
    type: "conversation.item.input_audio_transcription.completed",
    event_id: "e1",
    item_id: "item_1",
    content_index: 0,
    transcript: "open the dashboard",
    usage: { type: "tokens", input_tokens: 12, output_tokens: 4, total_tokens: 16 },
  }));
  assertEquals(parsed.kind, "event");
  if (
    parsed.kind !== "event" ||
    parsed.event.type !== "conversation.item.input_audio_transcription.completed"
  ) {
    throw new Error("not a completed event");
  }
  assertEquals(parsed.event.usage, {
    type: "tokens",
    input_tokens: 12,
    output_tokens: 4,
    total_tokens: 16,
  });
});
