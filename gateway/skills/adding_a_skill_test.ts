/**
 * Adding a skill is one folder and one line: a skill folder (here `_testdata/reverse/`) and its
 * factory in the registry's list are all the router, the engine and the compiled binary need.
 */
import { assert, assertEquals } from "@shared/testing/asserts.ts";
import type { JobRecord } from "@shared/schemas/mod.ts";
import { createApp } from "../app.ts";
import { Engine } from "../engine/engine.ts";
import { Metrics } from "../metrics/metrics.ts";
import { MemoryQueue } from "../queue/memory/memory_queue.ts";
import { Tracer } from "../traces/tracer.ts";
import { compilePlan } from "../../tools/compile_plan.ts";
import { skillModulePaths } from "../../tools/compile_inputs.ts";
import { createSkillSet, REGISTERED_SKILLS } from "./registry.ts";
import { reverseSkillFactory } from "./_testdata/reverse/reverse_skill.ts";

/** The registry with the one line added. */
const WITH_REVERSE = [...REGISTERED_SKILLS, reverseSkillFactory];

Deno.test("a skill added by one registry line is routed, run and embedded", async () => {
  const dataDir = await Deno.makeTempDir();
  const skillContext = { dataDir, env: () => undefined, settings: {} };
  const set = createSkillSet({ factories: WITH_REVERSE, skillContext, only: ["reverse"] });
  const queue = new MemoryQueue();
  const tracer = new Tracer([]);
  const engine = new Engine({
    queue,
    skills: set.skills,
    skillContext,
    tracer,
    dataDir,
    leaseMs: 2_000,
  });
  engine.start();
  try {
    assertEquals(set.skills.map((s) => s.intent), ["reverse"]);
    const app = createApp({
      queue,
      tracer,
      metrics: new Metrics(() => queue.depth()),
      skills: set.registered,
      dataDir,
    });
    const res = await app.request("/task", {
      method: "POST",
      body: JSON.stringify({ text: "reverse hello world" }),
      headers: { "content-type": "application/json" },
    });
    assertEquals(res.status, 202);
    const body = await res.json() as { jobs: { job_id: string; intent: string }[] };
    assertEquals(body.jobs.map((j) => j.intent), ["reverse"]);
    const id = body.jobs[0]!.job_id;
    let job: JobRecord | null = null;
    for (let i = 0; i < 750; i++) {
      job = await queue.get(id);
      if (job && ["succeeded", "failed", "dead", "cancelled"].includes(job.status)) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    assertEquals(job?.status, "succeeded", JSON.stringify(job));
    assertEquals(job?.result?.reversed, "dlrow olleh");

    const plan = compilePlan({ skillModules: await skillModulePaths(WITH_REVERSE) });
    const gateway = plan.find((t) => t.id === "gateway-linux")!;
    assert(
      gateway.include.includes("gateway/skills/_testdata/reverse/reverse_worker.ts"),
      gateway.include.join(", "),
    );
  } finally {
    await engine.stop({ graceMs: 1000 });
    await tracer.close();
    await set.close();
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("a skill not in the registry is neither routed nor embedded", async () => {
  const set = createSkillSet();
  try {
    assertEquals(set.registered.some((s) => s.intent === "reverse"), false);
  } finally {
    await set.close();
  }
  const paths = await skillModulePaths();
  assertEquals(paths.some((p) => p.includes("reverse")), false);
});
