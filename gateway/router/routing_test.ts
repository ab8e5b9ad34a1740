import Anthropic from "@anthropic-ai/sdk";
import { assertEquals } from "@shared/testing/asserts.ts";
import {
  type AnthropicFault,
  startAnthropicStandIn,
} from "@shared/standins/anthropic/anthropic_standin.ts";
import { echoSkill } from "../skills/echo/echo_skill.ts";
import { CODING_LEXICON, CODING_PATTERNS } from "../skills/coding/coding_patterns.ts";
import { BROWSER_LEXICON, BROWSER_PATTERNS } from "../skills/browser/browser_patterns.ts";
import type { RoutableSkill } from "./router.ts";
import { createRouting } from "./routing.ts";
import { ROUTE_TOOL } from "./model_router.ts";
import { createApp } from "../app.ts";
import { MemoryQueue } from "../queue/memory/memory_queue.ts";
import { Tracer } from "../traces/tracer.ts";
import { Metrics } from "../metrics/metrics.ts";

const skills: RoutableSkill[] = [
  echoSkill,
  { intent: "coding", patterns: CODING_PATTERNS, lexicon: CODING_LEXICON, ability: "change code" },
  { intent: "browser", patterns: BROWSER_PATTERNS, lexicon: BROWSER_LEXICON },
];
const modelAnswer = {
  tasks: [{ intent: "browser", instruction: "Find the weather", clause: "what's the weather" }],
  reason: "a web look-up",
};

async function withModel(
  faults: AnthropicFault[],
  fn: (route: ReturnType<typeof createRouting>, requests: () => number) => Promise<void>,
  timeoutMs = 2000,
) {
  const standin = await startAnthropicStandIn({
    apiKey: "k",
    faults,
    toolScript: () => modelAnswer,
    log: () => {},
  });
  const client = new Anthropic({ apiKey: "k", baseURL: standin.url, maxRetries: 0 });
  try {
    await fn(
      createRouting(skills, { mode: "auto", model: { client, timeoutMs } }),
      () => standin.requests.length,
    );
  } finally {
    await standin.close();
  }
}

Deno.test("auto routing leaves a sure decision to the patterns and asks no model", async () => {
  await withModel([], async (route, requests) => {
    const r = await route("refactor the parser module", "background");
    assertEquals(r.by, "patterns");
    assertEquals(r.tasks.map((t) => t.intent), ["coding"]);
    assertEquals(r.reason, "patterns sure (margin 5.5)");
    assertEquals(requests(), 0);
    assertEquals(r.usage, undefined);
  });
});

Deno.test("auto routing asks the model when the patterns match nothing, with a forced tool", async () => {
  await withModel([], async (route, requests) => {
    const r = await route("what's the weather", "interactive");
    assertEquals(requests(), 1);
    assertEquals(r.by, "model");
    assertEquals(r.tasks, [{
      intent: "browser",
      instruction: "Find the weather",
      params: {},
      priority: "interactive",
      clause: "what's the weather",
    }]);
    assertEquals(r.reason, "patterns matched nothing; model: a web look-up");
    assertEquals(r.usage?.model, "claude-haiku-4-5");
    assertEquals(r.usage!.input_tokens > 0 && r.usage!.output_tokens > 0, true);
    // claude-haiku-4-5: $1 / $5 per million tokens.
    assertEquals(
      r.usage!.cost_usd,
      Math.round((r.usage!.input_tokens * 1 + r.usage!.output_tokens * 5) * 1e3) / 1e9,
    );
  });
});

Deno.test("the routing tool's intent enum is exactly the registered skills", async () => {
  const standin = await startAnthropicStandIn({ apiKey: "k", log: () => {} });
  const client = new Anthropic({ apiKey: "k", baseURL: standin.url, maxRetries: 0 });
  try {
    const r = await createRouting(skills, { mode: "model", model: { client } })(
      "hmm",
      "background",
    );
    const req = standin.requests[0] as unknown as {
      tools: {
        name: string;
        input_schema: {
          properties: { tasks: { items: { properties: { intent: { enum: string[] } } } } };
        };
      }[];
      tool_choice: unknown;
    };
    assertEquals(req.tool_choice, { type: "tool", name: ROUTE_TOOL });
    assertEquals(req.tools[0]!.input_schema.properties.tasks.items.properties.intent.enum, [
      "echo",
      "coding",
      "browser",
    ]);
    // The stand-in's default answer (no tasks, the user's words as the reason) validates.
    assertEquals(r.by, "model");
    assertEquals(r.unrouted, true);
    assertEquals(r.reason, "router mode model; model: hmm");
  } finally {
    await standin.close();
  }
});

Deno.test("auto routing falls back to the patterns when the model times out", async () => {
  await withModel([{ kind: "delay", ms: 3000 }], async (route) => {
    const r = await route("what's the weather", "background");
    assertEquals(r.by, "patterns");
    assertEquals(r.unrouted, true);
    assertEquals(
      r.reason,
      "patterns matched nothing; model failed (no answer within 300 ms); patterns",
    );
  }, 300);
});

Deno.test("auto routing falls back to the patterns when the model is overloaded (529)", async () => {
  await withModel([{ kind: "status", status: 529 }], async (route) => {
    const r = await route("what's the weather", "background");
    assertEquals(r.by, "patterns");
    assertEquals(r.unrouted, true);
    assertEquals(
      r.reason.startsWith("patterns matched nothing; model failed (OverloadedError: 529"),
      true,
      r.reason,
    );
  });
});

Deno.test("POST /task: the model's usage goes on the utterance; unrouted answers say", async () => {
  await withModel([], async (route) => {
    const queue = new MemoryQueue();
    const app = createApp({
      queue,
      tracer: new Tracer([]),
      metrics: new Metrics(() => queue.depth()),
      skills,
      route,
    });
    const res = await app.request("/task", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text: "what's the weather", utterance_id: "u1" }),
    });
    assertEquals(res.status, 202);
    const fan = await (await app.request("/utterances/u1")).json();
    assertEquals(fan.usage.model, "claude-haiku-4-5");
    assertEquals(fan.cost_usd > 0, true);
  });
  const queue = new MemoryQueue();
  const app = createApp({
    queue,
    tracer: new Tracer([]),
    metrics: new Metrics(() => queue.depth()),
    skills,
  });
  const res = await app.request("/task", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ text: "order a pizza", utterance_id: "u2" }),
  });
  assertEquals(res.status, 200);
  const body = await res.json();
  assertEquals(body.unrouted, true);
  assertEquals(body.jobs, []);
  assertEquals(body.say, "I can change code; I didn't catch which.");
  assertEquals((await queue.getUtterance?.("u2"))?.job_ids ?? [], []);
});

Deno.test("POST /task traces each clause's fired terms, scores and margin, and who decided", async () => {
  await withModel([], async (route) => {
    const queue = new MemoryQueue();
    const tracer = new Tracer([]);
    const events: { event?: string; data?: Record<string, unknown> }[] = [];
    tracer.subscribe((e) => events.push(e as never));
    const app = createApp({
      queue,
      tracer,
      metrics: new Metrics(() => queue.depth()),
      skills,
      route,
    });
    const post = (text: string) =>
      app.request("/task", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ text }),
      });
    await post("add a toggle to the settings page component, then open example dot com");
    const routed = events.find((e) => e.event === "utterance.routed")!;
    const router = routed.data!.router as Record<string, unknown>;
    assertEquals(router.by, "patterns");
    assertEquals(router.reason, "patterns sure (margin 5)");
    assertEquals(router.clauses, [
      {
        clause: "add a toggle to the settings page component",
        intent: "coding",
        scores: { coding: 6 },
        margin: 6,
        fired: {
          browser: ["modifier:page"],
          coding: ["object:toggle", "object:component", "verb:add"],
        },
      },
      {
        clause: "open example dot com",
        intent: "browser",
        scores: { browser: 5 },
        margin: 5,
        fired: { browser: ["cue:spoken URL", "verb:open"] },
      },
    ]);
    events.length = 0;
    await post("what's the weather");
    const byModel = events.find((e) => e.event === "utterance.routed")!;
    const decided = byModel.data!.router as Record<string, unknown>;
    assertEquals(decided.by, "model");
    assertEquals(decided.reason, "patterns matched nothing; model: a web look-up");
    assertEquals((decided.usage as { model: string }).model, "claude-haiku-4-5");
  });
});

Deno.test("routingFromEnv(): no key means patterns only; a key and base URL reach the model", async () => {
  const { routingFromEnv } = await import("./routing_from_env.ts");
  const offline = await routingFromEnv(skills, "auto", () => undefined)("hmm", "background");
  assertEquals([offline.by, offline.reason], ["patterns", "patterns (margin 0)"]);
  // A clause the lexicons cannot place is put to the learned model, and the reason says so.
  const unsure = await routingFromEnv(skills, "auto", () => undefined)(
    "the gizmo thing in the thingamajig never fires",
    "background",
  );
  assertEquals(
    unsure.reason.startsWith("patterns (margin 0; learned model: "),
    true,
    unsure.reason,
  );
  assertEquals(unsure.reason.endsWith(unsure.learned?.applied ? "applied)" : "not applied)"), true);
  const standin = await startAnthropicStandIn({
    apiKey: "k",
    toolScript: () => modelAnswer,
    log: () => {},
  });
  try {
    const env: Record<string, string> = {
      ANTHROPIC_API_KEY: "k",
      ANTHROPIC_BASE_URL: standin.url,
      ROUTER_MODEL: "claude-haiku-4-5-20251001",
    };
    const r = await routingFromEnv(skills, "auto", (n) => env[n])("hmm", "background");
    assertEquals(r.by, "model");
    assertEquals(standin.requests[0]!.model, "claude-haiku-4-5-20251001");
    assertEquals((r.usage!.cost_usd ?? 0) > 0, true);
    const never = await routingFromEnv(skills, "patterns", (n) => env[n])("hmm", "background");
    assertEquals(never.by, "patterns");
    assertEquals(standin.requests.length, 1);
  } finally {
    await standin.close();
  }
});

Deno.test("auto routing asks the model when a clause's margin is under the threshold", async () => {
  await withModel([], async (route, requests) => {
    // A code verb on a web object: browser leads coding by half a point.
    const r = await route("fix the login page", "background");
    assertEquals(requests(), 1);
    assertEquals(r.by, "model");
    assertEquals(r.reason, "patterns unsure (margin 0.5 < 1); model: a web look-up");
    assertEquals(r.clauses[0]!.scores, { browser: 2.5, coding: 2 });
  });
});
