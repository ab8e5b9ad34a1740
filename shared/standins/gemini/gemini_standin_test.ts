/**
 * The Gemini stand-in driven by the real `@google/genai` client: paths, keys, scripted Computer
 * Use calls, and the turns a real API would fail.
 */
import { assert, assertEquals, assertStringIncludes } from "@shared/testing/asserts.ts";
import { type Content, Environment, GoogleGenAI } from "@google/genai/web";
import { readLines } from "@shared/io/lines.ts";
import { startGeminiStandIn } from "./gemini_standin.ts";
import { generationOf, LEGACY_COMPUTER_USE_MODELS } from "./gemini_scripts.ts";
import { QA_DEPLOY_STATUS, QA_TARGETS, serveQaDashboard } from "./qa_dashboard.ts";

const MODEL = "gemini-2.5-computer-use-preview-10-2025";
const PNG =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";
const TOOLS = [{ computerUse: { environment: Environment.ENVIRONMENT_BROWSER } }];

function client(url: string, apiKey = "k", apiVersion = "v1beta") {
  return new GoogleGenAI({ apiKey, httpOptions: { baseUrl: url, apiVersion } });
}

/** A user turn answering `name` with a URL and (unless left out) a PNG screenshot. */
function answer(name: string, opts: { url?: string; png?: string | null } = {}): Content {
  const png = opts.png === undefined ? PNG : opts.png;
  return {
    role: "user",
    parts: [{
      functionResponse: {
        name,
        response: opts.url === undefined ? { url: "http://127.0.0.1/qa/" } : { url: opts.url },
        ...(png ? { parts: [{ inlineData: { mimeType: "image/png", data: png } }] } : {}),
      },
    }],
  };
}
const first = (text: string): Content => ({
  role: "user",
  parts: [{ text }, { inlineData: { mimeType: "image/png", data: PNG } }],
});
const called = (name: string, args: Record<string, unknown> = {}): Content => ({
  role: "model",
  parts: [{ functionCall: { name, args } }],
});

async function errorOf(p: Promise<unknown>): Promise<{ status?: number; message: string }> {
  try {
    await p;
  } catch (err) {
    return err as { status?: number; message: string };
  }
  throw new Error("expected the call to fail");
}

Deno.test({
  name: "Gemini stand-in: the QA script through the real SDK, on /v1beta and /v1",
  permissions: { net: ["127.0.0.1"] },
  async fn() {
    const standin = startGeminiStandIn({ apiKey: "k", log: () => {} });
    try {
      for (const version of ["v1beta", "v1"]) {
        const ai = client(standin.url, "k", version);
        const contents: Content[] = [first("Open the QA dashboard to verify deploy status")];
        const seen: string[] = [];
        for (let turn = 0; turn < 6; turn++) {
          const r = await ai.models.generateContent({
            model: MODEL,
            contents,
            config: { tools: TOOLS },
          });
          assert(r.usageMetadata!.promptTokenCount! > 1000, "a screenshot costs tokens");
          assert(r.usageMetadata!.candidatesTokenCount! > 0);
          const calls = r.functionCalls ?? [];
          if (calls.length === 0) {
            seen.push(`answer: ${r.text}`);
            break;
          }
          seen.push(`${calls[0]!.name} ${JSON.stringify(calls[0]!.args)}`);
          contents.push(r.candidates![0]!.content!, answer(calls[0]!.name!));
        }
        assertEquals(seen, [
          "open_web_browser {}",
          `navigate {"url":"${standin.qaUrl}"}`,
          `click_at ${JSON.stringify(QA_TARGETS.status)}`,
          `answer: The QA dashboard shows "Deploy status: ${QA_DEPLOY_STATUS}". The deploy is passing.`,
        ]);
      }
      assertEquals(standin.requests.map((r) => r.path).slice(0, 1), [
        `/v1beta/models/${MODEL}:generateContent`,
      ]);
      assertEquals(standin.requests.at(-1)!.path, `/v1/models/${MODEL}:generateContent`);
    } finally {
      await standin.close();
    }
  },
});

Deno.test({
  name:
    "Gemini stand-in: a URL in the instruction is where it navigates; 'save' needs confirmation",
  permissions: { net: ["127.0.0.1"] },
  async fn() {
    const standin = startGeminiStandIn({ log: () => {} });
    try {
      const ai = client(standin.url, "any-key");
      const nav = await ai.models.generateContent({
        model: MODEL,
        contents: [
          first("Open http://qa.internal.test/deploys."),
          called("open_web_browser"),
          answer("open_web_browser"),
        ],
        config: { tools: TOOLS },
      });
      assertEquals(nav.functionCalls?.[0]?.args, { url: "http://qa.internal.test/deploys" });
      const contents = [first("Save a note on the QA dashboard")];
      for (const name of ["navigate", "type_text_at"]) {
        const r = await ai.models.generateContent({
          model: MODEL,
          contents,
          config: { tools: TOOLS },
        });
        assertEquals(r.functionCalls?.[0]?.name, name);
        contents.push(r.candidates![0]!.content!, answer(name));
      }
      const save = await ai.models.generateContent({
        model: MODEL,
        contents,
        config: { tools: TOOLS },
      });
      assertEquals(save.functionCalls?.[0]?.name, "click_at");
      assertEquals(save.functionCalls?.[0]?.args?.safety_decision, {
        decision: "require_confirmation",
        explanation: "Saving a note changes the QA dashboard.",
      });
    } finally {
      await standin.close();
    }
  },
});

/** The calls (and final answer) a scripted conversation produces, turn by turn, via the SDK. */
async function converse(url: string, model: string, instruction: string): Promise<string[]> {
  const ai = client(url);
  const contents: Content[] = [first(instruction)];
  const seen: string[] = [];
  for (let turn = 0; turn < 8; turn++) {
    const r = await ai.models.generateContent({ model, contents, config: { tools: TOOLS } });
    const calls = r.functionCalls ?? [];
    if (calls.length === 0) {
      seen.push(`answer: ${r.text}`);
      break;
    }
    seen.push(`${calls[0]!.name} ${JSON.stringify(calls[0]!.args)}`);
    contents.push(r.candidates![0]!.content!, answer(calls[0]!.name!));
  }
  return seen;
}

Deno.test({
  name:
    "Gemini stand-in: a current model (gemini-3.5-flash, any non-legacy name) answers with the current function set",
  permissions: { net: ["127.0.0.1"] },
  async fn() {
    const standin = startGeminiStandIn({ log: () => {} });
    try {
      for (const model of ["gemini-3.5-flash", "gemini-4-pro"]) {
        assertEquals(await converse(standin.url, model, "Open the QA dashboard"), [
          "take_screenshot {}",
          `navigate {"url":"${standin.qaUrl}"}`,
          `click ${JSON.stringify(QA_TARGETS.status)}`,
          `answer: The QA dashboard shows "Deploy status: ${QA_DEPLOY_STATUS}". The deploy is passing.`,
        ], model);
        assertEquals(await converse(standin.url, model, "Save a note on the QA dashboard"), [
          `navigate {"url":"${standin.qaUrl}"}`,
          `click ${JSON.stringify(QA_TARGETS.note)}`,
          `type {"text":"deploy verified","press_enter":false}`,
          `click ${
            JSON.stringify({
              ...QA_TARGETS.save,
              safety_decision: {
                decision: "require_confirmation",
                explanation: "Saving a note changes the QA dashboard.",
              },
            })
          }`,
          "answer: Saved the note 'deploy verified' on the QA dashboard.",
        ], model);
      }
      // Each legacy model still gets the legacy names.
      for (const model of LEGACY_COMPUTER_USE_MODELS) {
        const seen = await converse(standin.url, model, "Open the QA dashboard");
        assertEquals(seen.map((s) => s.split(" ")[0]), [
          "open_web_browser",
          "navigate",
          "click_at",
          "answer:",
        ], model);
      }
    } finally {
      await standin.close();
    }
  },
});

Deno.test("generationOf() names the three legacy models and nothing else", () => {
  const cases: [string, "legacy" | "current"][] = [
    ["gemini-2.5-computer-use-preview-10-2025", "legacy"],
    ["gemini-3-flash-preview", "legacy"],
    ["gemini-3.1-pro-preview", "legacy"],
    ["gemini-3.5-flash", "current"],
    ["gemini-3-flash", "current"],
    ["gemini-2.5-computer-use-preview", "current"],
  ];
  for (const [model, want] of cases) assertEquals(generationOf(model), want, model);
});

Deno.test({
  name: "Gemini stand-in: fails the turns and keys a real API would refuse, with its errors",
  permissions: { net: ["127.0.0.1"] },
  async fn() {
    const standin = startGeminiStandIn({ apiKey: "k", log: () => {} });
    try {
      const ask = (contents: Content[], opts: { key?: string; tools?: boolean } = {}) =>
        errorOf(
          client(standin.url, opts.key ?? "k").models.generateContent({
            model: MODEL,
            contents,
            config: opts.tools === false ? {} : { tools: TOOLS },
          }),
        );
      const start = [first("Open the QA dashboard"), called("click_at", { x: 1, y: 1 })];
      const cases: [Promise<{ status?: number; message: string }>, number, string][] = [
        [
          ask([...start, answer("click_at", { png: null })]),
          400,
          "Function response for 'click_at' must include a PNG screenshot.",
        ],
        [
          ask([...start, answer("click_at", { png: btoa("GIF89a not a png") })]),
          400,
          "Function response for 'click_at' must include a PNG screenshot.",
        ],
        [
          ask([...start, answer("click_at", { url: "" })]),
          400,
          "Function response for 'click_at' must include the current 'url'.",
        ],
        [
          ask([...start, answer("navigate")]),
          400,
          "Function response 'navigate' does not answer the function call 'click_at'.",
        ],
        [
          ask([...start, {
            role: "user",
            parts: [...answer("click_at").parts!, ...answer("click_at").parts!],
          }]),
          400,
          "Please ensure that the number of function response parts is equal to the number of function call parts of the function call turn.",
        ],
        [
          ask([first("Open"), answer("click_at")]),
          400,
          "Please ensure that function response turn comes immediately after a function call turn.",
        ],
        [
          ask([first("Open")], { key: "wrong" }),
          400,
          "API key not valid. Please pass a valid API key.",
        ],
        [
          ask([first("Open")], { tools: false }),
          400,
          "This stand-in answers only Computer Use requests",
        ],
      ];
      for (const [pending, status, message] of cases) {
        const err = await pending;
        assertEquals(err.status, status, message);
        assertStringIncludes(err.message, message);
      }
      // Outside the SDK: no key at all, bad JSON, unknown paths.
      const post = (path: string, body: string, headers: Record<string, string> = {}) =>
        fetch(`${standin.url}${path}`, { method: "POST", body, headers }).then(async (r) => ({
          status: r.status,
          body: await r.json(),
        }));
      const noKey = await post(`/v1beta/models/${MODEL}:generateContent`, "{}");
      assertEquals([noKey.status, noKey.body.error.status], [403, "PERMISSION_DENIED"]);
      const badJson = await post(`/v1beta/models/${MODEL}:generateContent?key=k`, "{", {});
      assertEquals(badJson.body.error, {
        code: 400,
        message: "Invalid JSON payload received.",
        status: "INVALID_ARGUMENT",
      });
      const noContents = await post(`/v1beta/models/${MODEL}:generateContent?key=k`, "{}", {});
      assertStringIncludes(noContents.body.error.message, "* GenerateContentRequest.contents:");
      const unknown = await post("/v1beta/models/x:countTokens", "{}", { "x-goog-api-key": "k" });
      assertEquals([unknown.status, unknown.body.error.status], [404, "NOT_FOUND"]);
      // Every parsed Computer Use request is recorded (refused turns too); refused keys are not.
      assertEquals(standin.requests.length, 6);
    } finally {
      await standin.close();
    }
  },
});

Deno.test({
  name: "Gemini stand-in: faults answer 429 with RetryInfo, then 500, then recover",
  permissions: { net: ["127.0.0.1"] },
  async fn() {
    const standin = startGeminiStandIn({
      faults: [{ kind: "status", status: 429, retryDelaySeconds: 2 }, {
        kind: "status",
        status: 500,
      }],
      log: () => {},
    });
    try {
      const ask = () =>
        client(standin.url).models.generateContent({
          model: MODEL,
          contents: [first("Open the QA dashboard")],
          config: { tools: TOOLS },
        });
      const limited = await errorOf(ask());
      assertEquals(limited.status, 429);
      assertEquals(JSON.parse(limited.message).error.details, [
        { "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "2s" },
      ]);
      assertEquals((await errorOf(ask())).status, 500);
      assertEquals((await ask()).functionCalls?.[0]?.name, "open_web_browser");
    } finally {
      await standin.close();
    }
  },
});

Deno.test({
  name: "serveQaDashboard() serves the QA page and its details page on loopback",
  permissions: { net: ["127.0.0.1"] },
  async fn() {
    const qa = serveQaDashboard();
    try {
      const page = await fetch(qa.url);
      assertEquals(page.headers.get("content-type"), "text/html; charset=utf-8");
      assertStringIncludes(await page.text(), `Deploy status: ${QA_DEPLOY_STATUS}`);
      const details = await fetch(new URL("details.html", qa.url));
      assertStringIncludes(await details.text(), "Build 1234 deployed to staging");
      const missing = await fetch(new URL("/nope", qa.url));
      assertEquals(missing.status, 404);
      await missing.body?.cancel();
    } finally {
      await qa.close();
    }
  },
});

Deno.test("Gemini stand-in CLI prints its URLs, serves /qa/ and refuses an unknown script", async () => {
  const main = new URL("./main.ts", import.meta.url).pathname;
  const bad = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-net", main, "--script", "chaos"],
    stdout: "null",
    stderr: "piped",
  }).output();
  assertEquals(bad.code, 2);
  assertStringIncludes(
    new TextDecoder().decode(bad.stderr),
    "Cannot script the stand-in as '--script' must be one of auto, qa, confirm, unknown_action: current value is chaos",
  );
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-net", main, "--port", "0", "--script", "qa"],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr = child.stderr.pipeTo(new WritableStream());
  const lines = readLines(child.stdout);
  try {
    const info = JSON.parse((await lines.next()).value!);
    assertEquals(info.standin, "gemini");
    assertEquals(info.qa_url, `${info.url}/qa/`);
    assertStringIncludes(await (await fetch(info.qa_url)).text(), "QA dashboard");
  } finally {
    child.kill("SIGTERM");
    for await (const _ of lines) { /* drain until exit */ }
    assertEquals((await child.status).code, 0);
    await stderr;
  }
});
