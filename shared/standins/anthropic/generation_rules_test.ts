/**
 * The stand-in's Claude 5.x rules against the real SDK and raw HTTP: the exact 400 body for
 * refused parameters, thinking streamed before the text, prompt-cache accounting, and the
 * older models' behaviour kept.
 */
import Anthropic from "@anthropic-ai/sdk";
import { assert, assertEquals, assertMatch } from "../../testing/asserts.ts";
import { startAnthropicStandIn } from "./anthropic_standin.ts";
import { generationRefusal, isClaude5, thinks } from "./generation_rules.ts";
import { THINKING_PREFIX } from "./thinking_blocks.ts";

const client = (url: string) =>
  new Anthropic({
    apiKey: "k",
    baseURL: url,
    maxRetries: 0,
    logLevel: "off",
    openTelemetry: false,
  });

const PROMPT = [
  "<instruction>\nRefactor the orchestrator router\n</instruction>",
  '<file path="src/router.ts">\nimport { x } from "./x.ts";\n\nexport function route(t: string) {\n  return x(t);\n}\n</file>',
].join("\n");
const messages = [{ role: "user" as const, content: PROMPT }];

async function post(url: string, body: Record<string, unknown>): Promise<Response> {
  return await fetch(`${url}/v1/messages`, {
    method: "POST",
    headers: {
      "x-api-key": "k",
      "anthropic-version": "2023-06-01",
      "content-type": "application/json",
    },
    body: JSON.stringify({ max_tokens: 512, messages, ...body }),
  });
}

const refusals: [string, Record<string, unknown>, string | undefined][] = [
  ["temperature 0.2", { temperature: 0.2 }, "`temperature` is deprecated for this model."],
  ["temperature 0", { temperature: 0 }, "`temperature` is deprecated for this model."],
  ["top_p 0.9", { top_p: 0.9 }, "`top_p` is deprecated for this model."],
  ["top_k 5", { top_k: 5 }, "`top_k` is deprecated for this model."],
  [
    "manual thinking",
    { thinking: { type: "enabled", budget_tokens: 2048 } },
    '`thinking.type: "enabled"` is not supported for this model. Use `thinking.type: "adaptive"` and `output_config.effort` to control thinking.',
  ],
  ["the default temperature", { temperature: 1 }, undefined],
  ["adaptive thinking", { thinking: { type: "adaptive" } }, undefined],
  ["no parameters", {}, undefined],
];
for (const [name, extra, message] of refusals) {
  Deno.test(`stand-in: claude-sonnet-5-5 with ${name} is ${message ? "refused" : "accepted"}`, async () => {
    const s = await startAnthropicStandIn({ log: () => {} });
    try {
      const res = await post(s.url, { model: "claude-sonnet-5-5", ...extra });
      const body = await res.json();
      if (message === undefined) {
        assertEquals(res.status, 200);
        assertEquals(body.type, "message");
        return;
      }
      assertEquals(res.status, 400);
      assertMatch(body.request_id, /^req_standin_[0-9a-f]{20}$/);
      assertEquals(res.headers.get("request-id"), body.request_id);
      assertEquals(body, {
        type: "error",
        error: { type: "invalid_request_error", message },
        request_id: body.request_id,
      });
      assertEquals(s.requests.length, 0);
    } finally {
      await s.close();
    }
  });
}

Deno.test("stand-in: older models keep sampling and manual thinking, and refuse adaptive", async () => {
  const s = await startAnthropicStandIn({ log: () => {} });
  try {
    const ok = await post(s.url, { model: "claude-sonnet-4-5", temperature: 0.2, top_k: 5 });
    assertEquals(ok.status, 200);
    const plain = await ok.json();
    assertEquals(plain.content.map((b: { type: string }) => b.type), ["text"]);
    const manual = await post(s.url, {
      model: "claude-sonnet-4-5",
      max_tokens: 4096,
      thinking: { type: "enabled", budget_tokens: 2048 },
    });
    assertEquals(
      (await manual.json()).content.map((b: { type: string }) => b.type),
      ["thinking", "text"],
    );
    const adaptive = await post(s.url, {
      model: "claude-sonnet-4-5",
      thinking: { type: "adaptive" },
    });
    assertEquals(adaptive.status, 400);
    assertEquals(
      (await adaptive.json()).error.message,
      '`thinking.type: "adaptive"` is not supported for this model. Use `thinking.type: "enabled"` with `budget_tokens`.',
    );
  } finally {
    await s.close();
  }
});

Deno.test("stand-in: a 5.x answer streams its thinking block first, then the text", async () => {
  const s = await startAnthropicStandIn({ log: () => {} });
  try {
    const stream = client(s.url).messages.stream({
      model: "claude-sonnet-5-5",
      max_tokens: 4096,
      messages,
    });
    const seen: string[] = [];
    for await (const e of stream) {
      if (e.type === "content_block_start") seen.push(`start:${e.index}:${e.content_block.type}`);
      if (e.type === "content_block_delta") seen.push(`delta:${e.index}:${e.delta.type}`);
      if (e.type === "content_block_stop") seen.push(`stop:${e.index}`);
    }
    const compact = seen.filter((x, i) => x !== seen[i - 1]);
    assertEquals(compact, [
      "start:0:thinking",
      "delta:0:thinking_delta",
      "delta:0:signature_delta",
      "stop:0",
      "start:1:text",
      "delta:1:text_delta",
      "stop:1",
    ]);
    const final = await stream.finalMessage();
    assertEquals(final.content.map((b) => b.type), ["thinking", "text"]);
    const thought = final.content[0] as Anthropic.Messages.ThinkingBlock;
    assert(thought.thinking.startsWith(THINKING_PREFIX));
    assert(thought.signature.length > 0);
    const text = (final.content[1] as Anthropic.Messages.TextBlock).text;
    assert(!text.includes(THINKING_PREFIX), "thinking leaked into the text");
    // Thinking tokens are output tokens.
    assertEquals(final.usage.output_tokens, s.usages[0]!.output_tokens);
    assert(final.usage.output_tokens > Math.ceil(text.length / 4));
  } finally {
    await s.close();
  }
});

Deno.test("stand-in: redacted thinking is one opaque block before the text", async () => {
  const s = await startAnthropicStandIn({ log: () => {}, thinking: "redacted" });
  try {
    const final = await client(s.url).messages.stream({
      model: "claude-opus-5",
      max_tokens: 4096,
      messages,
    }).finalMessage();
    assertEquals(final.content.map((b) => b.type), ["redacted_thinking", "text"]);
    assert((final.content[0] as Anthropic.Messages.RedactedThinkingBlock).data.length > 0);
  } finally {
    await s.close();
  }
});

Deno.test("stand-in: a cache_control block is written once, then read on a repeat", async () => {
  const s = await startAnthropicStandIn({ log: () => {} });
  try {
    const big = `<repository_map>\n${"src/module_file.ts\n".repeat(300)}</repository_map>`;
    const ask = (instruction: string) =>
      client(s.url).messages.create({
        model: "claude-sonnet-5-5",
        max_tokens: 4096,
        messages: [{
          role: "user",
          content: [
            { type: "text", text: big, cache_control: { type: "ephemeral" } },
            { type: "text", text: `<instruction>\n${instruction}\n</instruction>` },
          ],
        }],
      });
    const first = await ask("rename the router");
    assert(first.usage.cache_creation_input_tokens! >= 1024);
    assertEquals(first.usage.cache_read_input_tokens, 0);
    const second = await ask("add a test for the router");
    assertEquals(second.usage.cache_read_input_tokens, first.usage.cache_creation_input_tokens);
    assertEquals(second.usage.cache_creation_input_tokens, 0);
  } finally {
    await s.close();
  }
});

Deno.test("generation rules by model id", () => {
  const table: [string, boolean][] = [
    ["claude-sonnet-5-5", true],
    ["claude-opus-5-20261001", true],
    ["claude-sonnet-4-6", false],
    ["claude-3-5-haiku", false],
  ];
  for (const [model, five] of table) {
    assertEquals(isClaude5(model), five, model);
    assertEquals(thinks({ model, max_tokens: 1, messages }), five, model);
  }
  assertEquals(
    generationRefusal({ model: "claude-opus-5-5", max_tokens: 1, messages, top_p: 1 }),
    undefined,
  );
});

Deno.test("stand-in CLI: --thinking takes only the known modes, with an exact error", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net",
      new URL("./main.ts", import.meta.url).pathname,
      "--thinking",
      "loud",
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assertEquals(out.code, 2);
  assertEquals(
    new TextDecoder().decode(out.stderr).trim(),
    "--thinking must be one of summarized, redacted, none: current value is 'loud'",
  );
});
