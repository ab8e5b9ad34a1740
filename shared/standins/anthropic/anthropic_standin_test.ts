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
    assertEquals(res.headers.get("content-type"), "text/event-stream; charset=utf-8");
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

const quiet = { log: () => {} };

Deno.test("the key may come as x-api-key or as a bearer token; the stand-in records which", async () => {
  const s = await startAnthropicStandIn({ apiKey: "k", ...quiet });
  try {
    await client(s.url).messages.create({ ...request, messages });
    const res = await fetch(`${s.url}/v1/messages`, {
      method: "POST",
      headers: { "x-api-key": "k", "anthropic-version": "2099-01-01" },
      body: JSON.stringify({ ...request, messages }),
    });
    assertEquals(res.status, 200);
    await res.body?.cancel();
    assertEquals(s.auth, ["bearer", "x-api-key"]);
  } finally {
    await s.close();
  }
});

const badRequests: [string, RequestInit, number, string, string][] = [
  [
    "a missing anthropic-version",
    { headers: { "x-api-key": "k" }, body: JSON.stringify({ ...request, messages }) },
    400,
    "invalid_request_error",
    "anthropic-version: header is required",
  ],
  [
    "a body that is not JSON",
    { headers: { "x-api-key": "k", "anthropic-version": "2023-06-01" }, body: "{" },
    400,
    "invalid_request_error",
    "There was an issue with the request body: not valid JSON",
  ],
  [
    "a missing max_tokens",
    {
      headers: { "x-api-key": "k", "anthropic-version": "2023-06-01" },
      body: JSON.stringify({ model: "m", messages }),
    },
    400,
    "invalid_request_error",
    "max_tokens: Field required",
  ],
  [
    "an empty messages list",
    {
      headers: { "x-api-key": "k", "anthropic-version": "2023-06-01" },
      body: JSON.stringify({ ...request, messages: [] }),
    },
    400,
    "invalid_request_error",
    "messages: Too small: expected array to have >=1 items",
  ],
  [
    "no key at all",
    { headers: { "anthropic-version": "2023-06-01" }, body: "{}" },
    401,
    "authentication_error",
    "invalid x-api-key",
  ],
];
for (const [name, init, status, type, message] of badRequests) {
  Deno.test(`stand-in answers ${name} with ${status} ${type}`, async () => {
    const s = await startAnthropicStandIn({ apiKey: "k", ...quiet });
    try {
      const res = await fetch(`${s.url}/v1/messages`, { method: "POST", ...init });
      assertEquals(res.status, status);
      const body = await res.json();
      assertEquals(body.type, "error");
      assertEquals(body.error, { type, message });
      assertMatch(body.request_id, /^req_standin_/);
      assertEquals(s.requests.length, 0);
    } finally {
      await s.close();
    }
  });
}

Deno.test("an unknown path is a 404 not_found_error", async () => {
  const s = await startAnthropicStandIn(quiet);
  try {
    const res = await fetch(`${s.url}/v1/complete`, { method: "POST" });
    assertEquals(res.status, 404);
    assertEquals((await res.json()).error.type, "not_found_error");
  } finally {
    await s.close();
  }
});

Deno.test("an error event mid-stream reaches the SDK as an APIError of its type", async () => {
  const s = await startAnthropicStandIn({
    faults: [{ kind: "stream_error", afterDeltas: 2 }],
    ...quiet,
  });
  try {
    const seen: string[] = [];
    const err = await assertRejects(async () => {
      for await (const e of client(s.url).messages.stream({ ...request, messages })) {
        seen.push(e.type);
      }
    }, Anthropic.APIError);
    assertEquals(err.status, undefined);
    assertEquals(err.type, "overloaded_error");
    assertEquals(seen.filter((t) => t === "content_block_delta").length, 2);
  } finally {
    await s.close();
  }
});

Deno.test("cache_control breakpoints are written once, then read", async () => {
  const s = await startAnthropicStandIn({ cacheMinTokens: 10, ...quiet });
  try {
    const cached = [{
      role: "user" as const,
      content: [
        { type: "text" as const, text: PROMPT, cache_control: { type: "ephemeral" as const } },
        { type: "text" as const, text: "and be brief" },
      ],
    }];
    const first = await client(s.url).messages.create({ ...request, messages: cached });
    const second = await client(s.url).messages.create({ ...request, messages: cached });
    const prefix = Math.ceil(PROMPT.length / 4);
    const rest = Math.ceil("and be brief".length / 4);
    assertEquals(
      [
        first.usage.input_tokens,
        first.usage.cache_creation_input_tokens,
        first.usage.cache_read_input_tokens,
      ],
      [rest, prefix, 0],
    );
    assertEquals(
      [
        second.usage.input_tokens,
        second.usage.cache_creation_input_tokens,
        second.usage.cache_read_input_tokens,
      ],
      [rest, 0, prefix],
    );
    assertEquals(first.usage.cache_creation?.ephemeral_5m_input_tokens, prefix);
  } finally {
    await s.close();
  }
});

Deno.test("an answer longer than max_tokens is cut and stops with max_tokens", async () => {
  const s = await startAnthropicStandIn({ script: () => "x".repeat(100), ...quiet });
  try {
    const msg = await client(s.url).messages.stream({ ...request, max_tokens: 5, messages })
      .finalMessage();
    assertEquals(msg.stop_reason, "max_tokens");
    assertEquals(msg.content[0]?.type === "text" && msg.content[0].text, "x".repeat(20));
    assertEquals(msg.usage.output_tokens, 5);
  } finally {
    await s.close();
  }
});

Deno.test("an aborted slow stream and close() leave nothing running", async () => {
  const s = await startAnthropicStandIn({ faults: [{ kind: "slow", msPerDelta: 50 }], ...quiet });
  try {
    const ac = new AbortController();
    const stream = client(s.url).messages.stream({ ...request, messages }, { signal: ac.signal });
    let deltas = 0;
    await assertRejects(async () => {
      for await (const e of stream) {
        if (e.type === "content_block_delta" && ++deltas === 2) ac.abort();
      }
    }, Anthropic.APIUserAbortError);
    assertEquals(deltas, 2);
  } finally {
    await s.close();
  }
});

Deno.test("the CLI injects the faults given with --fault and refuses unknown ones", async () => {
  const main = new URL("./main.ts", import.meta.url).pathname;
  const bad = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-net", main, "--fault", "418"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assertEquals(bad.code, 2);
  assertMatch(
    new TextDecoder().decode(bad.stderr),
    /^Cannot parse fault '418' as it is not one of/m,
  );

  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-net", main, "--port", "0", "--fault", "529"],
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
    const { url } = JSON.parse(line.trim());
    const err = await assertRejects(
      () => client(url).messages.create({ ...request, messages }),
      Anthropic.APIError,
    );
    assertEquals(err.status, 529);
    const ok = await client(url).messages.create({ ...request, messages });
    assertEquals(ok.stop_reason, "end_turn");
  } finally {
    child.kill("SIGTERM");
    await child.status;
    await child.stdout.cancel().catch(() => {});
    await stderr;
  }
});
