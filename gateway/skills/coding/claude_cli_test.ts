import { assertEquals, assertThrows } from "@shared/testing/asserts.ts";
import { ClaudeCliStreamError, parseClaudeStream } from "./claude_cli.ts";

// A transcript in the CLI's documented stream-json shape (system init, assistant messages, result).
const SAMPLE = [
  {
    type: "system",
    subtype: "init",
    session_id: "s1",
    model: "claude-sonnet-4-5",
    tools: ["Read"],
  },
  {
    type: "assistant",
    message: { id: "m1", role: "assistant", content: [{ type: "text", text: "Rationale: tidy." }] },
    session_id: "s1",
  },
  {
    type: "result",
    subtype: "success",
    is_error: false,
    duration_ms: 4200,
    num_turns: 3,
    result: "Rationale: tidy.\n```diff\n--- a/x\n+++ b/x\n```",
    total_cost_usd: 0.0123,
    usage: {
      input_tokens: 1200,
      output_tokens: 300,
      cache_read_input_tokens: 50,
      cache_creation_input_tokens: 10,
    },
  },
].map((e) => JSON.stringify(e)).join("\n");

Deno.test("parseClaudeStream() maps the CLI result to text, turns, cost and usage", () => {
  assertEquals(parseClaudeStream(SAMPLE), {
    text: "Rationale: tidy.\n```diff\n--- a/x\n+++ b/x\n```",
    model: "claude-sonnet-4-5",
    turns: 3,
    duration_ms: 4200,
    cost_usd: 0.0123,
    usage: {
      input_tokens: 1200,
      output_tokens: 300,
      cache_read_input_tokens: 50,
      cache_creation_input_tokens: 10,
    },
  });
});

Deno.test("parseClaudeStream() reports an error result", () => {
  const out = parseClaudeStream(
    SAMPLE.replace(
      '"subtype":"success","is_error":false',
      '"subtype":"error_max_turns","is_error":true',
    ),
  );
  assertEquals(out.error, "claude ended with 'error_max_turns'");
});

Deno.test("parseClaudeStream() refuses a truncated stream with an exact error", () => {
  assertThrows(
    () => parseClaudeStream(SAMPLE.split("\n").slice(0, 2).join("\n")),
    ClaudeCliStreamError,
    "the claude stream ended without a result event",
  );
  assertThrows(
    () => parseClaudeStream("{not json"),
    ClaudeCliStreamError,
    "line 1 of the claude stream is not JSON: {not json",
  );
});
