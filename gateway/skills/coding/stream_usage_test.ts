import type Anthropic from "@anthropic-ai/sdk";
import { assertEquals } from "@shared/testing/asserts.ts";
import { StreamUsage } from "./stream_usage.ts";

type Event = Anthropic.Messages.RawMessageStreamEvent;

const start = (input: number, read: number | null, write: number | null): Event => ({
  type: "message_start",
  message: {
    id: "msg_1",
    type: "message",
    role: "assistant",
    model: "claude-sonnet-4-5",
    content: [],
    container: null,
    diagnostics: null,
    stop_details: null,
    stop_reason: null,
    stop_sequence: null,
    usage: {
      input_tokens: input,
      output_tokens: 1,
      cache_read_input_tokens: read,
      cache_creation_input_tokens: write,
      cache_creation: null,
      inference_geo: null,
      output_tokens_details: null,
      server_tool_use: null,
      service_tier: "standard",
      speed: null,
    },
  },
});
const delta = (output: number, input: number | null = null, stop = "end_turn"): Event => ({
  type: "message_delta",
  delta: {
    container: null,
    stop_details: null,
    stop_reason: stop as Anthropic.Messages.StopReason,
    stop_sequence: null,
  },
  usage: {
    input_tokens: input,
    output_tokens: output,
    cache_read_input_tokens: null,
    cache_creation_input_tokens: null,
    output_tokens_details: null,
    server_tool_use: null,
  },
});
const text: Event = {
  type: "content_block_delta",
  index: 0,
  delta: { type: "text_delta", text: "x" },
};

const cases: [string, Event[], [number, number, number, number], string | null][] = [
  ["start only", [start(100, 0, 0)], [100, 1, 0, 0], null],
  [
    "cache counts from message_start",
    [start(10, 700, 50), text, delta(40)],
    [10, 40, 700, 50],
    "end_turn",
  ],
  ["message_delta is cumulative, not added", [start(10, null, null), delta(5), delta(12)], [
    10,
    12,
    0,
    0,
  ], "end_turn"],
  [
    "message_delta may restate the input side",
    [start(10, 0, 0), delta(30, 25)],
    [25, 30, 0, 0],
    "end_turn",
  ],
  ["max_tokens is the stop reason", [start(10, 0, 0), delta(64, null, "max_tokens")], [
    10,
    64,
    0,
    0,
  ], "max_tokens"],
];
for (const [name, events, [input, output, read, write], stop] of cases) {
  Deno.test(`StreamUsage: ${name}`, () => {
    const u = new StreamUsage();
    const changed = events.map((e) => u.apply(e));
    assertEquals(changed, events.map((e) => e.type !== "content_block_delta"));
    assertEquals(u.counts("anthropic", "m"), {
      provider: "anthropic",
      model: "m",
      input_tokens: input,
      output_tokens: output,
      cache_read_input_tokens: read,
      cache_creation_input_tokens: write,
    });
    assertEquals(u.stopReason, stop);
  });
}

Deno.test("StreamUsage: thinking deltas change no counts; the cache-write split is kept for pricing", () => {
  const u = new StreamUsage();
  const first = start(10, 0, 1000);
  if (first.type === "message_start") {
    first.message.usage.cache_creation = {
      ephemeral_5m_input_tokens: 400,
      ephemeral_1h_input_tokens: 600,
    };
  }
  const thinking: Event = {
    type: "content_block_delta",
    index: 0,
    delta: { type: "thinking_delta", thinking: "hmm" },
  };
  assertEquals([first, thinking, delta(90)].map((e) => u.apply(e)), [true, false, true]);
  assertEquals(u.counts("anthropic", "claude-sonnet-5-5"), {
    provider: "anthropic",
    model: "claude-sonnet-5-5",
    input_tokens: 10,
    output_tokens: 90,
    cache_read_input_tokens: 0,
    cache_creation_input_tokens: 1000,
    cache_creation: { ephemeral_5m_input_tokens: 400, ephemeral_1h_input_tokens: 600 },
  });
});
