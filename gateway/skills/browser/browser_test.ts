/**
 * The browser skill in real Chromium, through the engine (and the HTTP API where it shows):
 * the Computer Use loop against the Gemini stand-in, scaled clicks and typing on the QA
 * dashboard, confirmation pauses, the check mode, provider faults, page and driver crashes,
 * the sandbox, and no Chromium left behind.
 *
 * One driver (one Chromium) serves the whole file, so test sanitizers are off: the driver
 * process deliberately outlives each test. The last tests prove that nothing is left over.
 */
import {
  assert,
  assertEquals,
  assertMatch,
  assertStringIncludes,
} from "@shared/testing/asserts.ts";
import { type JobRecord, TaskSpec } from "@shared/schemas/mod.ts";
import { costUsd } from "@shared/pricing/pricing.ts";
import { readLines } from "@shared/io/lines.ts";
import { type GeminiFault, startGeminiStandIn } from "@shared/standins/gemini/gemini_standin.ts";
import { type GeminiScript, SCRIPTS } from "@shared/standins/gemini/gemini_scripts.ts";
import { QA_DEPLOY_STATUS, QA_TARGETS } from "@shared/standins/gemini/qa_dashboard.ts";
import { MemoryQueue } from "../../queue/memory/memory_queue.ts";
import { Tracer } from "../../traces/tracer.ts";
import { Metrics } from "../../metrics/metrics.ts";
import { Engine } from "../../engine/engine.ts";
import { createApp } from "../../app.ts";
import type { Skill, SkillContext } from "../../skill_kit/skill.ts";
import { createBrowserSkill, DEFAULT_BROWSER_MODEL } from "./browser_skill.ts";
import type { ActionTarget } from "./browser_actions.ts";
import { type FunctionSet, LEGACY_MODELS, planCall } from "./function_sets/function_set.ts";
import { LEGACY_SET } from "./function_sets/legacy.ts";
import { CURRENT_SET } from "./function_sets/current.ts";
import { DriverClient, DriverError } from "./driver_client.ts";
import type { DriverCall } from "./driver_protocol.ts";
import { alive, descendants } from "./_testdata/process_tree.ts";

const browser = createBrowserSkill();
const opts = { sanitizeResources: false, sanitizeOps: false };
const SEED = "Open the QA dashboard to verify deploy status";
const LEGACY_MODEL = LEGACY_MODELS[0];

/** The two generations: the model that speaks each, and its click function's name. */
const GENERATIONS = [
  { set: "current", model: undefined, click: "click", first: "take_screenshot", type: "type" },
  {
    set: "legacy",
    model: LEGACY_MODEL,
    click: "click_at",
    first: "open_web_browser",
    type: "type_text_at",
  },
] as const;

/** One function set's plan for a call, which must be a driver call. */
function planned(
  set: FunctionSet,
  name: string,
  args: Record<string, unknown>,
  target: ActionTarget,
) {
  const plan = planCall(set, name, args, target);
  assert(plan.kind === "call", `${name}: ${JSON.stringify(plan)}`);
  return plan.call;
}

async function setup(
  options: {
    script?: GeminiScript;
    faults?: GeminiFault[];
    env?: Record<string, string>;
    skill?: Skill;
    /** `BROWSER_MODEL`; unset runs the default (current generation). */
    model?: string;
  } = {},
) {
  const standin = startGeminiStandIn({
    apiKey: "test-key",
    ...(options.script ? { script: options.script } : {}),
    faults: options.faults ?? [],
    log: () => {},
  });
  const dataDir = await Deno.makeTempDir({ prefix: "browser-data-" });
  const env: Record<string, string> = {
    GEMINI_API_KEY: "test-key",
    GEMINI_BASE_URL: standin.url,
    ...(options.model ? { BROWSER_MODEL: options.model } : {}),
    ...options.env,
  };
  const ctx: SkillContext = { dataDir, env: (n) => env[n] || undefined, settings: {} };
  const skill = options.skill ?? browser.skill;
  const queue = new MemoryQueue();
  const tracer = new Tracer([]);
  const metrics = new Metrics(() => queue.depth());
  const engine = new Engine({
    queue,
    skills: [skill],
    skillContext: ctx,
    tracer,
    metrics,
    dataDir,
    random: () => 0.5,
  });
  engine.start();
  const app = createApp({
    queue,
    tracer,
    metrics,
    skills: [skill],
    engine,
    dataDir,
    maxAttempts: () => skill.retry.attempts,
  });
  const http = async (method: string, path: string, body?: unknown) => {
    const res = await app.request(path, {
      method,
      ...(body === undefined
        ? {}
        : { body: JSON.stringify(body), headers: { "content-type": "application/json" } }),
    });
    const text = await res.text();
    return { status: res.status, text, json: () => JSON.parse(text) };
  };
  const submit = async (instruction: string, params: Record<string, unknown> = {}) =>
    (await queue.enqueue({
      utterance_id: `u-${crypto.randomUUID().slice(0, 8)}`,
      text: instruction,
      source: "voice",
    }, [
      {
        spec: TaskSpec.parse({ intent: "browser", instruction, params }),
        max_attempts: skill.retry.attempts,
      },
    ])).jobs[0]!;
  const waitFor = async (id: string, pred: (j: JobRecord) => boolean) => {
    for (let i = 0; i < 1600; i++) {
      const j = (await queue.get(id))!;
      if (pred(j)) return j;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`job ${id} stuck: ${JSON.stringify(await queue.get(id))}`);
  };
  const final = (id: string) =>
    waitFor(id, (j) => ["succeeded", "failed", "dead", "cancelled"].includes(j.status));
  const actions = async (id: string) =>
    JSON.parse(await Deno.readTextFile(`${dataDir}/artifacts/${id}/actions.json`));
  return {
    standin,
    dataDir,
    engine,
    tracer,
    http,
    submit,
    waitFor,
    final,
    actions,
    async close() {
      await engine.stop({ graceMs: 3000 });
      await tracer.close();
      await standin.close();
      await Deno.remove(dataDir, { recursive: true });
    },
  };
}

/** The same skill with quicker retries, so that fault tests do not wait whole seconds. */
function quickRetries(skill: Skill): Skill {
  return { ...skill, retry: { ...skill.retry, base_delay_ms: 50, max_delay_ms: 2000 } };
}

for (const gen of GENERATIONS) {
  Deno.test({
    name:
      `browser: the seed request, posted to the gateway, drives Chromium to the right answer (${gen.set} set, ${
        gen.model ?? "default model"
      })`,
    ...opts,
    async fn() {
      const t = await setup(gen.model ? { model: gen.model } : {});
      const model = gen.model ?? DEFAULT_BROWSER_MODEL;
      try {
        const posted = await t.http("POST", "/task", { text: SEED, source: "voice" });
        assertEquals(posted.status, 202, posted.text);
        const { utterance_id, jobs } = posted.json();
        assertEquals(jobs.map((j: { intent: string }) => j.intent), ["browser"]);
        const id = jobs[0].job_id;
        await t.final(id);
        const done = (await t.http("GET", `/status/${id}`)).json();
        assertEquals(done.status, "succeeded", JSON.stringify(done.error));
        assertStringIncludes(done.result.answer, `Deploy status: ${QA_DEPLOY_STATUS}`);
        assertEquals(done.result.final_url, t.standin.qaUrl);
        assertEquals(done.result.screenshot, "step-04.png");
        assertEquals([done.result.model, done.result.function_set], [model, gen.set]);
        assertEquals(t.standin.requests[0]!.path, `/v1beta/models/${model}:generateContent`);
        // The same tool declaration for both generations: the model's name decides the set.
        assertEquals(t.standin.requests[0]!.computerUse, { environment: "ENVIRONMENT_BROWSER" });
        // Every screenshot and the action log are stored under artifacts/<job_id>/.
        const names = done.result.artifacts.map((a: { name: string }) => a.name).sort();
        assertEquals(names, [
          "actions.json",
          "step-01.png",
          "step-02.png",
          "step-03.png",
          "step-04.png",
        ]);
        for (const a of done.result.artifacts) {
          assertEquals(a.path, `artifacts/${id}/${a.name}`);
          const bytes = await Deno.readFile(`${t.dataDir}/${a.path}`);
          if (a.name.endsWith(".png")) {
            assertEquals([...bytes.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
          }
        }
        const actions = await t.actions(id);
        assertEquals(actions.map((a: { action: string }) => a.action), [
          gen.first,
          "navigate",
          gen.click,
        ]);
        assert(actions.every((a: { error?: string }) => a.error === undefined));
        // The click on the status was scaled from the 0–999 grid to the 1440×900 viewport.
        assertEquals(actions[2].executed, {
          op: "click",
          context: actions[2].executed.context,
          x: 300,
          y: 165,
        });
        // Every call was answered with the URL and a PNG screenshot.
        for (const r of t.standin.requests.slice(1)) {
          const reply = r.contents.at(-1)!.parts[0]!.functionResponse!;
          assert(typeof reply.response.url === "string" && reply.response.url !== "");
        }
        // Tokens from usageMetadata, cost from the price table, rolled up per utterance.
        const usage = done.usage;
        assertEquals(usage.provider, "google");
        assertEquals(usage.model, model);
        assert(usage.input_tokens > 4 * 1032, `input tokens ${usage.input_tokens}`);
        assert(usage.cost_usd > 0);
        assertEquals(
          usage.cost_usd,
          costUsd({
            provider: "google",
            model,
            input_tokens: usage.input_tokens,
            output_tokens: usage.output_tokens,
          }),
        );
        const utterance = (await t.http("GET", `/utterances/${utterance_id}`)).json();
        assertEquals(utterance.status, "succeeded");
        assertEquals(utterance.cost_usd, usage.cost_usd);
        const metrics = (await t.http("GET", "/metrics")).text;
        assertStringIncludes(
          metrics,
          `orchestrator_cost_usd_total{provider="google",model="${model}"} `,
        );
        assertMatch(
          metrics,
          /orchestrator_tokens_total\{provider="google",[^}]*kind="input"\} \d+/,
        );
        const succeeded = t.tracer.recent({ job_id: id, event: "job.succeeded" });
        assertEquals(succeeded[0]?.cost_usd, usage.cost_usd);
        // The first turn carried a screenshot; only the last three turns keep theirs.
        const requests = t.standin.requests;
        assert(
          requests[0]!.contents[0]!.parts.some((p) => p.inlineData?.mimeType === "image/png"),
        );
        const last = requests[requests.length - 1]!.contents;
        const withShots = last.filter((c) =>
          c.parts.some((p) => p.inlineData || p.functionResponse?.parts?.length)
        );
        assertEquals(withShots.length, 3);
        assertEquals(last.length, 7);
      } finally {
        await t.close();
      }
    },
  });
}

Deno.test({
  name:
    "browser: legacy set: scaled clicks, typing, keys and scrolling land on the intended elements",
  ...opts,
  async fn() {
    const standin = startGeminiStandIn({ log: () => {} });
    const client = await browser.supervisor.ensure();
    const { context } = await client.call({ op: "open_context", width: 1440, height: 900 });
    const target = { context_id: context!, width: 1440, height: 900 };
    const act = async (name: string, args: Record<string, unknown>) =>
      await client.call(planned(LEGACY_SET, name, args, target));
    const shows = async (expect: string) =>
      (await client.call({ op: "check", context: context!, expect })).found;
    try {
      await act("navigate", { url: standin.qaUrl });
      const status = planned(LEGACY_SET, "click_at", QA_TARGETS.status, target);
      assert(status.op === "click");
      const { x, y } = status;
      const at = await client.call({ op: "text_at", context: context!, x, y });
      assertEquals(at.text, `Deploy status: ${QA_DEPLOY_STATUS}`);
      await act("type_text_at", { ...QA_TARGETS.note, text: "ship it", press_enter: false });
      await act("click_at", QA_TARGETS.save);
      assertEquals(await shows("Saved: ship it"), true);
      // clear_before_typing replaces what the field held.
      await act("type_text_at", { ...QA_TARGETS.note, text: "second", press_enter: false });
      await act("click_at", QA_TARGETS.save);
      assertEquals(await shows("Saved: second"), true);
      // Select all and delete with a key combination.
      await act("click_at", QA_TARGETS.note);
      await act("key_combination", { keys: "control+a" });
      await act("key_combination", { keys: "Backspace" });
      await act("click_at", QA_TARGETS.save);
      assertEquals(await shows("Saved: second"), false);
      assertEquals(await shows("#saved"), true);
      // Scrolling brings the report's end into view.
      // (A page down scrolls one viewport, 900 px; the footer sits at 2400 px.)
      const footer = { op: "text_at", context: context!, x: 260, y: 2400 - 1800 + 10 } as const;
      assert((await client.call(footer)).text !== "End of the QA report");
      await act("scroll_document", { direction: "down" });
      await act("scroll_document", { direction: "down" });
      assertEquals((await client.call(footer)).text, "End of the QA report");
      await act("scroll_at", { x: 500, y: 500, direction: "up", magnitude: 999 });
      await act("scroll_at", { x: 500, y: 500, direction: "up", magnitude: 999 });
      assert((await client.call(footer)).text !== "End of the QA report");
      await act("scroll_document", { direction: "up" });
      // A scaled click on the link navigates; go_back returns.
      const nav = await act("click_at", QA_TARGETS.details);
      assertMatch(nav.url ?? "", /\/qa\/details\.html$/);
      assertEquals((await act("go_back", {})).url, standin.qaUrl);
      assertMatch((await act("go_forward", {})).url ?? "", /\/qa\/details\.html$/);
    } finally {
      await client.call({ op: "close_context", context: context! });
      await standin.close();
    }
  },
});

Deno.test({
  name:
    "browser: current set: every function acts in Chromium at the scaled point (clicks, buttons, keys, typing, scrolling, history)",
  ...opts,
  async fn() {
    const standin = startGeminiStandIn({ log: () => {} });
    const client = await browser.supervisor.ensure();
    const { context } = await client.call({ op: "open_context", width: 1440, height: 900 });
    const target = { context_id: context!, width: 1440, height: 900, page_timeout_ms: 10_000 };
    const act = async (name: string, args: Record<string, unknown> = {}) =>
      await client.call(planned(CURRENT_SET, name, args, target));
    const shows = async (expect: string) =>
      (await client.call({ op: "check", context: context!, expect })).found;
    // What reached the pad since the last look (the page logs it into #pad-log).
    const padLog = { x: 1000, y: 265 }; // #pad-log at 800..1300 × 260.. px
    let seen = 0;
    const padEvents = async () => {
      const text = (await client.call({ op: "text_at", context: context!, ...padLog })).text ?? "";
      const all = text.split(" ").filter(Boolean);
      const fresh = all.slice(seen);
      seen = all.length;
      return fresh;
    };
    try {
      assertEquals((await act("navigate", { url: standin.qaUrl })).url, standin.qaUrl);
      // `type` types into the focused element: a click on the field focuses it first.
      await act("click", QA_TARGETS.note);
      await act("type", { text: "ship it" });
      await act("click", QA_TARGETS.save);
      assertEquals(await shows("Saved: ship it"), true);
      // A triple click selects the field's text, so typing replaces it.
      await act("triple_click", QA_TARGETS.note);
      await act("type", { text: "second" });
      await act("click", QA_TARGETS.save);
      assertEquals(await shows("Saved: second"), true);
      // hotkey and press_key: select all, delete.
      await act("click", QA_TARGETS.note);
      await act("hotkey", { keys: ["control", "a"] });
      await act("press_key", { key: "backspace" });
      await act("click", QA_TARGETS.save);
      assertEquals(await shows("Saved: second"), false);
      assertEquals(await shows("#saved"), true);
      // Mouse buttons and click counts, as the page saw them.
      await act("click", QA_TARGETS.pad);
      assertEquals(await padEvents(), ["down:0:1", "up:0"]);
      const double = await (act("double_click", QA_TARGETS.pad).then(padEvents));
      assert(double.includes("dblclick") && double.includes("down:0:2"), double.join(" "));
      const triple = await (act("triple_click", QA_TARGETS.pad).then(padEvents));
      assert(triple.includes("down:0:3"), triple.join(" "));
      const middle = await (act("middle_click", QA_TARGETS.pad).then(padEvents));
      assert(middle.includes("down:1:1") && middle.includes("auxclick:1"), middle.join(" "));
      const right = await (act("right_click", QA_TARGETS.pad).then(padEvents));
      assert(right.includes("down:2:1") && right.includes("contextmenu:2"), right.join(" "));
      await act("mouse_down", QA_TARGETS.pad);
      assertEquals(await padEvents(), ["down:0:1"]);
      await act("move", { x: 650, y: 220 });
      await act("mouse_up", QA_TARGETS.pad);
      assertEquals(await padEvents(), ["up:0"]);
      await act("key_down", { key: "shift" });
      await act("key_up", { key: "shift" });
      assertEquals(await padEvents(), ["keydown:Shift", "keyup:Shift"]);
      // Scrolling by a magnitude on the 0–999 grid brings the report's end into view and back.
      const footer = { op: "text_at", context: context!, x: 260, y: 2400 - 1800 + 10 } as const;
      assert((await client.call(footer)).text !== "End of the QA report");
      await act("scroll", { x: 500, y: 500, direction: "down", magnitude: 999 });
      await act("scroll", { x: 500, y: 500, direction: "down", magnitude: 999 });
      assertEquals((await client.call(footer)).text, "End of the QA report");
      await act("scroll", { x: 500, y: 500, direction: "up", magnitude: 999 });
      await act("scroll", { x: 500, y: 500, direction: "up", magnitude: 999 });
      assert((await client.call(footer)).text !== "End of the QA report");
      await act("wait", { seconds: 0 });
      // A scaled click on the link navigates; go_back and go_forward walk the history.
      assertMatch((await act("click", QA_TARGETS.details)).url ?? "", /\/qa\/details\.html$/);
      assertEquals((await act("go_back")).url, standin.qaUrl);
      assertMatch((await act("go_forward")).url ?? "", /\/qa\/details\.html$/);
    } finally {
      await client.call({ op: "close_context", context: context! });
      await standin.close();
    }
  },
});

Deno.test({
  name: "browser: the driver RPC refuses calls without its token, bad calls and unknown contexts",
  ...opts,
  async fn() {
    const client = await browser.supervisor.ensure();
    const stranger = new DriverClient(client.url, "not-the-token");
    const cases: [DriverClient, unknown, string, string][] = [
      [
        stranger,
        { op: "open_context", width: 10, height: 10 },
        "unauthorized",
        "a valid bearer token is required",
      ],
      [client, { op: "fly" }, "bad_call", "op: Invalid discriminator value"],
      [
        client,
        { op: "navigate", context: "ctx-00000000", url: "file:///etc/passwd" },
        "bad_call",
        "url: Only http(s) URLs and about:blank can be opened",
      ],
      [
        client,
        { op: "screenshot", context: "ctx-00000000" },
        "unknown_context",
        "unknown browser context 'ctx-00000000'",
      ],
    ];
    for (const [who, call, code, message] of cases) {
      const err = await who.call(call as DriverCall).then(() => null, (e) => e);
      assert(err instanceof DriverError, JSON.stringify(call));
      assertEquals(err.code, code);
      assertStringIncludes(err.message, message);
    }
  },
});

for (
  const [decision, gen] of [
    ["allow", GENERATIONS[0]],
    ["deny", GENERATIONS[0]],
    ["allow", GENERATIONS[1]],
    ["deny", GENERATIONS[1]],
  ] as const
) {
  Deno.test({
    name:
      `browser: require_confirmation pauses the job (seen in /status and /utterances); ${decision} ${
        decision === "allow" ? "resumes" : "ends"
      } it (${gen.set} set)`,
    ...opts,
    async fn() {
      const t = await setup(gen.model ? { model: gen.model } : {});
      try {
        const posted = (await t.http("POST", "/task", {
          tasks: [{ intent: "browser", instruction: "Save a note on the QA dashboard" }],
        })).json();
        const id = posted.jobs[0].job_id;
        await t.waitFor(id, (j) => j.status === "awaiting_confirmation");
        const paused = (await t.http("GET", `/status/${id}`)).json();
        assertEquals(paused.status, "awaiting_confirmation");
        assertEquals(paused.confirmation.prompt, "Saving a note changes the QA dashboard.");
        assertEquals(paused.confirmation.action.name, gen.click);
        const utterance = (await t.http("GET", `/utterances/${posted.utterance_id}`)).json();
        assertEquals(utterance.status, "awaiting_confirmation");
        const confirmed = await t.http("POST", `/jobs/${id}/confirm`, { decision });
        assertEquals(confirmed.status, 202, confirmed.text);
        const done = await t.final(id);
        const actions = await t.actions(id);
        assertEquals(actions.find((a: { action: string }) => a.action === "confirmation"), {
          action: "confirmation",
          name: gen.click,
          decision,
        });
        if (decision === "allow") {
          assertEquals(done.status, "succeeded", JSON.stringify(done.error));
          assertStringIncludes(String(done.result?.answer), "Saved the note");
          const last = t.standin.requests.at(-1)!.contents.at(-1)!;
          assertEquals(last.parts[0]?.functionResponse?.response?.safety_acknowledgement, "true");
          // The click it allowed did happen: the page's Save button sent the typed note.
          assertEquals(actions.at(-1).action, gen.click);
          for (let i = 0; i < 100 && t.standin.savedNotes.length === 0; i++) {
            await new Promise((r) => setTimeout(r, 20));
          }
          assertEquals(t.standin.savedNotes, ["deploy verified"]);
        } else {
          assertEquals(done.status, "failed");
          assertEquals(done.error, {
            code: "confirmation_denied",
            message: `A person denied '${gen.click}': Saving a note changes the QA dashboard.`,
            retryable: false,
          });
          assertEquals(actions.at(-1).action, "confirmation");
          assertEquals(t.standin.savedNotes, [], "a denied click saves nothing");
        }
        const again = await t.http("POST", `/jobs/${id}/confirm`, { decision });
        assertEquals(again.status, 409);
      } finally {
        await t.close();
      }
    },
  });
}

Deno.test({
  name: "browser: an unknown function gets an error response and the loop goes on",
  ...opts,
  async fn() {
    const t = await setup({ script: SCRIPTS.unknown_action });
    try {
      const job = await t.submit(SEED);
      const done = await t.final(job.job_id);
      assertEquals(done.status, "succeeded", JSON.stringify(done.error));
      const actions = await t.actions(job.job_id);
      const error = `Unknown function 'teleport': this browser offers ${
        Object.keys(CURRENT_SET.functions).join(", ")
      }`;
      assertEquals([actions[0].action, actions[0].error, actions[0].refused], [
        "teleport",
        error,
        "unknown_function",
      ]);
      const reply = t.standin.requests[1]!.contents.at(-1)!.parts[0]!.functionResponse!;
      assertEquals(reply.response.error, error);
      assertEquals(reply.parts?.[0]?.inlineData?.mimeType, "image/png");
    } finally {
      await t.close();
    }
  },
});

Deno.test({
  name: "browser: arguments a function cannot take are answered with the exact error, not run",
  ...opts,
  async fn() {
    const t = await setup({
      script: (_, qa) => [
        { calls: [{ name: "click", args: { x: "ten", y: 5 } }] },
        { calls: [{ name: "scroll", args: { x: 1, y: 1, direction: "sideways" } }] },
        { calls: [{ name: "navigate", args: { url: qa } }] },
        { text: "Opened the QA dashboard." },
      ],
    });
    try {
      const done = await t.final((await t.submit(SEED)).job_id);
      assertEquals(done.status, "succeeded", JSON.stringify(done.error));
      const errors = t.standin.requests.slice(1, 3).map((r) =>
        r.contents.at(-1)!.parts[0]!.functionResponse!
      );
      assertEquals(errors.map((e) => e.response.error), [
        "Cannot run 'click': 'x' must be a number on the 0-999 grid",
        "Cannot run 'scroll': 'direction' must be one of up, down, left, right",
      ]);
      // Refused calls are still answered with the URL and a screenshot.
      for (const e of errors) {
        assertEquals(e.response.url, "about:blank");
        assertEquals(e.parts?.[0]?.inlineData?.mimeType, "image/png");
      }
      const actions = await t.actions(done.job_id);
      assertEquals(actions.map((a: { executed?: unknown }) => a.executed === undefined), [
        true,
        true,
        false,
      ]);
    } finally {
      await t.close();
    }
  },
});

Deno.test({
  name:
    "browser: a current model answering after only refused calls (legacy names) fails with no_action",
  ...opts,
  async fn() {
    // The failure this guards against: a model whose function names the loop does not know
    // "succeeds" having done nothing.
    const t = await setup({
      script: (_, qa) => [
        { calls: [{ name: "navigate", args: { url: "file:///etc/passwd" } }] },
        { calls: [{ name: "click_at", args: { ...QA_TARGETS.status } }] },
        {
          calls: [{ name: "take_screenshot", args: {} }, {
            name: "hover_at",
            args: { x: 1, y: 1 },
          }],
        },
        { text: `The QA dashboard at ${qa} shows the deploy is passing.` },
      ],
    });
    try {
      const done = await t.final((await t.submit(SEED)).job_id);
      assertEquals([done.status, done.attempts], ["failed", 1]);
      assertEquals(done.error, {
        code: "no_action",
        message:
          "The model answered without any action having run: 3 call(s) were refused (navigate, click_at, hover_at); the answer is not trusted",
        retryable: false,
      });
      assertEquals((await t.actions(done.job_id)).length, 4);
    } finally {
      await t.close();
    }
  },
});

Deno.test({
  name: "browser: a page the model cannot open is reported to it, and the loop goes on",
  ...opts,
  async fn() {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const closed = `http://127.0.0.1:${listener.addr.port}/`;
    listener.close(); // nothing listens there now
    const t = await setup({
      script: (_, qa) => [
        { calls: [{ name: "navigate", args: { url: closed } }] },
        { calls: [{ name: "navigate", args: { url: "file:///etc/passwd" } }] },
        { calls: [{ name: "navigate", args: { url: qa } }] },
        { text: "Opened the QA dashboard on the second try." },
      ],
    });
    try {
      const job = await t.submit(SEED);
      const done = await t.final(job.job_id);
      assertEquals(done.status, "succeeded", JSON.stringify(done.error));
      assertEquals(done.result?.final_url, t.standin.qaUrl);
      const errors = t.standin.requests.slice(1, 3).map((r) =>
        r.contents.at(-1)!.parts[0]!.functionResponse!.response.error
      );
      assertStringIncludes(String(errors[0]), "net::ERR_CONNECTION_REFUSED");
      assertEquals(errors[1], "Cannot open 'file:///etc/passwd': only http(s) URLs are allowed");
    } finally {
      await t.close();
    }
  },
});

Deno.test({
  name: "browser: a page that stops responding ends the job with page_unresponsive, not a hang",
  ...opts,
  async fn() {
    const t = await setup({
      script: (_, qa) => [
        { calls: [{ name: "navigate", args: { url: `${qa}hang.html` } }] },
        { text: "unreachable" },
      ],
    });
    try {
      const job = await t.submit(SEED, { timeout_ms: 1000 });
      const done = await t.final(job.job_id);
      assertEquals([done.status, done.error?.code, done.attempts], [
        "failed",
        "page_unresponsive",
        1,
      ]);
      assertStringIncludes(done.error!.message, "page.screenshot: Timeout 1000ms exceeded");
      const actions = await t.actions(job.job_id);
      assertEquals(actions.map((a: { action: string }) => a.action), ["navigate"]);
      assertStringIncludes(actions[0].error, "page.goto: Timeout 1000ms exceeded");
      assertEquals(actions[0].screenshot, undefined);
      // The driver is fine afterwards: the next job runs.
      t.standin.faults.length = 0;
      const next = await t.final(
        (await t.submit(SEED, { mode: "check", url: t.standin.qaUrl })).job_id,
      );
      assertEquals(next.status, "succeeded", JSON.stringify(next.error));
    } finally {
      await t.close();
    }
  },
});

Deno.test({
  name: "browser: check mode passes, fails, and ends clearly on bad and unreachable pages",
  ...opts,
  async fn() {
    const t = await setup({ env: { GEMINI_API_KEY: "", GEMINI_BASE_URL: "" } });
    try {
      const run = async (params: Record<string, unknown>, instruction = "check") =>
        await t.final((await t.submit(instruction, params)).job_id);
      const url = t.standin.qaUrl;
      const pass = await run({ mode: "check", url, expect: `Deploy status: ${QA_DEPLOY_STATUS}` });
      assertEquals(pass.status, "succeeded");
      assertEquals(pass.result?.ok, true);
      assertEquals(
        pass.result?.answer,
        `Found 'Deploy status: ${QA_DEPLOY_STATUS}' on ${url} ("QA dashboard")`,
      );
      assertEquals(pass.result?.screenshot, "step-01.png");
      const selector = await run({ mode: "check", url, expect: "#deploy-status" });
      assertEquals(selector.status, "succeeded");
      // An error page is a failure even without an expectation (its words would "pass").
      const missing = await run({ mode: "check", url: `${url}no-such-page` });
      assertEquals([missing.status, missing.error?.code, missing.error?.message], [
        "failed",
        "page_error",
        `${url}no-such-page answered HTTP 404 (see step-01.png)`,
      ]);
      // No key and no params: the URL in the instruction is checked and its words reported.
      const seed = await run({}, `open ${url} to verify deploy status`);
      assertEquals(seed.status, "succeeded");
      assertStringIncludes(String(seed.result?.answer), `Deploy status: ${QA_DEPLOY_STATUS}`);
      const fail = await run({ mode: "check", url, expect: "Deploy status: FAILING" });
      assertEquals(fail.status, "failed");
      assertEquals(fail.error?.code, "check_failed");
      assertEquals(
        fail.error?.message,
        `Expected 'Deploy status: FAILING' on ${url}, but the page does not show it (see step-01.png)`,
      );
      assert(fail.result === undefined);
      assertEquals(
        (await Deno.stat(`${t.dataDir}/artifacts/${fail.job_id}/step-01.png`)).isFile,
        true,
      );
      const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
      const closed = `http://127.0.0.1:${listener.addr.port}/`;
      listener.close(); // nothing listens there now
      const gone = await run({ mode: "check", url: closed, expect: "x" });
      assertEquals([gone.status, gone.error?.code, gone.attempts], [
        "failed",
        "page_unreachable",
        1,
      ]);
      assertStringIncludes(
        gone.error!.message,
        `Cannot open ${closed}: Browser navigate failed: page.goto: net::ERR_CONNECTION_REFUSED`,
      );
      // A page whose script never yields never finishes loading: the job ends, not hangs.
      const hung = await run({
        mode: "check",
        url: `${url}hang.html`,
        expect: "x",
        timeout_ms: 1500,
      });
      assertEquals([hung.status, hung.error?.code], ["failed", "page_unreachable"]);
      assertStringIncludes(hung.error!.message, "Timeout 1500ms exceeded");
      const local = await run({ mode: "check", url: "file:///etc/passwd", expect: "root" });
      assertEquals([local.status, local.error?.code], ["failed", "bad_url"]);
      const noKey = await run({}, "open the dashboard");
      assertEquals([noKey.status, noKey.error?.code, noKey.attempts], ["failed", "no_api_key", 1]);
    } finally {
      await t.close();
    }
  },
});

Deno.test({
  name:
    "browser: 429 then success is retried after RetryInfo; 500 until attempts run out ends dead",
  ...opts,
  async fn() {
    const t = await setup({
      faults: [{ kind: "status", status: 429, retryDelaySeconds: 1 }],
      skill: quickRetries(browser.skill),
    });
    try {
      const ok = await t.final((await t.submit(SEED)).job_id);
      assertEquals(ok.status, "succeeded", JSON.stringify(ok.error));
      assertEquals(ok.attempts, 2);
      const retried = t.tracer.recent({ job_id: ok.job_id, event: "job.retry_scheduled" });
      assertEquals(retried.map((e) => [e.data?.error_code, e.data?.delay_ms]), [[
        "rate_limited",
        1000,
      ]]);
      t.standin.faults.push(...Array(3).fill({ kind: "status", status: 500 }));
      const dead = await t.final((await t.submit(SEED)).job_id);
      assertEquals(dead.status, "dead");
      assertEquals(dead.attempts, 3);
      assertEquals(dead.error?.code, "provider_error");
      assertEquals(
        dead.error?.message,
        "Gemini API answered 500: INTERNAL An internal error has occurred. Please retry.",
      );
      // Each attempt left its own screenshot and action log.
      const files = [];
      for await (const f of Deno.readDir(`${t.dataDir}/artifacts/${dead.job_id}`)) {
        files.push(f.name);
      }
      assertEquals(files.sort(), [
        "actions.json",
        "attempt2-actions.json",
        "attempt2-step-01.png",
        "attempt3-actions.json",
        "attempt3-step-01.png",
        "step-01.png",
      ]);
      assertEquals(ok.result?.screenshot, "attempt2-step-04.png");
    } finally {
      await t.close();
    }
  },
});

Deno.test({
  name:
    "browser: the turn cap (BROWSER_MAX_TURNS, or fewer per job) and the time limit end the loop",
  ...opts,
  async fn() {
    // A model that keeps moving the mouse somewhere new and never answers.
    const wander: GeminiScript = () =>
      Array.from({ length: 50 }, (_, i) => ({ calls: [{ name: "move", args: { x: i, y: 1 } }] }));
    const t = await setup({ script: wander, env: { BROWSER_MAX_TURNS: "3" } });
    try {
      const capped = await t.final((await t.submit(SEED)).job_id);
      assertEquals([capped.status, capped.attempts], ["failed", 1]);
      assertEquals(capped.error, {
        code: "turn_limit",
        message: "No final answer within 3 model turns (BROWSER_MAX_TURNS caps them)",
        retryable: false,
      });
      assertEquals((await t.actions(capped.job_id)).length, 3);
      // A job may ask for fewer turns, never for more.
      const fewer = await t.final((await t.submit(SEED, { max_turns: 2 })).job_id);
      assertEquals(
        fewer.error?.message,
        "No final answer within 2 model turns (BROWSER_MAX_TURNS caps them)",
      );
      const more = await t.final((await t.submit(SEED, { max_steps: 50 })).job_id);
      assertEquals(more.error?.code, "turn_limit");
      assertEquals((await t.actions(more.job_id)).length, 3);
      // The model takes longer than the whole loop may.
      t.standin.faults.push({ kind: "delay", ms: 1200 });
      const timed = await t.final((await t.submit(SEED, { max_duration_ms: 1000 })).job_id);
      assertEquals([timed.status, timed.error?.code], ["failed", "time_limit"]);
      assertEquals(timed.error?.message, "No final answer within 1000 ms (after 1 screenshots)");
    } finally {
      await t.close();
    }
  },
});

for (const gen of GENERATIONS) {
  Deno.test({
    name:
      `browser: the same call three times in a row ends the job with action_loop (${gen.set} set)`,
    ...opts,
    async fn() {
      const t = await setup({
        script: () => [{ calls: [{ name: gen.click, args: { ...QA_TARGETS.status } }] }],
        ...(gen.model ? { model: gen.model } : {}),
      });
      try {
        const done = await t.final((await t.submit(SEED)).job_id);
        assertEquals([done.status, done.attempts], ["failed", 1]);
        assertEquals(done.error, {
          code: "action_loop",
          message:
            `The model asked for '${gen.click}' with the same arguments 3 times in a row ({"x":208,"y":183}): it is not getting anywhere`,
          retryable: false,
        });
        const actions = await t.actions(done.job_id);
        // Two clicks ran; the third was logged with the reason and not run.
        assertEquals(
          actions.map((a: { executed?: unknown; error?: string }) => [
            a.executed !== undefined,
            a.error === undefined,
          ]),
          [[true, true], [true, true], [false, false]],
        );
        assertEquals(t.standin.requests.length, 3);
      } finally {
        await t.close();
      }
    },
  });
}

Deno.test({
  name: "browser: a model the price table lacks still runs; its tokens are kept",
  ...opts,
  async fn() {
    const t = await setup({ model: "gemini-9-unpriced" });
    try {
      const done = await t.final((await t.submit(SEED)).job_id);
      assertEquals(done.status, "succeeded", JSON.stringify(done.error));
      assertEquals(done.result?.function_set, "current");
      // On the usage when the price table leaves it uncosted, else on the result.
      const unpriced = done.result?.unpriced_usage as { input_tokens?: number } | undefined;
      const input = done.usage?.input_tokens ?? unpriced?.input_tokens ?? 0;
      assert(input > 4 * 1032, `input tokens ${input}`);
    } finally {
      await t.close();
    }
  },
});

Deno.test({
  name: "browser: a page crash ends the attempt clearly and the job is retried in a fresh page",
  ...opts,
  async fn() {
    const t = await setup({ skill: quickRetries(browser.skill), model: LEGACY_MODEL });
    try {
      const job = await t.submit("Save a note on the QA dashboard");
      await t.waitFor(job.job_id, (j) => j.status === "awaiting_confirmation");
      // Kill the page's renderer process, as an out-of-memory kill would.
      const renderers = (await descendants(browser.supervisor.pid!)).filter((p) =>
        p.cmdline.includes("--type=renderer")
      );
      assert(renderers.length > 0, "a renderer runs");
      for (const r of renderers) Deno.kill(r.pid, "SIGKILL");
      await t.engine.confirm(job.job_id, "allow");
      await t.waitFor(job.job_id, (j) => j.attempts === 2 && j.status === "awaiting_confirmation");
      const retried = t.tracer.recent({ job_id: job.job_id, event: "job.retry_scheduled" });
      assertEquals(retried[0]?.data?.error_code, "page_crashed");
      assertStringIncludes(
        String(retried[0]?.data?.error),
        "the page crashed (its renderer process is gone)",
      );
      await t.engine.confirm(job.job_id, "allow");
      const done = await t.final(job.job_id);
      assertEquals(done.status, "succeeded", JSON.stringify(done.error));
      assertEquals(browser.supervisor.restarts, 0);
      // The crashed attempt's log ends with the click that found the page gone.
      const first = await t.actions(job.job_id);
      assertEquals(first.map((a: { action: string }) => a.action), [
        "navigate",
        "type_text_at",
        "confirmation",
        "click_at",
      ]);
      assertStringIncludes(first.at(-1).error, "the page crashed");
      assertEquals(done.result?.screenshot, "attempt2-step-04.png");
    } finally {
      await t.close();
    }
  },
});

Deno.test({
  name: "browser: a driver crash mid-job restarts the driver and the job is retried",
  ...opts,
  async fn() {
    // The model answers slowly at its second turn, which leaves time to kill the driver.
    const t = await setup({ faults: [{ kind: "delay", ms: 0 }, { kind: "delay", ms: 1500 }] });
    try {
      const job = await t.submit(SEED);
      await t.waitFor(job.job_id, () => t.standin.requests.length >= 2);
      const pid = browser.supervisor.pid!;
      const chromium = await descendants(pid);
      Deno.kill(pid, "SIGKILL");
      const done = await t.final(job.job_id);
      assertEquals(done.status, "succeeded", JSON.stringify(done.error));
      assertEquals(done.attempts, 2);
      const retried = t.tracer.recent({ job_id: job.job_id, event: "job.retry_scheduled" });
      assertEquals(retried[0]?.data?.error_code, "driver_unavailable");
      assert(
        browser.supervisor.pid !== undefined && browser.supervisor.pid !== pid,
        "a new driver runs",
      );
      assertEquals(browser.supervisor.restarts, 1);
      // The killed driver's Chromium saw its pipe close and went away by itself.
      for (
        let i = 0;
        i < 100 && (await Promise.all(chromium.map((p) => alive(p.pid)))).some(Boolean);
        i++
      ) {
        await new Promise((r) => setTimeout(r, 50));
      }
      assertEquals(
        (await Promise.all(chromium.map((p) => alive(p.pid)))).filter(Boolean).length,
        0,
      );
    } finally {
      await t.close();
    }
  },
});

Deno.test({
  name: "browser: the sandboxed worker cannot reach a host outside its permissions",
  ...opts,
  async fn() {
    // The same skill, with the Gemini host left out of the worker's net permission.
    const fenced: Skill = {
      ...browser.skill,
      permissions: (c, j) => {
        const p = browser.skill.permissions(c, j);
        return { ...p, net: (p.net as string[]).slice(1) };
      },
    };
    const t = await setup({ skill: fenced });
    try {
      const done = await t.final((await t.submit(SEED)).job_id);
      assertEquals([done.status, done.error?.code], ["failed", "permission_denied"]);
      assertStringIncludes(
        done.error!.message,
        `Requires net access to "${new URL(t.standin.url).host}"`,
      );
    } finally {
      await t.close();
    }
  },
});

Deno.test({
  name: "browser: a missing Chromium ends jobs at once with browser_unavailable",
  ...opts,
  async fn() {
    const broken = createBrowserSkill({ chromiumPath: "/nonexistent/chromium" });
    const t = await setup({ skill: broken.skill });
    try {
      const done = await t.final((await t.submit(SEED)).job_id);
      assertEquals([done.status, done.error?.code, done.attempts], [
        "failed",
        "browser_unavailable",
        1,
      ]);
      assertStringIncludes(done.error!.message, "The browser driver did not start: it exited:");
      assertStringIncludes(done.error!.message, "/nonexistent/chromium");
    } finally {
      await t.close();
      await broken.close();
    }
  },
});

Deno.test({
  name: "browser: the driver closes Chromium and exits when its stdin closes (its gateway died)",
  ...opts,
  async fn() {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", new URL("./driver_main.ts", import.meta.url).pathname],
      env: { BROWSER_DRIVER_TOKEN: crypto.randomUUID() + crypto.randomUUID() },
      stdin: "piped",
      stdout: "piped",
      stderr: "null",
    }).spawn();
    const lines = readLines(child.stdout);
    assertStringIncludes((await lines.next()).value ?? "", "driver_listening");
    const chromium = await descendants(child.pid);
    assert(chromium.some((p) => p.cmdline.includes("chrom")), "Chromium runs under the driver");
    await child.stdin.close();
    for await (const _ of lines) { /* until the driver exits */ }
    assertEquals((await child.status).code, 0);
    assertEquals((await Promise.all(chromium.map((p) => alive(p.pid)))).filter(Boolean), []);
  },
});

Deno.test({
  name: "browser: closing the skill stops the driver and leaves no Chromium behind",
  ...opts,
  async fn() {
    await browser.supervisor.ensure();
    const pid = browser.supervisor.pid!;
    const chromium = await descendants(pid);
    assert(chromium.length > 0, "Chromium runs under the driver");
    await browser.close();
    assertEquals(await alive(pid), false);
    assertEquals((await Promise.all(chromium.map((p) => alive(p.pid)))).filter(Boolean), []);
    assertEquals(await descendants(pid), []);
  },
});
