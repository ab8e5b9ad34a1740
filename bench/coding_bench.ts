/**
 * @module
 * What the coding skill costs besides the model's own time. Figures, each against a baseline
 * measured in the same run:
 *
 * - one coding job end to end through the engine (memory queue, sandboxed worker running the
 *   real `@anthropic-ai/sdk`, streaming from the local stand-in, which answers at once, then
 *   `git apply --check` on a clean export of HEAD), against an `echo` job through the same engine;
 * - gathering context from this repository (ranking every tracked file against an instruction),
 *   against only reading those files;
 * - the patch check on this repository, against one `git` process that does nothing.
 */
import { TaskSpec } from "@shared/schemas/mod.ts";
import { startAnthropicStandIn } from "@shared/standins/anthropic/anthropic_standin.ts";
import { Engine } from "../gateway/engine/engine.ts";
import { MemoryQueue } from "../gateway/queue/memory/memory_queue.ts";
import { Tracer } from "../gateway/traces/tracer.ts";
import { codingSkill } from "../gateway/skills/coding/coding_skill.ts";
import { echoSkill } from "../gateway/skills/echo/echo_skill.ts";
import { buildContext } from "../gateway/skills/coding/context.ts";
import { checkPatch, trackedFiles } from "../gateway/skills/coding/git_check.ts";
import { codingAnswer } from "@shared/standins/anthropic/coding_script.ts";
import type { SkillContext } from "../gateway/skill_kit/skill.ts";
import { emit, percentile } from "./report.ts";

const JOBS = Number(Deno.env.get("BENCH_CODING_JOBS") ?? 20);
const ROOT = new URL("..", import.meta.url).pathname;
const FIXTURE = new URL("../shared/standins/anthropic/fixtures/sample_repo/", import.meta.url)
  .pathname;

async function run(cmd: string, args: string[], cwd?: string): Promise<void> {
  const out = await new Deno.Command(cmd, {
    args,
    ...(cwd ? { cwd } : {}),
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(`${cmd} ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
  }
}

/** Median and p95 job latency (enqueue → final state, from trace events) of `jobs` jobs. */
async function jobLatencies(
  intent: "coding" | "echo",
  instruction: string,
  ctx: SkillContext,
): Promise<number[]> {
  const queue = new MemoryQueue();
  const tracer = new Tracer([]);
  const engine = new Engine({
    queue,
    skills: [codingSkill, echoSkill],
    skillContext: ctx,
    tracer,
    dataDir: ctx.dataDir,
  });
  const finished = new Map<string, PromiseWithResolvers<string>>();
  tracer.subscribe((e) => {
    if (e.job_id && /^job\.(succeeded|failed|dead|cancelled)$/.test(e.event)) {
      finished.get(e.job_id)?.resolve(e.event);
    }
  });
  engine.start();
  const times: number[] = [];
  try {
    for (let i = 0; i < JOBS + 2; i++) {
      const started = performance.now();
      const { jobs } = await queue.enqueue(
        { utterance_id: `u-${intent}-${i}`, text: instruction, source: "api" },
        [{ spec: TaskSpec.parse({ intent, instruction, params: {} }), max_attempts: 1 }],
      );
      const id = jobs[0]!.job_id;
      const done = Promise.withResolvers<string>();
      finished.set(id, done);
      const event = await done.promise;
      if (event !== "job.succeeded") {
        throw new Error(
          `${intent} job ended ${event}: ${JSON.stringify((await queue.get(id))?.error)}`,
        );
      }
      if (i >= 2) times.push(performance.now() - started); // the first two warm the worker pool
    }
  } finally {
    await engine.stop({ graceMs: 2000 });
    await tracer.close();
  }
  return times;
}

// A throwaway copy of the sample repository, committed, as the workspace.
const workspace = await Deno.makeTempDir({ prefix: "bench-coding-ws-" });
const dataDir = await Deno.makeTempDir({ prefix: "bench-coding-data-" });
const standin = await startAnthropicStandIn({ apiKey: "bench", log: () => {} });
try {
  await run("cp", ["-r", `${FIXTURE}.`, workspace]);
  await run("git", ["init", "-q"], workspace);
  await run("git", ["add", "."], workspace);
  await run(
    "git",
    ["-c", "user.email=b@example.test", "-c", "user.name=b", "commit", "-qm", "b"],
    workspace,
  );
  const env: Record<string, string> = {
    ANTHROPIC_API_KEY: "bench",
    ANTHROPIC_BASE_URL: standin.url,
  };
  const ctx: SkillContext = { dataDir, env: (n) => env[n], settings: { workspace } };
  const echo = await jobLatencies("echo", "echo hello", ctx);
  const coding = await jobLatencies("coding", "Refactor the orchestrator router", ctx);
  for (const p of [50, 95]) {
    const value = percentile(coding, p);
    const base = percentile(echo, p);
    emit({
      bench: "coding",
      name: `coding job end to end p${p} (stand-in model, sandboxed SDK, git apply --check)`,
      value: Math.round(value * 10) / 10,
      unit: "ms",
      baseline: {
        name: `echo job p${p}, same engine`,
        value: Math.round(base * 10) / 10,
        unit: "ms",
      },
      ratio: value / base,
      notes:
        `${JOBS} sequential jobs each; the stand-in answers at once, so this is the skill's own overhead`,
    });
  }

  // Context gathering over this repository's own tracked files.
  const files = await trackedFiles(ROOT);
  const decoder = new TextDecoder();
  const read = (path: string) => {
    try {
      return decoder.decode(Deno.readFileSync(`${ROOT}${path}`));
    } catch {
      return null;
    }
  };
  const readAll: number[] = [];
  const gather: number[] = [];
  let shown = 0;
  for (let i = 0; i < 7; i++) {
    let t = performance.now();
    for (const f of files) read(f);
    readAll.push(performance.now() - t);
    t = performance.now();
    shown = buildContext("Refactor the orchestrator router", files, read).files.length;
    gather.push(performance.now() - t);
  }
  emit({
    bench: "coding",
    name: `context gathering, this repository (${files.length} tracked files)`,
    value: Math.round(percentile(gather.slice(2), 50) * 10) / 10,
    unit: "ms",
    baseline: {
      name: "reading the same files only",
      value: Math.round(percentile(readAll.slice(2), 50) * 10) / 10,
      unit: "ms",
    },
    ratio: percentile(gather.slice(2), 50) / percentile(readAll.slice(2), 50),
    notes: `median of 5 after 2 warm-ups; ${shown} files chosen within 60 000 characters`,
  });

  // The patch check on this repository (export of HEAD + git apply --check).
  const router = await Deno.readTextFile(`${ROOT}gateway/router/router.ts`);
  const answer = codingAnswer(
    `<instruction>\nTidy\n</instruction>\n\n<file path="gateway/router/router.ts">\n${router}\n</file>`,
  );
  const patchFile = `${dataDir}/bench.diff`;
  await Deno.writeTextFile(patchFile, /```diff\n([\s\S]*?)```/.exec(answer)![1]!);
  const checks: number[] = [];
  const spawns: number[] = [];
  let applies = false;
  for (let i = 0; i < 5; i++) {
    let t = performance.now();
    applies = (await checkPatch(ROOT, patchFile)).applies;
    checks.push(performance.now() - t);
    t = performance.now();
    await run("git", ["--version"]);
    spawns.push(performance.now() - t);
  }
  emit({
    bench: "coding",
    name: "patch check on this repository (git archive HEAD | tar -x, git apply --check)",
    value: Math.round(percentile(checks, 50)),
    unit: "ms",
    baseline: {
      name: "one git process",
      value: Math.round(percentile(spawns, 50) * 10) / 10,
      unit: "ms",
    },
    ratio: percentile(checks, 50) / percentile(spawns, 50),
    notes: `median of 5; applies: ${applies} (a patch made for the committed router.ts)`,
  });
} finally {
  await standin.close();
  await Deno.remove(workspace, { recursive: true });
  await Deno.remove(dataDir, { recursive: true });
}
