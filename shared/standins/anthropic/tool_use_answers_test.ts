import Anthropic from "@anthropic-ai/sdk";
import { assertEquals } from "@shared/testing/asserts.ts";
import { startAnthropicStandIn } from "./anthropic_standin.ts";
import { exampleInput } from "./tool_use_answers.ts";

const tool: Anthropic.Tool = {
  name: "route_request",
  input_schema: {
    type: "object",
    properties: {
      tasks: {
        type: "array",
        items: {
          type: "object",
          properties: { intent: { type: "string", enum: ["coding", "browser"] } },
          required: ["intent"],
        },
      },
      reason: { type: "string" },
    },
    required: ["tasks", "reason"],
  },
};
const scripted = { tasks: [{ intent: "browser" }, { intent: "coding" }], reason: "two things" };

async function withStandIn(fn: (client: Anthropic) => Promise<void>) {
  const standin = await startAnthropicStandIn({
    apiKey: "k",
    toolScript: () => scripted,
    log: () => {},
  });
  try {
    await fn(new Anthropic({ apiKey: "k", baseURL: standin.url, maxRetries: 0 }));
  } finally {
    await standin.close();
  }
}

Deno.test("stand-in answers a forced tool call with a tool_use block (not streamed)", async () => {
  await withStandIn(async (client) => {
    const m = await client.messages.create({
      model: "claude-haiku-4-5",
      max_tokens: 256,
      tools: [tool],
      tool_choice: { type: "tool", name: "route_request" },
      messages: [{ role: "user", content: "fix the parser then check the site" }],
    });
    assertEquals(m.stop_reason, "tool_use");
    assertEquals(m.content.length, 1);
    const block = m.content[0]!;
    assertEquals(block.type, "tool_use");
    if (block.type !== "tool_use") return;
    assertEquals(block.name, "route_request");
    assertEquals(block.input, scripted);
    assertEquals(/^toolu_/.test(block.id), true);
    assertEquals(m.usage.output_tokens, Math.ceil(JSON.stringify(scripted).length / 4));
  });
});

Deno.test("stand-in streams a forced tool call as input_json_delta pieces", async () => {
  await withStandIn(async (client) => {
    const stream = client.messages.stream({
      model: "claude-haiku-4-5",
      max_tokens: 256,
      tools: [tool],
      tool_choice: { type: "any" },
      messages: [{ role: "user", content: "open example dot com" }],
    });
    const pieces: string[] = [];
    const types: string[] = [];
    stream.on("streamEvent", (e) => {
      types.push(e.type);
      if (e.type === "content_block_delta" && e.delta.type === "input_json_delta") {
        pieces.push(e.delta.partial_json);
      }
    });
    const m = await stream.finalMessage();
    assertEquals(pieces[0], "");
    assertEquals(pieces.length > 2, true);
    assertEquals(JSON.parse(pieces.join("")), scripted);
    assertEquals(types[0], "message_start");
    assertEquals(types.at(-1), "message_stop");
    assertEquals(m.stop_reason, "tool_use");
    const block = m.content[0]!;
    assertEquals(block.type === "tool_use" ? block.input : null, scripted);
  });
});

Deno.test("stand-in rejects a tool_choice naming a tool it was not given", async () => {
  await withStandIn(async (client) => {
    const err = await client.messages.create({
      model: "claude-haiku-4-5",
      max_tokens: 256,
      tools: [tool],
      tool_choice: { type: "tool", name: "nope" },
      messages: [{ role: "user", content: "x" }],
    }).then(() => null, (e) => e);
    assertEquals(err instanceof Anthropic.BadRequestError, true);
    assertEquals(
      (err as { error?: { error?: { message?: string } } }).error?.error?.message,
      'tool_choice: tool "nope" is not in tools',
    );
  });
});

Deno.test("exampleInput() builds a value valid for the schema from the user's words", () => {
  assertEquals(exampleInput(tool.input_schema as never, "hi"), { tasks: [], reason: "hi" });
  assertEquals(
    exampleInput({ type: "array", minItems: 2, items: tool.input_schema as never }, "hi"),
    [{ tasks: [], reason: "hi" }, { tasks: [], reason: "hi" }],
  );
});
