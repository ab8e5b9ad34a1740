/**
 * @module
 * Browser skill benchmarks, in real Chromium against the Gemini stand-in and the QA page:
 * 1. driver cold start (a `deno run -A` process importing Playwright and launching Chromium);
 * 2. driver RPC: a no-op call (the loopback + token + zod overhead) against a click and a
 *    1440×900 PNG screenshot;
 * 3. a whole seed job ("open the QA dashboard to verify deploy status", 3 actions and 4
 *    screenshots through the sandboxed worker and the engine) against a model-free check job;
 * 4. jobs/s with two jobs at once (two browser contexts on one Chromium).
 * The stand-in answers at once, so model turns cost only their HTTP round trip here: these
 * figures are the orchestration's share of a real run, not Gemini's latency.
 */
import { TaskSpec } from "../shared/schemas/mod.ts";
import { startGeminiStandIn } from "../shared/standins/gemini/gemini_standin.ts";
import { QA_TARGETS } from "../shared/standins/gemini/qa_dashboard.ts";
import { MemoryQueue } from "../gateway/queue/memory/memory_queue.ts";
import { Tracer } from "../gateway/traces/tracer.ts";
import { Engine } from "../gateway/engine/engine.ts";
import { createBrowserSkill } from "../gateway/skills/browser/browser_skill.ts";
import { planCall } from "../gateway/skills/browser/function_sets/function_set.ts";
import { CURRENT_SET } from "../gateway/skills/browser/function_sets/current.ts";
import { emit, percentile } from "./report.ts";

const RPC_CALLS = 200;
const JOBS = 8;

const standin = startGeminiStandIn({ log: () => {} });
const browser = createBrowserSkill();
try {
  // 1. Cold start.
  let started = performance.now();
  const client = await browser.supervisor.ensure();
  const coldMs = performance.now() - started;
  emit({
    bench: "browser",
    name: "driver cold start (deno -A + Playwright + Chromium launch)",
    value: coldMs,
    unit: "ms",
    notes: "once per gateway: the driver starts on the first browser job",
  });

  // 2. RPC round trips.
  const { context } = await client.call({ op: "open_context", width: 1440, height: 900 });
  await client.call({ op: "navigate", context: context!, url: standin.qaUrl });
  const time = async (call: Parameters<typeof client.call>[0]) => {
    const ms: number[] = [];
    for (let i = 0; i < RPC_CALLS; i++) {
      const t0 = performance.now();
      await client.call(call);
      ms.push(performance.now() - t0);
    }
    return ms;
  };
  const noop = await time({ op: "wait", context: context!, ms: 0 });
  const click = planCall(CURRENT_SET, "move", QA_TARGETS.status, {
    context_id: context!,
    width: 1440,
    height: 900,
  });
  if (click.kind !== "call") throw new Error("move did not map to a driver call");
  const hover = await time(click.call);
  const shots = await time({ op: "screenshot", context: context! });
  const shot = await client.call({ op: "screenshot", context: context! });
  await client.call({ op: "close_context", context: context! });
  const base = { name: "driver RPC no-op p50", value: percentile(noop, 50), unit: "ms" };
  emit({ bench: "browser", ...base });
  emit({
    bench: "browser",
    name: "driver RPC hover p50",
    value: percentile(hover, 50),
    unit: "ms",
    baseline: base,
    ratio: percentile(hover, 50) / base.value,
  });
  emit({
    bench: "browser",
    name: "driver RPC screenshot 1440×900 p50",
    value: percentile(shots, 50),
    unit: "ms",
    baseline: base,
    ratio: percentile(shots, 50) / base.value,
    notes: `p95 ${percentile(shots, 95).toFixed(1)} ms; ${
      Math.round((shot.png_base64!.length * 3) / 4 / 1024)
    } KiB PNG`,
  });

  // 3 and 4. Whole jobs through the engine and the sandboxed worker.
  const dataDir = await Deno.makeTempDir({ prefix: "browser-bench-" });
  const env: Record<string, string> = { GEMINI_API_KEY: "bench", GEMINI_BASE_URL: standin.url };
  const queue = new MemoryQueue();
  const tracer = new Tracer([]);
  const engine = new Engine({
    queue,
    skills: [browser.skill],
    skillContext: { dataDir, env: (n) => env[n], settings: {} },
    tracer,
    dataDir,
  });
  engine.start();
  const submit = async (params: Record<string, string>) =>
    (await queue.enqueue({ utterance_id: `b-${crypto.randomUUID()}`, text: "x", source: "api" }, [{
      spec: TaskSpec.parse({
        intent: "browser",
        instruction: "Open the QA dashboard to verify deploy status",
        params,
      }),
      max_attempts: 1,
    }])).jobs[0]!.job_id;
  const finish = async (id: string) => {
    for (;;) {
      const j = (await queue.get(id))!;
      if (j.status === "succeeded") return;
      if (["failed", "dead", "cancelled"].includes(j.status)) {
        throw new Error(`bench job ${id} ended ${j.status}: ${JSON.stringify(j.error)}`);
      }
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  const jobMs = async (params: Record<string, string>) => {
    const ms: number[] = [];
    for (let i = 0; i < JOBS; i++) {
      const t0 = performance.now();
      await finish(await submit(params));
      ms.push(performance.now() - t0);
    }
    return ms;
  };
  const check = await jobMs({ mode: "check", url: standin.qaUrl, expect: "Deploy status" });
  const model = await jobMs({});
  const checkBase = {
    name: "check-mode job p50 (navigate, check, 1 screenshot)",
    value: percentile(check, 50),
    unit: "ms",
  };
  emit({ bench: "browser", ...checkBase });
  emit({
    bench: "browser",
    name: "seed job p50 (4 model turns, 3 actions, 4 screenshots; stand-in model)",
    value: percentile(model, 50),
    unit: "ms",
    baseline: checkBase,
    ratio: percentile(model, 50) / checkBase.value,
    notes: `p95 ${percentile(model, 95).toFixed(0)} ms over ${JOBS} jobs, one at a time`,
  });
  started = performance.now();
  await Promise.all(Array.from({ length: JOBS }, async () => await finish(await submit({}))));
  const perSecond = JOBS / ((performance.now() - started) / 1000);
  emit({
    bench: "browser",
    name: "seed jobs/s, two at a time (skill concurrency 2)",
    value: perSecond,
    unit: "jobs/s",
    baseline: { name: "one at a time", value: 1000 / percentile(model, 50), unit: "jobs/s" },
    ratio: perSecond / (1000 / percentile(model, 50)),
  });
  await engine.stop({ graceMs: 5000 });
  await tracer.close();
  await Deno.remove(dataDir, { recursive: true });
} finally {
  await browser.close();
  await standin.close();
}
