/**
 * The gateway's real answers against the shared wire schemas: every `POST /task` answer and
 * every fan-in parses with its exact (strict) schema, and with the tolerant view the edge reads.
 */
import { assert, assertEquals } from "@shared/testing/asserts.ts";
import {
  ControlAnswer,
  FanIn,
  FINAL_UTTERANCE_STATUSES,
  TaskAccepted,
  TaskAnswer,
  TaskAnswerView,
  TaskUnrouted,
  UtteranceStatus,
} from "@shared/schemas/mod.ts";
import { createApp } from "../app.ts";
import { MemoryQueue } from "../queue/memory/memory_queue.ts";
import { Tracer } from "../traces/tracer.ts";
import { Metrics } from "../metrics/metrics.ts";
import { echoSkill } from "../skills/echo/echo_skill.ts";
import { CODING_LEXICON, CODING_PATTERNS } from "../skills/coding/coding_patterns.ts";
import { BROWSER_LEXICON, BROWSER_PATTERNS } from "../skills/browser/browser_patterns.ts";

function setup() {
  const queue = new MemoryQueue();
  const tracer = new Tracer([]);
  const metrics = new Metrics(() => queue.depth());
  const app = createApp({
    queue,
    tracer,
    metrics,
    skills: [
      echoSkill,
      { intent: "coding", patterns: CODING_PATTERNS, lexicon: CODING_LEXICON },
      { intent: "browser", patterns: BROWSER_PATTERNS, lexicon: BROWSER_LEXICON },
    ],
  });
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await app.request(path, {
      method,
      ...(body === undefined ? {} : {
        body: JSON.stringify(body),
        headers: { "content-type": "application/json" },
      }),
    });
    return { status: res.status, body: await res.json() as unknown };
  };
  return { call, close: () => tracer.close() };
}

Deno.test("every POST /task answer parses with its exact shared schema and the edge's view", async () => {
  const t = setup();
  try {
    const routed = await t.call("POST", "/task", {
      text: "Refactor the orchestrator router and open the QA dashboard",
      utterance_id: "wire-1",
      session_id: "alice",
    });
    assertEquals(routed.status, 202);
    const accepted = TaskAccepted.parse(routed.body);
    assertEquals(accepted.jobs.map((j) => j.intent).sort(), ["browser", "coding"]);

    const again = await t.call("POST", "/task", {
      text: "Refactor the orchestrator router and open the QA dashboard",
      utterance_id: "wire-1",
    });
    assertEquals(TaskAccepted.parse(again.body).duplicate, true);

    const explicit = await t.call("POST", "/task", {
      tasks: [{ intent: "echo", instruction: "say hi" }],
    });
    assertEquals(explicit.status, 202);
    TaskAccepted.parse(explicit.body);

    const unrouted = await t.call("POST", "/task", { text: "never open the browser" });
    assertEquals(unrouted.status, 200);
    const none = TaskUnrouted.parse(unrouted.body);
    assertEquals(none.skipped.map((s) => s.reason), ["negated"]);

    const command = await t.call("POST", "/task", { text: "cancel that", session_id: "alice" });
    assertEquals(command.status, 200);
    const control = ControlAnswer.parse(command.body);
    assertEquals(control.control.action, "cancel");
    assertEquals(control.control.job_ids.length, 2);

    for (const answer of [routed, again, explicit, unrouted, command]) {
      TaskAnswer.parse(answer.body);
      TaskAnswerView.parse(answer.body);
    }
  } finally {
    await t.close();
  }
});

Deno.test("GET /utterances/{id} answers parse with the exact FanIn schema, final or not", async () => {
  const t = setup();
  try {
    const routed = TaskAccepted.parse(
      (await t.call("POST", "/task", { text: "echo one", utterance_id: "fan-1" })).body,
    );
    await t.call("POST", "/task", { text: "what's the weather like", utterance_id: "fan-2" });
    await t.call("POST", "/task", { text: "status", utterance_id: "fan-3", session_id: "bob" });

    const queued = FanIn.parse((await t.call("GET", "/utterances/fan-1")).body);
    assertEquals(queued.status, "queued");
    assertEquals(FINAL_UTTERANCE_STATUSES.has(queued.status), false);

    await t.call("POST", `/jobs/${routed.jobs[0]!.job_id}/cancel`);
    const cancelled = FanIn.parse((await t.call("GET", "/utterances/fan-1")).body);
    assertEquals(cancelled.status, "cancelled");

    const unrouted = FanIn.parse((await t.call("GET", "/utterances/fan-2")).body);
    assertEquals(unrouted.status, "unrouted");
    const command = FanIn.parse((await t.call("GET", "/utterances/fan-3")).body);
    assertEquals(command.status, "command");
    for (const view of [cancelled, unrouted, command]) {
      assert(FINAL_UTTERANCE_STATUSES.has(view.status), view.status);
    }
  } finally {
    await t.close();
  }
});

Deno.test("the exact schemas reject a field the contract does not have", () => {
  const extra = {
    utterance_id: "u1",
    jobs: [],
    control: { action: "status", job_ids: [], say: "Nothing is running." },
    duplicate: false,
    surprise: 1,
  };
  const result = ControlAnswer.safeParse(extra);
  assertEquals(result.success, false);
  assertEquals(result.error?.issues[0]?.code, "unrecognized_keys");
  // The edge's view takes it: a newer gateway may add fields.
  assertEquals(TaskAnswerView.parse(extra).utterance_id, "u1");
});

Deno.test("an utterance is never dead: only job statuses are", () => {
  assertEquals(UtteranceStatus.safeParse("dead").success, false);
  assertEquals(FINAL_UTTERANCE_STATUSES.has("dead"), false);
  assertEquals(
    [...FINAL_UTTERANCE_STATUSES].sort(),
    ["cancelled", "command", "failed", "partial", "succeeded", "unrouted"],
  );
});
