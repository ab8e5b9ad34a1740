/**
 * The browser skill in real Chromium: the Computer Use loop against the Gemini stand-in, the
 * driver's scaled clicks and typing on the QA dashboard, confirmation pauses, the check mode,
 * provider faults, and no Chromium left behind.
 */
import {
  assert,
  assertEquals,
  assertMatch,
  assertStringIncludes,
} from "@shared/testing/asserts.ts";
import { type JobRecord, TaskSpec } from "@shared/schemas/mod.ts";
import { costUsd } from "@shared/pricing/pricing.ts";
import {
  type GeminiFault,
  type ScriptStep,
  startGeminiStandIn,
} from "@shared/standins/gemini/gemini_standin.ts";
import { QA_DEPLOY_STATUS, QA_TARGETS } from "@shared/standins/gemini/qa_dashboard.ts";
import { MemoryQueue } from "../../queue/memory/memory_queue.ts";
import { Tracer } from "../../traces/tracer.ts";
import { Engine } from "../../engine/engine.ts";
import type { SkillContext } from "../skill.ts";
import { createBrowserSkill, DEFAULT_BROWSER_MODEL } from "./browser_skill.ts";
import { actionToCall } from "./browser_actions.ts";
import type { BrowserConfig } from "./browser_config.ts";

const browser = createBrowserSkill();
const opts = { sanitizeResources: false, sanitizeOps: false };

async function setup(
  options: {
    script?: (i: string, qa: string) => ScriptStep[];
    faults?: GeminiFault[];
    env?: Record<string, string>;
  } = {},
) {
  const standin = startGeminiStandIn({
    apiKey: "test-key",
    ...(options.script ? { script: options.script } : {}),
    faults: options.faults ?? [],
  });
  const dataDir = await Deno.makeTempDir({ prefix: "browser-data-" });
  const env: Record<string, string> = {
    GEMINI_API_KEY: "test-key",
    GEMINI_BASE_URL: standin.url,
    ...options.env,
  };
  const ctx: SkillContext = { dataDir, env: (n) => env[n] || undefined, settings: {} };
  const queue = new MemoryQueue();
  const tracer = new Tracer([]);
  const engine = new Engine({
    queue,
    skills: [browser.skill],
    skillContext: ctx,
    tracer,
    dataDir,
    random: () => 0.5,
  });
  engine.start();
  const submit = async (instruction: string, params: Record<string, string> = {}) =>
    (await queue.enqueue({
      utterance_id: `u-${crypto.randomUUID().slice(0, 8)}`,
      text: instruction,
      source: "voice",
    }, [
      {
        spec: TaskSpec.parse({ intent: "browser", instruction, params }),
        max_attempts: browser.skill.retry.attempts,
      },
    ])).jobs[0]!;
  const waitFor = async (id: string, pred: (j: JobRecord) => boolean) => {
    for (let i = 0; i < 1200; i++) {
      const j = (await queue.get(id))!;
      if (pred(j)) return j;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`job ${id} stuck: ${JSON.stringify(await queue.get(id))}`);
  };
  const final = (id: string) =>
    waitFor(id, (j) => ["succeeded", "failed", "dead", "cancelled"].includes(j.status));
  return {
    standin,
    dataDir,
    engine,
    submit,
    waitFor,
    final,
    async close() {
      await engine.stop({ graceMs: 3000 });
      await tracer.close();
      await standin.close();
      await Deno.remove(dataDir, { recursive: true });
    },
  };
}

Deno.test({
  name: "browser: the seed request drives Chromium through the QA page to the right answer",
  ...opts,
  async fn() {
    const t = await setup();
    try {
      const job = await t.submit("Open the QA dashboard to verify deploy status");
      const done = await t.final(job.job_id);
      assertEquals(done.status, "succeeded", JSON.stringify(done.error));
      assertStringIncludes(String(done.result?.answer), QA_DEPLOY_STATUS);
      assertEquals(done.result?.final_url, t.standin.qaUrl);
      const names = done.result!.artifacts!.map((a) => a.name).sort();
      assertEquals(names, [
        "actions.json",
        "step-01.png",
        "step-02.png",
        "step-03.png",
        "step-04.png",
      ]);
      const png = await Deno.readFile(`${t.dataDir}/artifacts/${job.job_id}/step-04.png`);
      assertEquals([...png.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
      assertEquals(done.result?.screenshot, "step-04.png");
      const actions = JSON.parse(
        await Deno.readTextFile(`${t.dataDir}/artifacts/${job.job_id}/actions.json`),
      );
      assertEquals(actions.map((a: { action: string }) => a.action), [
        "open_web_browser",
        "navigate",
        "click_at",
      ]);
      // The click on the status was scaled from the 0–999 grid to the 1440×900 viewport.
      assertEquals(actions[2].executed, {
        op: "click",
        context: actions[2].executed.context,
        x: 300,
        y: 165,
      });
      // Tokens from usageMetadata, cost from the price table.
      assert(done.usage!.input_tokens > 0);
      assertEquals(
        done.usage?.cost_usd,
        costUsd({
          provider: "google",
          model: DEFAULT_BROWSER_MODEL,
          input_tokens: done.usage!.input_tokens,
          output_tokens: done.usage!.output_tokens,
        }),
      );
      // Only the last three turns keep their screenshots in the request.
      const lastRequest = t.standin.requests[t.standin.requests.length - 1]!;
      const withShots = lastRequest.contents.filter((c) =>
        c.parts?.some((p) => p.functionResponse?.parts?.length)
      );
      assertEquals(withShots.length, 3);
    } finally {
      await t.close();
    }
  },
});

Deno.test({
  name: "browser: scaled clicks and typing land on the intended elements; links navigate",
  ...opts,
  async fn() {
    const standin = startGeminiStandIn();
    const client = await browser.supervisor.ensure();
    const { context } = await client.call({ op: "open_context", width: 1440, height: 900 });
    try {
      const cfg = { context_id: context!, width: 1440, height: 900 } as BrowserConfig;
      await client.call({ op: "navigate", context: context!, url: standin.qaUrl });
      const status = actionToCall("click_at", QA_TARGETS.status, cfg) as { x: number; y: number };
      const at = await client.call({ op: "text_at", context: context!, x: status.x, y: status.y });
      assertEquals(at.text, `Deploy status: ${QA_DEPLOY_STATUS}`);
      await client.call(
        actionToCall(
          "type_text_at",
          { ...QA_TARGETS.note, text: "ship it", press_enter: false },
          cfg,
        ) as never,
      );
      await client.call(actionToCall("click_at", QA_TARGETS.save, cfg) as never);
      const saved = await client.call({ op: "check", context: context!, expect: "Saved: ship it" });
      assertEquals(saved.found, true);
      const nav = await client.call(actionToCall("click_at", QA_TARGETS.details, cfg) as never);
      assertMatch(nav.url ?? "", /\/qa\/details\.html$/);
      const back = await client.call({ op: "go_back", context: context! });
      assertEquals(back.url, standin.qaUrl);
    } finally {
      await client.call({ op: "close_context", context: context! });
      await standin.close();
    }
  },
});

const confirmScript = (_: string, qa: string): ScriptStep[] => [
  { call: { name: "navigate", args: { url: qa } } },
  {
    call: {
      name: "click_at",
      args: {
        ...QA_TARGETS.save,
        safety_decision: {
          decision: "require_confirmation",
          explanation: "Saving changes the dashboard",
        },
      },
    },
  },
  { text: "Saved." },
];

for (const decision of ["allow", "deny"] as const) {
  Deno.test({
    name: `browser: require_confirmation pauses the job; ${decision} ${
      decision === "allow" ? "resumes" : "ends"
    } it`,
    ...opts,
    async fn() {
      const t = await setup({ script: confirmScript });
      try {
        const job = await t.submit("Save the note on the QA dashboard");
        const paused = await t.waitFor(job.job_id, (j) => j.status === "awaiting_confirmation");
        assertEquals(paused.confirmation?.prompt, "Saving changes the dashboard");
        await t.engine.confirm(job.job_id, decision);
        const done = await t.final(job.job_id);
        if (decision === "allow") {
          assertEquals(done.status, "succeeded");
          const last = t.standin.requests[t.standin.requests.length - 1]!.contents.at(-1)!;
          assertEquals(last.parts?.[0]?.functionResponse?.response?.safety_acknowledgement, "true");
        } else {
          assertEquals(done.status, "failed");
          assertEquals(done.error?.code, "confirmation_denied");
        }
      } finally {
        await t.close();
      }
    },
  });
}

Deno.test({
  name: "browser: an unknown action gets an error response and the loop goes on",
  ...opts,
  async fn() {
    const t = await setup({
      script: (
        _,
        qa,
      ) => [{ call: { name: "teleport", args: {} } }, {
        call: { name: "navigate", args: { url: qa } },
      }, { text: "done" }],
    });
    try {
      const job = await t.submit("Open the QA dashboard");
      const done = await t.final(job.job_id);
      assertEquals(done.status, "succeeded");
      const actions = JSON.parse(
        await Deno.readTextFile(`${t.dataDir}/artifacts/${job.job_id}/actions.json`),
      );
      assertEquals(actions[0].error, "Unknown action 'teleport'");
      assertEquals(
        t.standin.requests[1]!.contents.at(-1)!.parts?.[0]?.functionResponse?.response?.error,
        "Unknown action 'teleport'",
      );
    } finally {
      await t.close();
    }
  },
});

Deno.test({
  name: "browser: check mode passes, fails and reports an unreachable page",
  ...opts,
  async fn() {
    const t = await setup({ env: { GEMINI_API_KEY: "" } });
    try {
      const pass = await t.final(
        (await t.submit("check", {
          mode: "check",
          url: t.standin.qaUrl,
          expect: `Deploy status: ${QA_DEPLOY_STATUS}`,
        })).job_id,
      );
      assertEquals(pass.status, "succeeded");
      assertEquals(pass.result?.ok, true);
      assertEquals(pass.result?.screenshot, "step-01.png");
      const fail = await t.final(
        (await t.submit("check", {
          mode: "check",
          url: t.standin.qaUrl,
          expect: "Deploy status: FAILING",
        })).job_id,
      );
      assertEquals(fail.status, "failed");
      assertEquals(fail.error?.code, "check_failed");
      assertStringIncludes(fail.error!.message, "Expected 'Deploy status: FAILING' on");
      const gone = await t.final(
        (await t.submit("check", { mode: "check", url: "http://127.0.0.1:9/", expect: "x" }))
          .job_id,
      );
      assertEquals(gone.status, "failed");
      assertEquals(gone.error?.code, "page_unreachable");
      // A page that never finishes loading (its script spins forever) ends clearly, not stuck.
      const hung = await t.final(
        (await t.submit(
          "check",
          {
            mode: "check",
            url: t.standin.qaUrl.replace("/qa/", "/qa/crash.html"),
            expect: "x",
            timeout_ms: 1500,
          } as never,
        )).job_id,
      );
      assertEquals(hung.status, "failed");
      assertEquals(hung.error?.code, "page_unreachable");
      assertStringIncludes(hung.error!.message, "Timeout 1500ms exceeded");
      const noKey = await t.final((await t.submit("open the dashboard")).job_id);
      assertEquals(noKey.error?.code, "no_api_key");
    } finally {
      await t.close();
    }
  },
});

Deno.test({
  name: "browser: 429 then success is retried; 500 until attempts run out ends dead",
  ...opts,
  async fn() {
    const t = await setup({ faults: [{ kind: "status", status: 429 }] });
    try {
      const ok = await t.final(
        (await t.submit("Open the QA dashboard to verify deploy status")).job_id,
      );
      assertEquals(ok.status, "succeeded");
      assertEquals(ok.attempts, 2);
      t.standin.faults.push(...Array(6).fill({ kind: "status", status: 500 }));
      const dead = await t.final(
        (await t.submit("Open the QA dashboard to verify deploy status")).job_id,
      );
      assertEquals(dead.status, "dead");
      assertEquals(dead.attempts, 3);
      assertEquals(dead.error?.code, "provider_error");
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
      const job = await t.submit("Open the QA dashboard to verify deploy status");
      await t.waitFor(
        job.job_id,
        (j) => j.status === "running" && browser.supervisor.pid !== undefined,
      );
      await new Promise((r) => setTimeout(r, 700));
      const pid = browser.supervisor.pid!;
      Deno.kill(pid, "SIGKILL");
      const done = await t.final(job.job_id);
      assertEquals(done.status, "succeeded", JSON.stringify(done.error));
      assert(done.attempts >= 2, `attempts ${done.attempts}`);
      assert(
        browser.supervisor.pid !== undefined && browser.supervisor.pid !== pid,
        "a new driver runs",
      );
    } finally {
      await t.close();
    }
  },
});

Deno.test({
  name: "browser: closing the skill stops the driver and leaves no Chromium behind",
  ...opts,
  async fn() {
    await browser.supervisor.ensure();
    const pid = browser.supervisor.pid!;
    await browser.close();
    const left = await new Deno.Command("pgrep", {
      args: ["-f", "playwright_chromiumdev_profile"],
      stdout: "piped",
    }).output();
    assertEquals(new TextDecoder().decode(left.stdout).trim(), "");
    const alive = await new Deno.Command("kill", { args: ["-0", String(pid)], stderr: "null" })
      .output();
    assertEquals(alive.success, false);
  },
});
