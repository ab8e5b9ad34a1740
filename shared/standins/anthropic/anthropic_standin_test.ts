/**
 * The Anthropic stand-in against the real `@anthropic-ai/sdk` client: the stream's event
 * sequence, plain JSON answers, both auth headers, the API's error shapes, faults, and the CLI.
 */
import Anthropic from "@anthropic-ai/sdk";
import { assert, assertEquals, assertMatch, assertRejects } from "../../testing/asserts.ts";
import {
  type AnthropicFault,
  codingScript,
  filesInRequest,
  startAnthropicStandIn,
} from "./anthropic_standin.ts";

const client = (url: string, auth: { apiKey?: string; authToken?: string } = { apiKey: "k" }) =>
  new Anthropic({
    apiKey: auth.apiKey ?? null,
    authToken: auth.authToken ?? null,
    baseURL: url,
    maxRetries: 0,
    logLevel: "off",
    openTelemetry: false,
  });

const PROMPT = [
  "<instruction>\nRefactor the orchestrator router\n</instruction>",
  '<file path="src/router.ts">\nimport { x } from "./x.ts";\n\nexport function route(t: string) {\n  return x(t);\n}\n</file>',
].join("\n");

const request = { model: "claude-sonnet-4-5", max_tokens: 512 } as const;
const messages = [{ role: "user" as const, content: PROMPT }];

Deno.test("stand-in streams the API's event sequence as SSE", async () => {
  const s = await startAnthropicStandIn({ apiKey: "k" });
  try {
    const res = await fetch(`${s.url}/v1/messages`, {
      method: "POST",
      headers: {
        "x-api-key": "k",
        "anthropic-version": "2023-06-01",
        "content-type": "application/json",
      },
      body: JSON.stringify({ ...request, messages, stream: true }),
    });
    assertEquals(res.headers.get("content-type"), "text/event-stream");
    const body = await res.text();
    const frames = body.split("\n\n").filter(Boolean);
    for (const frame of frames) assertMatch(frame, /^event: [a-z_]+\ndata: \{.*\}$/);
    const names = [...new Set(frames.map((f) => /^event: (\S+)/.exec(f)![1]))];
    assertEquals(names, [
      "message_start",
      "content_block_start",
      "ping",
      "content_block_delta",
      "content_block_stop",
      "message_delta",
      "message_stop",
    ]);
    const last = JSON.parse(frames.at(-2)!.split("data: ")[1]!);
    assertEquals(last.usage.output_tokens, s.usages[0]!.output_tokens);
  } finally {
    await s.close();
  }
});

Deno.test("the SDK's stream gives the script's text and the stand-in's usage", async () => {
  const s = await startAnthropicStandIn({
    apiKey: "k",
    cache: { read_input_tokens: 700, creation_input_tokens: 50 },
  });
  try {
    const stream = client(s.url).messages.stream({ ...request, messages });
    const final = await stream.finalMessage();
    const block = final.content[0];
    assert(block?.type === "text");
    assertEquals(block.text, codingScript({ ...request, messages }));
    assertEquals(final.stop_reason, "end_turn");
    assertEquals(final.usage.input_tokens, s.usages[0]!.input_tokens);
    assertEquals(final.usage.output_tokens, s.usages[0]!.output_tokens);
    assertEquals(final.usage.cache_read_input_tokens, 700);
    assertEquals(final.usage.cache_creation_input_tokens, 50);
  } finally {
    await s.close();
  }
});

Deno.test("non-streaming requests get one JSON message; a bearer token is accepted", async () => {
  const s = await startAnthropicStandIn({ apiKey: "tok" });
  try {
    const msg = await client(s.url, { authToken: "tok" }).messages.create({ ...request, messages });
    assertEquals(msg.type, "message");
    assertEquals(msg.role, "assistant");
    assertEquals(msg.model, "claude-sonnet-4-5");
    assertEquals(msg.usage.output_tokens, s.usages[0]!.output_tokens);
    assertEquals(s.requests.length, 1);
  } finally {
    await s.close();
  }
});

Deno.test("the default script's diff targets the first file shown", () => {
  const text = codingScript({ ...request, messages });
  assertMatch(text, /^Rationale: /);
  assertMatch(
    text,
    /```diff\n--- a\/src\/router\.ts\n\+\+\+ b\/src\/router\.ts\n@@ -1,5 \+1,6 @@\n/,
  );
  assertEquals(filesInRequest(PROMPT).map((f) => f.path), ["src/router.ts"]);
});

const errorCases: [AnthropicFault, number, string, string | null][] = [
  [{ kind: "status", status: 529 }, 529, "overloaded_error", null],
  [{ kind: "status", status: 429, retryAfterS: 7 }, 429, "rate_limit_error", "7"],
  [{ kind: "status", status: 500 }, 500, "api_error", null],
  [{ kind: "status", status: 401 }, 401, "authentication_error", null],
  [{ kind: "status", status: 400 }, 400, "invalid_request_error", null],
];
for (const [fault, status, type, retryAfter] of errorCases) {
  Deno.test(`stand-in answers ${status} ${type} in the API's error shape`, async () => {
    const s = await startAnthropicStandIn({ faults: [fault] });
    try {
      const err = await assertRejects(
        () => client(s.url).messages.create({ ...request, messages }),
        Anthropic.APIError,
      );
      assertEquals(err.status, status);
      assertEquals((err.error as { type: string; error: { type: string } }).type, "error");
      assertEquals((err.error as { error: { type: string } }).error.type, type);
      assertEquals(err.headers?.get("retry-after") ?? null, retryAfter);
      // Faults are consumed: the next request succeeds.
      const ok = await client(s.url).messages.create({ ...request, messages });
      assertEquals(ok.type, "message");
    } finally {
      await s.close();
    }
  });
}

Deno.test("a wrong key is a 401 authentication_error", async () => {
  const s = await startAnthropicStandIn({ apiKey: "right" });
  try {
    const err = await assertRejects(
      () => client(s.url, { apiKey: "wrong" }).messages.create({ ...request, messages }),
      Anthropic.AuthenticationError,
    );
    assertEquals(err.status, 401);
    assertEquals(s.requests.length, 0);
  } finally {
    await s.close();
  }
});

Deno.test("a dropped stream surfaces as an SDK error", async () => {
  const s = await startAnthropicStandIn({ faults: [{ kind: "drop" }] });
  try {
    await assertRejects(() => client(s.url).messages.stream({ ...request, messages }).done());
  } finally {
    await s.close();
  }
});

Deno.test("the CLI prints its URL as one JSON line and serves", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-net", new URL("./main.ts", import.meta.url).pathname, "--port", "0"],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr = child.stderr.pipeTo(new WritableStream());
  try {
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let line = "";
    while (!line.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) break;
      line += value;
    }
    reader.releaseLock();
    const info = JSON.parse(line.trim());
    assertEquals(info.standin, "anthropic");
    assertMatch(info.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const msg = await client(info.url).messages.create({ ...request, messages });
    assertEquals(msg.type, "message");
  } finally {
    child.kill("SIGTERM");
    await child.status;
    await child.stdout.cancel().catch(() => {});
    await stderr;
  }
});
