/**
 * The coding skill end to end: the real `@anthropic-ai/sdk` in a sandboxed worker, streaming
 * from the Anthropic stand-in, a fixture git repository made here, and `git apply --check`.
 */
import {
  assert,
  assertEquals,
  assertMatch,
  assertStringIncludes,
} from "@shared/testing/asserts.ts";
import { type JobRecord, TaskSpec, type TraceEvent } from "@shared/schemas/mod.ts";
import { costUsd } from "@shared/pricing/pricing.ts";
import {
  type AnthropicFault,
  type AnthropicStandInOptions,
  startAnthropicStandIn,
} from "@shared/standins/anthropic/anthropic_standin.ts";
import { MemoryQueue } from "../../queue/memory/memory_queue.ts";
import { Tracer, type TraceSink } from "../../traces/tracer.ts";
import { Engine } from "../../engine/engine.ts";
import type { Skill, SkillContext } from "../../skill_kit/skill.ts";
import { THINKING_PREFIX } from "@shared/standins/anthropic/thinking_blocks.ts";
import { codingSkill, DEFAULT_CODING_MODEL, DEFAULT_MAX_TOKENS_THINKING } from "./coding_skill.ts";

const FIXTURE =
  new URL("../../../shared/standins/anthropic/fixtures/sample_repo/", import.meta.url).pathname;

async function git(args: string[], cwd: string) {
  const out = await new Deno.Command("git", { args, cwd, stdout: "piped", stderr: "piped" })
    .output();
  if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
}

async function fixtureRepo(beforeCommit?: (dir: string) => Promise<void>): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "coding-ws-" });
  await new Deno.Command("cp", { args: ["-r", `${FIXTURE}.`, dir] }).output();
  await beforeCommit?.(dir);
  await git(["init", "-q"], dir);
  await git(["add", "."], dir);
  await git(["-c", "user.email=t@example.test", "-c", "user.name=t", "commit", "-qm", "init"], dir);
  return dir;
}

async function setup(
  options: {
    faults?: AnthropicFault[];
    skill?: Skill;
    env?: Record<string, string>;
    script?: AnthropicStandInOptions["script"];
    cache?: AnthropicStandInOptions["cache"];
    noWorkspace?: boolean;
    settings?: SkillContext["settings"];
    beforeCommit?: (dir: string) => Promise<void>;
    cancelGraceMs?: number;
    thinking?: AnthropicStandInOptions["thinking"];
    /** The engine's cost budgets (`--max-cost-usd`, `--max-cost-usd-per-utterance`). */
    budgets?: { maxCostUsdPerJob?: number; maxCostUsdPerUtterance?: number };
  } = {},
) {
  const workspace = await fixtureRepo(options.beforeCommit);
  const dataDir = await Deno.makeTempDir({ prefix: "coding-data-" });
  const standin = await startAnthropicStandIn({
    apiKey: "test-key",
    faults: options.faults ?? [],
    ...(options.script ? { script: options.script } : {}),
    ...(options.cache ? { cache: options.cache } : {}),
    ...(options.thinking ? { thinking: options.thinking } : {}),
    log: () => {},
  });
  const env: Record<string, string> = {
    ANTHROPIC_API_KEY: "test-key",
    ANTHROPIC_BASE_URL: standin.url,
    ...options.env,
  };
  const ctx: SkillContext = {
    dataDir,
    env: (n) => env[n],
    settings: { ...(options.noWorkspace ? {} : { workspace }), ...options.settings },
  };
  const queue = new MemoryQueue();
  const events: TraceEvent[] = [];
  const sink: TraceSink = {
    name: "memory",
    write: (batch) => {
      events.push(...batch);
      return Promise.resolve();
    },
    close: () => Promise.resolve(),
  };
  const tracer = new Tracer([sink]);
  const engine = new Engine({
    ...options.budgets,
    queue,
    skills: [options.skill ?? codingSkill],
    skillContext: ctx,
    tracer,
    dataDir,
    cancelGraceMs: options.cancelGraceMs ?? 500,
    random: () => 0.5,
  });
  engine.start();
  const submit = async (instruction: string, params: Record<string, string> = {}) => {
    const { jobs } = await queue.enqueue(
      { utterance_id: `u-${crypto.randomUUID().slice(0, 8)}`, text: instruction, source: "voice" },
      [{
        spec: TaskSpec.parse({ intent: "coding", instruction, params }),
        max_attempts: codingSkill.retry.attempts,
      }],
    );
    return jobs[0]!;
  };
  const waitFor = async (id: string, pred: (j: JobRecord) => boolean) => {
    for (let i = 0; i < 600; i++) {
      const j = (await queue.get(id))!;
      if (pred(j)) return j;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`job ${id} stuck: ${JSON.stringify(await queue.get(id))}`);
  };
  const final = (id: string) =>
    waitFor(id, (j) => ["succeeded", "failed", "dead", "cancelled"].includes(j.status));
  return {
    workspace,
    dataDir,
    env,
    events,
    queue,
    standin,
    engine,
    submit,
    waitFor,
    final,
    async close() {
      await engine.stop({ graceMs: 2000 });
      await tracer.close();
      await standin.close();
      await Deno.remove(workspace, { recursive: true });
      await Deno.remove(dataDir, { recursive: true });
    },
  };
}

Deno.test("coding: the seed request yields a stored patch that applies, with tokens and cost", async () => {
  const t = await setup();
  try {
    const before = await new Deno.Command("git", {
      args: ["status", "--porcelain"],
      cwd: t.workspace,
      stdout: "piped",
    }).output();
    const job = await t.submit("Refactor the orchestrator router");
    const done = await t.final(job.job_id);
    assertEquals(done.status, "succeeded", JSON.stringify(done.error));
    assertEquals(done.result?.applies, true);
    assertEquals(done.result?.files_changed, ["src/router.ts"]);
    assertMatch(String(done.result?.rationale), /^The inline patterns .* become named module/);
    const head = await new Deno.Command("git", {
      args: ["rev-parse", "HEAD"],
      cwd: t.workspace,
      stdout: "piped",
    }).output();
    assertEquals(done.result?.base_commit, new TextDecoder().decode(head.stdout).trim());
    // What the SDK sent: the configured model and limits, streamed, the key as a bearer token.
    const sent = t.standin.requests[0]!;
    assertEquals([sent.model, sent.max_tokens, sent.stream], [
      "claude-sonnet-5-5",
      DEFAULT_MAX_TOKENS_THINKING,
      true,
    ]);
    assertEquals(DEFAULT_CODING_MODEL, "claude-sonnet-5-5");
    assertEquals(t.standin.auth, ["bearer"]);
    const names = done.result!.artifacts!.map((a) => a.name).sort();
    assertEquals(names, ["patch.diff", "prompt_files.json", "response.md"]);
    const patch = await Deno.readTextFile(`${t.dataDir}/artifacts/${job.job_id}/patch.diff`);
    assertStringIncludes(patch, "--- a/src/router.ts");
    assertStringIncludes(patch, "+const REFACTOR_FIX_PATTERN = /refactor|fix/;");
    const prompt = JSON.parse(
      await Deno.readTextFile(`${t.dataDir}/artifacts/${job.job_id}/prompt_files.json`),
    );
    assertEquals(prompt.files[0], "src/router.ts");
    // Tokens are what the stand-in reported; cost is those tokens at the table's price.
    const u = t.standin.usages[0]!;
    assertEquals([done.usage?.input_tokens, done.usage?.output_tokens], [
      u.input_tokens,
      u.output_tokens,
    ]);
    assertEquals(
      done.usage?.cost_usd,
      costUsd({ provider: "anthropic", model: DEFAULT_CODING_MODEL, ...u }),
    );
    assert(done.usage!.cost_usd! > 0);
    // The workspace itself was not touched.
    const after = await new Deno.Command("git", {
      args: ["status", "--porcelain"],
      cwd: t.workspace,
      stdout: "piped",
    }).output();
    assertEquals(new TextDecoder().decode(after.stdout), new TextDecoder().decode(before.stdout));
  } finally {
    await t.close();
  }
});

Deno.test("coding: 529 overloaded is retried and then succeeds", async () => {
  const t = await setup({ faults: [{ kind: "status", status: 529 }] });
  try {
    const done = await t.final((await t.submit("Fix the router")).job_id);
    assertEquals(done.status, "succeeded");
    assertEquals(done.attempts, 2);
    assertEquals(t.standin.requests.length, 2);
  } finally {
    await t.close();
  }
});

Deno.test("coding: 429 is retried after the retry-after the API gave", async () => {
  const t = await setup({ faults: [{ kind: "status", status: 429, retryAfterS: 1 }] });
  try {
    const job = await t.submit("Fix the router");
    const waiting = await t.waitFor(job.job_id, (j) => j.error?.code === "rate_limited");
    assertEquals(waiting.error?.retry_after_ms, 1000);
    assertEquals(waiting.error?.retryable, true);
    const done = await t.final(job.job_id);
    assertEquals(done.status, "succeeded");
    assertEquals(done.attempts, 2);
  } finally {
    await t.close();
  }
});

Deno.test("coding: 400 is unrecoverable after one attempt", async () => {
  const t = await setup({ faults: [{ kind: "status", status: 400 }] });
  try {
    const done = await t.final((await t.submit("Fix the router")).job_id);
    assertEquals(done.status, "failed");
    assertEquals(done.attempts, 1);
    assertEquals(done.error?.code, "provider_rejected");
    assertMatch(done.error!.message, /^Anthropic API answered 400: .*Invalid request/);
  } finally {
    await t.close();
  }
});

Deno.test("coding: cache tokens are counted and priced", async () => {
  const t = await setup({ cache: { read_input_tokens: 1200, creation_input_tokens: 300 } });
  try {
    const done = await t.final((await t.submit("Refactor the orchestrator router")).job_id);
    assertEquals(done.status, "succeeded");
    const u = t.standin.usages[0]!;
    assertEquals(done.usage?.cache_read_input_tokens, 1200);
    assertEquals(done.usage?.cache_creation_input_tokens, 300);
    assertEquals(
      done.usage?.cost_usd,
      costUsd({ provider: "anthropic", model: DEFAULT_CODING_MODEL, ...u }),
    );
  } finally {
    await t.close();
  }
});

const badDiffs: [string, string, RegExp][] = [
  [
    "malformed",
    "Rationale: r\n\n```diff\n--- a/src/router.ts\n+++ b/src/router.ts\n@@ -1,9 +1,2 @@\n-x\n```\n",
    /^malformed diff: /,
  ],
  [
    "stale context",
    "Rationale: r\n\n```diff\n--- a/src/router.ts\n+++ b/src/router.ts\n@@ -1,1 +1,2 @@\n // not the first line\n+// added\n```\n",
    /patch does not apply|patch failed/,
  ],
  ["missing", "Rationale: nothing to change.\n", /^the answer contained no unified diff$/],
];
for (const [name, answer, error] of badDiffs) {
  Deno.test(`coding: a ${name} diff is reported as not applying, not a crash`, async () => {
    const t = await setup({ script: () => answer });
    try {
      const done = await t.final((await t.submit("Fix the router")).job_id);
      assertEquals(done.status, "succeeded", JSON.stringify(done.error));
      assertEquals(done.result?.applies, false);
      assertMatch(String(done.result?.apply_error), error);
    } finally {
      await t.close();
    }
  });
}

Deno.test("coding: no workspace configured is a clear error", async () => {
  const t = await setup({ noWorkspace: true });
  try {
    const done = await t.final((await t.submit("Fix the router")).job_id);
    assertEquals(done.status, "failed");
    assertEquals(done.error?.code, "no_workspace");
    assertEquals(
      done.error?.message,
      "No workspace for the coding skill: start the gateway with --workspace DIR or set CODING_WORKSPACE",
    );
  } finally {
    await t.close();
  }
});

Deno.test("coding: a model the price table lacks runs, with its tokens, a null cost and a trace warning", async () => {
  const t = await setup({ env: { CODING_MODEL: "claude-imaginary-9" } });
  try {
    const done = await t.final((await t.submit("Refactor the orchestrator router")).job_id);
    assertEquals(done.status, "succeeded", JSON.stringify(done.error));
    assertEquals(done.result?.applies, true);
    const u = t.standin.usages[0]!;
    assertEquals(done.usage, {
      provider: "anthropic",
      model: "claude-imaginary-9",
      input_tokens: u.input_tokens,
      output_tokens: u.output_tokens,
      cache_read_input_tokens: u.cache_read_input_tokens,
      cache_creation_input_tokens: u.cache_creation_input_tokens,
      cost_usd: null,
    });
    const warning = await waitForEvent(t.events, "usage.unpriced");
    assertEquals(warning.job_id, done.job_id);
    assertEquals(warning.data, {
      level: "warning",
      provider: "anthropic",
      model: "claude-imaginary-9",
      message:
        "Model 'claude-imaginary-9' (anthropic) has no price: tokens are recorded, cost_usd is null",
    });
  } finally {
    await t.close();
  }
});

const budgetRefusals: [
  string,
  { maxCostUsdPerJob?: number; maxCostUsdPerUtterance?: number },
  string,
][] = [
  ["--max-cost-usd", { maxCostUsdPerJob: 1 }, "--max-cost-usd"],
  ["--max-cost-usd-per-utterance", { maxCostUsdPerUtterance: 1 }, "--max-cost-usd-per-utterance"],
  [
    "both budgets",
    { maxCostUsdPerJob: 1, maxCostUsdPerUtterance: 2 },
    "--max-cost-usd and --max-cost-usd-per-utterance",
  ],
];
for (const [name, budgets, flags] of budgetRefusals) {
  Deno.test(`coding: with ${name}, an unpriced model is refused at its start`, async () => {
    const t = await setup({ env: { CODING_MODEL: "claude-imaginary-9" }, budgets });
    try {
      const done = await t.final((await t.submit("Refactor the orchestrator router")).job_id);
      assertEquals([done.status, done.error?.code, done.attempts], ["failed", "unpriced_model", 1]);
      const day = /on (\d{4}-\d{2}-\d{2}),/.exec(done.error!.message)?.[1];
      assertMatch(String(day), /^\d{4}-\d{2}-\d{2}$/);
      assertEquals(
        done.error!.message,
        `Model 'claude-imaginary-9' (anthropic) has no price on ${day}, so the budget set by ${flags} cannot be enforced: add its price to shared/pricing/prices.json or run without ${flags}`,
      );
      assertEquals(done.error?.retryable, false);
      assertEquals(t.standin.requests.length, 0);
    } finally {
      await t.close();
    }
  });
}

Deno.test("coding: 401 is unrecoverable with a clear message", async () => {
  const t = await setup({ env: { ANTHROPIC_API_KEY: "wrong-key" } });
  try {
    const done = await t.final((await t.submit("Fix the router")).job_id);
    assertEquals(done.status, "failed");
    assertEquals(done.attempts, 1);
    assertEquals(done.error?.code, "provider_auth");
    assertMatch(
      done.error!.message,
      /^Anthropic API answered 401: .*invalid x-api-key.*Check ANTHROPIC_API_KEY\.$/,
    );
  } finally {
    await t.close();
  }
});

Deno.test("coding: a cancel mid-stream aborts the request itself and ends the job cancelled", async () => {
  // A grace far longer than the test: the job can end in time only if the worker aborts its
  // stream on the cancel, not because the engine terminated it.
  const t = await setup({ faults: [{ kind: "slow", msPerDelta: 200 }], cancelGraceMs: 60_000 });
  try {
    const job = await t.submit("Refactor the orchestrator router");
    await t.waitFor(job.job_id, (j) => (j.progress?.message ?? "").startsWith("streaming"));
    assertEquals(t.standin.cancelledStreams, 0);
    await t.engine.cancel(job.job_id);
    const done = await t.final(job.job_id);
    assertEquals(done.status, "cancelled");
    for (let i = 0; i < 100 && t.standin.cancelledStreams === 0; i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    assertEquals(t.standin.cancelledStreams, 1);
  } finally {
    await t.close();
  }
});

Deno.test("coding: a workspace outside the allowed roots is refused", async () => {
  const t = await setup();
  try {
    const done = await t.final((await t.submit("Fix the router", { workspace: "/etc" })).job_id);
    assertEquals(done.status, "failed");
    assertEquals(done.error?.code, "workspace_not_allowed");
    assertStringIncludes(done.error!.message, "Workspace '/etc' is outside the allowed roots");
  } finally {
    await t.close();
  }
});

const probe = new URL("../../engine/_testdata/probe_worker.ts", import.meta.url);
const probeCases: [string, string][] = [
  ["read", "/etc/hostname"],
  ["write", "/tmp/coding-sandbox-probe"],
  ["run", ""],
  ["env", ""],
  ["net", "http://127.0.0.1:65002/"],
];
for (const [op, target] of probeCases) {
  Deno.test(`coding sandbox denies ${op}`, async () => {
    const t = await setup({
      skill: (({ prepare: _p, finalize: _f, ...rest }) => ({
        ...rest,
        worker: probe,
        retry: { ...codingSkill.retry, attempts: 1 },
      }))(codingSkill) as Skill,
    });
    try {
      const job = await t.submit(op, { op, target: target });
      const done = await t.final(job.job_id);
      assertEquals(done.status, "failed");
      assertEquals(done.error?.code, "permission_denied");
    } finally {
      await t.close();
    }
  });
}

Deno.test("coding: the claude-cli backend runs Claude Code with only its settings, turns and cost in the result", async () => {
  // A stand-in `claude` on PATH that answers in the CLI's stream-json shape and notes its
  // environment, so the test sees what the CLI was given.
  const bin = await Deno.makeTempDir({ prefix: "fake-claude-" });
  const answer =
    "Rationale: point readers at the router.\n```diff\n--- a/README.md\n+++ b/README.md\n@@ -1,3 +1,4 @@\n # sample orchestrator\n \n A tiny repository the coding stand-in and tests propose patches for.\n+See src/router.ts.\n```\n";
  const events = [
    { type: "system", subtype: "init", session_id: "s", model: "claude-sonnet-4-6", tools: [] },
    {
      type: "result",
      subtype: "success",
      is_error: false,
      duration_ms: 1500,
      num_turns: 2,
      result: answer,
      total_cost_usd: 0.0123,
      usage: { input_tokens: 900, output_tokens: 80 },
    },
  ].map((e) => JSON.stringify(e)).join("\n");
  await Deno.writeTextFile(`${bin}/events.jsonl`, events + "\n");
  await Deno.writeTextFile(
    `${bin}/claude`,
    `#!/usr/bin/env bash
if [ "$1" = "--version" ]; then echo "2.0.0 (Claude Code)"; exit 0; fi
here="$(dirname "$0")"
env > "$here/env.txt"
printf '%s\\n' "$@" > "$here/args.txt"
cat > "$here/prompt.txt"
cat "$here/events.jsonl"
`,
  );
  await Deno.chmod(`${bin}/claude`, 0o755);
  const path = `${bin}:${Deno.env.get("PATH")}`;
  const before = Deno.env.get("PATH");
  Deno.env.set("PATH", path);
  const t = await setup({ env: { PATH: path, HOME: bin, GATEWAY_TOKEN: "canary-token-123" } });
  try {
    const done = await t.final(
      (await t.submit("Document the router", { backend: "claude-cli" })).job_id,
    );
    assertEquals(done.status, "succeeded", JSON.stringify(done.error));
    assertEquals(
      [done.result?.backend, done.result?.turns, done.result?.backend_duration_ms],
      ["claude-cli", 2, 1500],
    );
    assertEquals(done.result?.applies, true);
    assertEquals(done.result?.files_changed, ["README.md"]);
    assertEquals(done.usage?.cost_usd, 0.0123);
    const env = await Deno.readTextFile(`${bin}/env.txt`);
    assertStringIncludes(env, `ANTHROPIC_BASE_URL=${t.standin.url}`);
    assertEquals(env.includes("canary-token-123"), false, "the CLI gets no gateway settings");
    const args = (await Deno.readTextFile(`${bin}/args.txt`)).split("\n");
    assertEquals(args.slice(0, 3), ["-p", "--output-format", "stream-json"]);
    assertStringIncludes(await Deno.readTextFile(`${bin}/prompt.txt`), "Document the router");
  } finally {
    Deno.env.set("PATH", before ?? "");
    await t.close();
    await Deno.remove(bin, { recursive: true });
  }
});

Deno.test("coding: the claude-cli backend without the CLI installed is a clear error", async () => {
  const t = await setup();
  try {
    const done = await t.final(
      (await t.submit("Fix the router", { backend: "claude-cli" })).job_id,
    );
    assertEquals(done.status, "failed");
    assertEquals(done.error?.code, "backend_unavailable");
    assertEquals(
      done.error?.message,
      "params.backend 'claude-cli' cannot run: Claude Code's CLI is not on PATH (npm install -g @anthropic-ai/claude-code)",
    );
  } finally {
    await t.close();
  }
});

const midStream: [string, AnthropicFault, string][] = [
  ["an overloaded_error event", { kind: "stream_error", afterDeltas: 2 }, "provider_overloaded"],
  ["a dropped connection", { kind: "drop", afterDeltas: 2 }, "stream_interrupted"],
];
for (const [name, fault, code] of midStream) {
  Deno.test(`coding: ${name} mid-stream is retried and then succeeds`, async () => {
    const t = await setup({ faults: [fault] });
    try {
      const job = await t.submit("Refactor the orchestrator router");
      const retrying = await t.waitFor(job.job_id, (j) => j.error !== undefined);
      assertEquals([retrying.error?.code, retrying.error?.retryable], [code, true]);
      const done = await t.final(job.job_id);
      assertEquals(done.status, "succeeded", JSON.stringify(done.error));
      assertEquals(done.attempts, 2);
      assertEquals(done.result?.applies, true);
    } finally {
      await t.close();
    }
  });
}

Deno.test("coding: a budget the prompt alone would exceed stops the job before any call", async () => {
  const t = await setup({ settings: { max_cost_usd: 0.0001 } });
  try {
    const done = await t.final((await t.submit("Refactor the orchestrator router")).job_id);
    assertEquals(done.status, "failed");
    assertEquals([done.error?.code, done.attempts], ["budget_exceeded", 1]);
    assertMatch(
      done.error!.message,
      /^Cannot ask claude-sonnet-5-5 as the per-job budget of \$0\.0001 \(--max-cost-usd\) leaves 0 output tokens after a prompt of about \d+ tokens/,
    );
    assertEquals(t.standin.requests.length, 0);
  } finally {
    await t.close();
  }
});

Deno.test("coding: a budget lowers max_tokens to what it can pay for", async () => {
  // About 700 prompt tokens cost ~$0.0014 on Sonnet 5.5; $0.01 leaves ~860 output tokens.
  const t = await setup({ settings: { max_cost_usd: 0.01 } });
  try {
    const done = await t.final((await t.submit("Refactor the orchestrator router")).job_id);
    assertEquals(done.status, "succeeded", JSON.stringify(done.error));
    const sent = t.standin.requests[0]!.max_tokens;
    assert(sent > 256 && sent < 4096, `max_tokens ${sent}`);
    assert(done.usage!.cost_usd! <= 0.01);
  } finally {
    await t.close();
  }
});

Deno.test("coding: an answer cut at max_tokens is reported as truncated, not applied", async () => {
  const t = await setup({ env: { CODING_MAX_TOKENS: "60" } });
  try {
    const done = await t.final((await t.submit("Refactor the orchestrator router")).job_id);
    assertEquals(done.status, "succeeded", JSON.stringify(done.error));
    assertEquals(t.standin.requests[0]!.max_tokens, 60);
    assertEquals(done.result?.truncated, true);
    assertEquals(done.result?.applies, false);
    assertMatch(String(done.result?.apply_error), /\(the answer was cut off at max_tokens\)$/);
  } finally {
    await t.close();
  }
});

Deno.test("coding: a setting that is not a positive integer is an exact error", async () => {
  const t = await setup({ env: { CODING_MAX_TOKENS: "lots" } });
  try {
    const done = await t.final((await t.submit("Fix the router")).job_id);
    assertEquals(done.status, "failed");
    assertEquals(done.error?.code, "bad_setting");
    assertEquals(
      done.error?.message,
      "CODING_MAX_TOKENS must be a positive integer: current value is 'lots'",
    );
  } finally {
    await t.close();
  }
});

Deno.test("coding: tracked symlinks are not shown to the model (one leads out of the sandbox)", async () => {
  const t = await setup({
    beforeCommit: (dir) => Deno.symlink("/etc/hostname", `${dir}/src/router_host.ts`),
  });
  try {
    const job = await t.submit("Refactor the orchestrator router");
    const done = await t.final(job.job_id);
    assertEquals(done.status, "succeeded", JSON.stringify(done.error));
    const shown = JSON.parse(
      await Deno.readTextFile(`${t.dataDir}/artifacts/${job.job_id}/prompt_files.json`),
    );
    assertEquals(shown.files.includes("src/router_host.ts"), false);
    assertEquals(done.result?.applies, true);
  } finally {
    await t.close();
  }
});

Deno.test("coding: a per-job workspace reached through a symlink out of the roots is refused", async () => {
  const t = await setup();
  const root = await Deno.makeTempDir({ prefix: "coding-root-" });
  try {
    await Deno.symlink(t.workspace, `${root}/escape`);
    t.env.CODING_WORKSPACE_ROOTS = root;
    const done = await t.final(
      (await t.submit("Fix the router", { workspace: `${root}/escape` })).job_id,
    );
    assertEquals(done.status, "failed");
    assertEquals(done.error?.code, "workspace_not_allowed");
    assertStringIncludes(
      done.error!.message,
      `Workspace '${root}/escape' is outside the allowed roots`,
    );
  } finally {
    await Deno.remove(root, { recursive: true });
    await t.close();
  }
});

Deno.test("coding: a per-job workspace inside the roots is used", async () => {
  const t = await setup();
  try {
    t.env.CODING_WORKSPACE_ROOTS = `/nonexistent-root:${t.workspace}/..`;
    const done = await t.final(
      (await t.submit("Refactor the orchestrator router", { workspace: t.workspace })).job_id,
    );
    assertEquals(done.status, "succeeded", JSON.stringify(done.error));
    assertEquals(done.result?.applies, true);
  } finally {
    await t.close();
  }
});

/** Waits for the first trace event named `name` (the tracer writes in batches). */
async function waitForEvent(events: readonly TraceEvent[], name: string): Promise<TraceEvent> {
  for (let i = 0; i < 400; i++) {
    const found = events.find((e) => e.event === name);
    if (found) return found;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`no ${name} event in ${events.map((e) => e.event).join(", ")}`);
}

/** Every stored artifact of a job, as text. */
async function artifactTexts(dataDir: string, job: JobRecord): Promise<string[]> {
  const texts: string[] = [];
  for (const a of job.result?.artifacts ?? []) {
    texts.push(await Deno.readTextFile(`${dataDir}/${a.path}`));
  }
  return texts;
}

Deno.test("coding: with CODING_MODEL unset, claude-sonnet-5-5 gets adaptive thinking and no sampling parameters; its thinking is counted, never kept", async () => {
  const t = await setup();
  try {
    const done = await t.final((await t.submit("Refactor the orchestrator router")).job_id);
    assertEquals(done.status, "succeeded", JSON.stringify(done.error));
    assertEquals(done.result?.applies, true);
    const sent = t.standin.requests[0]! as Record<string, unknown>;
    assertEquals(sent.model, "claude-sonnet-5-5");
    assertEquals(sent.thinking, { type: "adaptive" });
    for (const key of ["temperature", "top_p", "top_k"]) assertEquals(key in sent, false, key);
    assertEquals(done.result?.thinking_blocks, 1);
    // The thinking text is nowhere: not in the answer, the patch, any artifact or the result.
    const texts = await artifactTexts(t.dataDir, done);
    assertEquals(texts.length, 3);
    for (const text of [...texts, JSON.stringify(done.result)]) {
      assertEquals(text.includes(THINKING_PREFIX), false, text.slice(0, 200));
    }
    // ...but its tokens are: the job's output is the stand-in's, thinking included.
    const response = await Deno.readTextFile(
      `${t.dataDir}/artifacts/${done.job_id}/response.md`,
    );
    assertEquals(done.usage?.output_tokens, t.standin.usages[0]!.output_tokens);
    assert(done.usage!.output_tokens > Math.ceil(response.length / 4) + 10);
  } finally {
    await t.close();
  }
});

Deno.test("coding: redacted thinking never reaches the answer or an artifact", async () => {
  const t = await setup({ thinking: "redacted" });
  try {
    const done = await t.final((await t.submit("Refactor the orchestrator router")).job_id);
    assertEquals(done.status, "succeeded", JSON.stringify(done.error));
    assertEquals(done.result?.thinking_blocks, 1);
    for (const text of await artifactTexts(t.dataDir, done)) {
      assertEquals(text.includes("c3RhbmRpbj"), false, "redacted data leaked");
    }
  } finally {
    await t.close();
  }
});

Deno.test("coding: a legacy model named in CODING_MODEL keeps its request shape and works", async () => {
  const t = await setup({ env: { CODING_MODEL: "claude-sonnet-4-5" } });
  try {
    const done = await t.final((await t.submit("Refactor the orchestrator router")).job_id);
    assertEquals(done.status, "succeeded", JSON.stringify(done.error));
    assertEquals(done.result?.applies, true);
    const sent = t.standin.requests[0]! as Record<string, unknown>;
    assertEquals([sent.model, sent.max_tokens], ["claude-sonnet-4-5", 4096]);
    assertEquals("thinking" in sent, false);
    assertEquals(done.result?.thinking_blocks, undefined);
    assertEquals(done.usage?.model, "claude-sonnet-4-5");
    assert(done.usage!.cost_usd! > 0);
  } finally {
    await t.close();
  }
});

Deno.test("coding: the second job on a workspace reads the repository context from the prompt cache", async () => {
  // A repository context above the API's smallest cacheable prefix (1024 tokens): a table
  // the router uses, shown after router.ts (one mention of "router" ranks it second).
  const rows = Array.from({ length: 160 }, (_, i) => `  { name: "skill_${i}", weight: ${i % 7} },`);
  const t = await setup({
    beforeCommit: (dir) =>
      Deno.writeTextFile(
        `${dir}/src/weights.ts`,
        `// Weights the router reads.\nexport const WEIGHTS = [\n${rows.join("\n")}\n];\n`,
      ),
  });
  try {
    const first = await t.final((await t.submit("Refactor the orchestrator router")).job_id);
    assertEquals(first.status, "succeeded", JSON.stringify(first.error));
    const second = await t.final((await t.submit("Refactor the orchestrator router")).job_id);
    assertEquals(second.status, "succeeded", JSON.stringify(second.error));
    // The request marks the repository map and the files as cache breakpoints.
    const content = t.standin.requests[0]!.messages[0]!.content as { cache_control?: unknown }[];
    assertEquals(content.map((b) => b.cache_control ?? null), [
      { type: "ephemeral" },
      { type: "ephemeral" },
      null,
    ]);
    const [u1, u2] = t.standin.usages;
    assert(u1!.cache_creation_input_tokens > 0, JSON.stringify(u1));
    assertEquals(u1!.cache_read_input_tokens, 0);
    assertEquals(u2!.cache_read_input_tokens, u1!.cache_creation_input_tokens);
    assertEquals(first.usage?.cache_creation_input_tokens, u1!.cache_creation_input_tokens);
    assertEquals(second.usage?.cache_read_input_tokens, u2!.cache_read_input_tokens);
    assertEquals(first.result?.cache_read_share, 0);
    const prompt = u2!.input_tokens + u2!.cache_read_input_tokens + u2!.cache_creation_input_tokens;
    assertEquals(
      second.result?.cache_read_share,
      Math.round((u2!.cache_read_input_tokens / prompt) * 1e4) / 1e4,
    );
    // Cache reads are billed at their own rate: the second job costs less for the same prompt.
    assert(second.usage!.cost_usd! < first.usage!.cost_usd!);
    assertEquals(
      second.usage?.cost_usd,
      costUsd({ provider: "anthropic", model: "claude-sonnet-5-5", ...u2! }),
    );
  } finally {
    await t.close();
  }
});
