import { assert, assertEquals, assertMatch } from "@shared/testing/asserts.ts";
import type { JobRecord, TaskSpecInput } from "@shared/schemas/mod.ts";
import { TaskSpec } from "@shared/schemas/mod.ts";
import { MemoryQueue } from "../queue/memory/memory_queue.ts";
import { Tracer } from "../traces/tracer.ts";
import { echoSkill } from "../skills/echo/echo_skill.ts";
import type { Skill, SkillContext } from "../skill_kit/skill.ts";
import { Engine } from "./engine.ts";

const denyAll: Deno.PermissionOptionsObject = {
  read: false,
  write: false,
  net: false,
  env: false,
  run: false,
  ffi: false,
  sys: false,
  import: false,
};

const probeSkill: Skill = {
  intent: "probe",
  description: "test probe",
  patterns: [],
  worker: new URL("./_testdata/probe_worker.ts", import.meta.url),
  permissions: () => denyAll,
  config: () => ({}),
  retry: { attempts: 2, base_delay_ms: 10, max_delay_ms: 20, timeout_ms: 5_000 },
  concurrency: 4,
};

async function setup(
  options: {
    maxCostUsdPerJob?: number;
    maxCostUsdPerUtterance?: number;
    skills?: Skill[];
    leaseMs?: number;
    claimUnknownIntents?: boolean;
    confirmationTimeoutMs?: number;
  } = {},
) {
  const dataDir = await Deno.makeTempDir();
  const queue = new MemoryQueue();
  const tracer = new Tracer([]);
  const ctx: SkillContext = { dataDir, env: () => undefined, settings: {} };
  const engine = new Engine({
    queue,
    skills: options.skills ?? [echoSkill, probeSkill],
    skillContext: ctx,
    tracer,
    dataDir,
    leaseMs: 2_000,
    cancelGraceMs: 300,
    random: () => 0.5,
    ...options,
  });
  engine.start();
  let n = 0;
  const submit = async (spec: TaskSpecInput) => {
    const { jobs } = await queue.enqueue(
      { utterance_id: `u${++n}`, text: spec.instruction, source: "api" },
      [{ spec: TaskSpec.parse(spec), max_attempts: 3 }],
    );
    return jobs[0]!;
  };
  const waitFor = async (id: string, pred: (j: JobRecord) => boolean, ms = 15_000) => {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      const job = (await queue.get(id))!;
      if (pred(job)) return job;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(
      `job ${id} did not reach the expected state: ${JSON.stringify(await queue.get(id))}`,
    );
  };
  const final = (id: string) =>
    waitFor(id, (j) => ["succeeded", "failed", "dead", "cancelled"].includes(j.status));
  return {
    queue,
    tracer,
    engine,
    dataDir,
    submit,
    waitFor,
    final,
    async close() {
      await engine.stop({ graceMs: 1000 });
      await tracer.close();
      await Deno.remove(dataDir, { recursive: true });
    },
  };
}

Deno.test("Engine runs an echo job in a sandboxed worker to succeeded", async () => {
  const t = await setup();
  try {
    const job = await t.submit({
      intent: "echo",
      instruction: "echo hello",
      params: { text: "hello" },
    });
    const done = await t.final(job.job_id);
    assertEquals(done.status, "succeeded");
    assertEquals(done.result?.echo, "hello");
    assertEquals(done.attempts, 1);
    const events = t.tracer.recent({ job_id: job.job_id }).map((e) => e.event);
    assertEquals(events, ["job.started", "job.succeeded"]);
  } finally {
    await t.close();
  }
});

Deno.test("Engine retries echo fail_times attempts then succeeds", async () => {
  const t = await setup();
  try {
    const job = await t.submit({ intent: "echo", instruction: "x", params: { fail_times: 2 } });
    const done = await t.final(job.job_id);
    assertEquals(done.status, "succeeded");
    assertEquals(done.attempts, 3);
    const retries = t.tracer.recent({ job_id: job.job_id, event: "job.retry_scheduled" });
    assertEquals(retries.length, 2);
  } finally {
    await t.close();
  }
});

Deno.test("Engine marks a job dead when retryable failures exhaust its attempts", async () => {
  const t = await setup();
  try {
    const job = await t.submit({ intent: "echo", instruction: "x", params: { fail_times: 5 } });
    const done = await t.final(job.job_id);
    assertEquals(done.status, "dead");
    assertEquals(done.error?.code, "echo_planned_failure");
    assertEquals(done.attempts, 3);
  } finally {
    await t.close();
  }
});

Deno.test("Engine fails a job with no registered worker at once with no_worker", async () => {
  const t = await setup();
  try {
    const job = await t.submit({ intent: "teleport", instruction: "beam me up" });
    const done = await t.final(job.job_id);
    assertEquals(done.status, "failed");
    assertEquals(done.error?.code, "no_worker");
    assertMatch(done.error!.message, /No worker is registered for intent 'teleport'/);
  } finally {
    await t.close();
  }
});

Deno.test("Engine started with a subset of skills leaves other intents queued", async () => {
  const t = await setup({ claimUnknownIntents: false });
  try {
    const other = await t.submit({ intent: "coding", instruction: "refactor the router" });
    const mine = await t.submit({ intent: "echo", instruction: "echo hi", params: { text: "hi" } });
    assertEquals((await t.final(mine.job_id)).status, "succeeded");
    await new Promise((r) => setTimeout(r, 300));
    const waiting = (await t.queue.get(other.job_id))!;
    assertEquals([waiting.status, waiting.attempts], ["queued", 0]);
  } finally {
    await t.close();
  }
});

Deno.test("Engine cancels a queued job at once and a running job through its worker", async () => {
  const t = await setup();
  try {
    const running = await t.submit({
      intent: "echo",
      instruction: "x",
      params: { delay_ms: 30_000 },
    });
    await t.waitFor(running.job_id, (j) => j.status === "running");
    await t.engine.cancel(running.job_id);
    const done = await t.final(running.job_id);
    assertEquals(done.status, "cancelled");
    assertEquals(done.error?.code, "cancelled");
  } finally {
    await t.close();
  }
});

for (const op of ["read", "write", "net", "run", "env", "ffi"] as const) {
  Deno.test(`Engine sandbox denies ${op} and reports permission_denied`, async () => {
    const t = await setup();
    try {
      const target = op === "net"
        ? "http://127.0.0.1:65001/"
        : op === "read"
        ? "/etc/hostname"
        : `${t.dataDir}/x`;
      const job = await t.submit({ intent: "probe", instruction: op, params: { op, target } });
      const done = await t.final(job.job_id);
      assertEquals(done.status, "failed");
      assertEquals(done.error?.code, "permission_denied");
      // The engine keeps serving after a denial.
      const next = await t.submit({ intent: "echo", instruction: "still here" });
      assertEquals((await t.final(next.job_id)).status, "succeeded");
    } finally {
      await t.close();
    }
  });
}

Deno.test("Engine replaces a crashed worker and records worker_crashed", async () => {
  const t = await setup();
  try {
    const job = await t.submit({ intent: "probe", instruction: "crash", params: { op: "crash" } });
    const done = await t.final(job.job_id);
    assertEquals(done.status, "dead");
    assertEquals(done.error?.code, "worker_crashed");
  } finally {
    await t.close();
  }
});

Deno.test("Engine coalesces a progress flood, stays responsive, and the job still succeeds", async () => {
  const t = await setup();
  // The longest the event loop went without running a 10 ms timer during the flood.
  let last = performance.now();
  let worstGap = 0;
  const ticker = setInterval(() => {
    const now = performance.now();
    worstGap = Math.max(worstGap, now - last);
    last = now;
  }, 10);
  try {
    const job = await t.submit({ intent: "probe", instruction: "flood", params: { op: "flood" } });
    const other = await t.submit({ intent: "echo", instruction: "meanwhile" });
    const done = await t.final(job.job_id);
    clearInterval(ticker);
    assertEquals(done.status, "succeeded");
    assertEquals((await t.final(other.job_id)).status, "succeeded");
    // A stall of seconds means the flood ran synchronously; a loaded machine alone never
    // holds a 10 ms timer back that long.
    assert(worstGap < 5_000, `the event loop stalled for ${worstGap.toFixed(0)} ms`);
    const progress = t.tracer.recent({ job_id: job.job_id, event: "job.progress", limit: 100_000 });
    // The worker posted hundreds of reports; one store write per 250 ms is about six.
    assert(
      progress.length >= 2 && progress.length < 20,
      `expected coalesced progress, got ${progress.length} events`,
    );
  } finally {
    clearInterval(ticker);
    await t.close();
  }
});

Deno.test("Engine writes artifacts and records usage on the job", async () => {
  const t = await setup();
  try {
    const job = await t.submit({ intent: "probe", instruction: "usage", params: { op: "usage" } });
    const done = await t.final(job.job_id);
    assertEquals(done.status, "succeeded");
    assertEquals(done.usage?.cost_usd, 0.01);
    assertEquals(done.result?.artifacts, [{
      name: "note.txt",
      path: `artifacts/${job.job_id}/note.txt`,
    }]);
    assertEquals(
      await Deno.readTextFile(`${t.dataDir}/artifacts/${job.job_id}/note.txt`),
      "hello artifact",
    );
  } finally {
    await t.close();
  }
});

Deno.test("Engine keeps the lease while a slow skill prepares, so the job runs once", async () => {
  // Preparation outlasts the lease three times over; without renewals the engine's own next
  // claim would take the job back as stalled and run it a second time.
  const slowPrep: Skill = {
    ...echoSkill,
    intent: "slowprep",
    prepare: async () => {
      await new Promise((r) => setTimeout(r, 3_000));
      return {};
    },
  };
  // Heartbeats every 333 ms keep a 1 s lease: only a stall of two-thirds of a second, which a
  // loaded machine does not cause, would lose it.
  const t = await setup({ skills: [echoSkill, slowPrep], leaseMs: 1_000 });
  try {
    const other = await t.submit({ intent: "echo", instruction: "keeps claiming" });
    const job = await t.submit({ intent: "slowprep", instruction: "hello" });
    const done = await t.final(job.job_id);
    assertEquals((await t.final(other.job_id)).status, "succeeded");
    assertEquals(done.status, "succeeded", JSON.stringify(done.error));
    assertEquals(done.attempts, 1);
  } finally {
    await t.close();
  }
});

Deno.test("Engine gives unfinished jobs back at shutdown without using up an attempt", async () => {
  const t = await setup();
  const dataDir = await Deno.makeTempDir();
  let next: Engine | undefined;
  try {
    const { jobs } = await t.queue.enqueue(
      { utterance_id: "u-shutdown", text: "slow", source: "api" },
      [{
        spec: TaskSpec.parse({ intent: "echo", instruction: "slow", params: { delay_ms: 3_000 } }),
        max_attempts: 1,
      }],
    );
    const id = jobs[0]!.job_id;
    // Its worker has started (a cold start can take seconds on a loaded machine): the job's
    // first progress says so.
    await t.waitFor(id, (j) => j.progress?.message === "waiting 3000 ms", 60_000);
    await t.engine.stop({ graceMs: 100 });
    const released = (await t.queue.get(id))!;
    assertEquals([released.status, released.attempts, released.lease], ["queued", 0, undefined]);
    // The next engine runs it as its first and only attempt.
    next = new Engine({
      queue: t.queue,
      skills: [echoSkill],
      skillContext: { dataDir, env: () => undefined, settings: {} },
      tracer: t.tracer,
      dataDir,
      leaseMs: 2_000,
    });
    next.start();
    const done = await t.final(id);
    assertEquals([done.status, done.attempts], ["succeeded", 1]);
  } finally {
    await next?.stop({ graceMs: 100 });
    await t.close();
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("Engine reports a job whose lost worker used up its attempts as job.dead", async () => {
  const t = await setup({ leaseMs: 300 });
  try {
    await t.engine.stop({ graceMs: 100 });
    const { jobs } = await t.queue.enqueue(
      { utterance_id: "u-lost", text: "lost", source: "api" },
      [{
        spec: TaskSpec.parse({ intent: "probe", instruction: "lost", params: { op: "hang" } }),
        max_attempts: 1,
      }],
    );
    const id = jobs[0]!.job_id;
    // Another engine took it and vanished: nobody renews the lease.
    const claimed = (await t.queue.claim({ owner: "engine-gone", leaseMs: 200 }))!;
    assertEquals(claimed.job_id, id);
    const rescuer = new Engine({
      queue: t.queue,
      skills: [echoSkill],
      skillContext: { dataDir: t.dataDir, env: () => undefined, settings: {} },
      tracer: t.tracer,
      dataDir: t.dataDir,
      leaseMs: 300,
    });
    rescuer.start();
    try {
      const done = await t.final(id);
      assertEquals([done.status, done.error?.code], ["dead", "lease_expired"]);
      const events = (await t.tracer.query({ job_id: id })).map((e) => e.event);
      assertEquals(events.slice(-2), ["job.recovered", "job.dead"]);
    } finally {
      await rescuer.stop({ graceMs: 100 });
    }
  } finally {
    await t.close();
  }
});

Deno.test("Engine keeps the usage of failed attempts on a retried job", async () => {
  const t = await setup();
  try {
    const job = await t.submit({
      intent: "probe",
      instruction: "usage",
      params: { op: "usage", cost: 0.02, fail_times: 1 },
    });
    const done = await t.final(job.job_id);
    assertEquals(done.status, "succeeded", JSON.stringify(done.error));
    assertEquals(done.attempts, 2);
    assertEquals(done.usage?.cost_usd, 0.04);
    assertEquals(done.usage?.input_tokens, 20);
    assertEquals(done.usage?.output_tokens, 10);
  } finally {
    await t.close();
  }
});

Deno.test("Engine budget guard counts every attempt of a job", async () => {
  const t = await setup({ maxCostUsdPerJob: 0.03 });
  try {
    const job = await t.submit({
      intent: "probe",
      instruction: "usage",
      params: { op: "usage", cost: 0.02, fail_times: 1 },
    });
    const done = await t.final(job.job_id);
    assertEquals(done.status, "failed");
    assertEquals(done.error?.code, "budget_exceeded");
    assertEquals(
      done.error?.message,
      "Job cost $0.0400 exceeds the per-job budget of $0.0300 (--max-cost-usd)",
    );
  } finally {
    await t.close();
  }
});

Deno.test("Engine utterance budget sees what jobs running at the same time spend", async () => {
  const t = await setup({ maxCostUsdPerUtterance: 0.03 });
  try {
    const spec = TaskSpec.parse({
      intent: "probe",
      instruction: "usage",
      params: { op: "usage", cost: 0.02, hold_ms: 600 },
    });
    const { jobs } = await t.queue.enqueue(
      { utterance_id: "u-budget", text: "two at once", source: "api" },
      [{ spec, max_attempts: 1 }, { spec, max_attempts: 1 }],
    );
    const done = await Promise.all(jobs.map((j) => t.final(j.job_id)));
    // Both spent before either finished: at least one of them is stopped.
    const stopped = done.filter((j) => j.error?.code === "budget_exceeded");
    assert(stopped.length >= 1, JSON.stringify(done.map((j) => [j.status, j.error])));
    assertEquals(stopped[0]!.status, "failed");
    assertEquals(
      stopped[0]!.error?.message,
      "Utterance cost $0.0400 exceeds its budget of $0.0300 (--max-cost-usd-per-utterance)",
    );
  } finally {
    await t.close();
  }
});

Deno.test("Engine budget guard stops a job over --max-cost-usd with budget_exceeded", async () => {
  const t = await setup({ maxCostUsdPerJob: 0.001 });
  try {
    const job = await t.submit({ intent: "probe", instruction: "usage", params: { op: "usage" } });
    const done = await t.final(job.job_id);
    assertEquals(done.status, "failed");
    assertEquals(done.error?.code, "budget_exceeded");
    assertEquals(
      done.error?.message,
      "Job cost $0.0100 exceeds the per-job budget of $0.0010 (--max-cost-usd)",
    );
  } finally {
    await t.close();
  }
});

Deno.test("Engine pauses for confirmation and resumes on allow", async () => {
  const t = await setup();
  try {
    const job = await t.submit({
      intent: "probe",
      instruction: "confirm",
      params: { op: "confirm" },
    });
    const paused = await t.waitFor(job.job_id, (j) => j.status === "awaiting_confirmation");
    assertEquals(paused.confirmation?.prompt, "Allow the probe?");
    await t.engine.confirm(job.job_id, "allow");
    const done = await t.final(job.job_id);
    assertEquals(done.status, "succeeded");
    assertEquals(done.result?.decision, "allow");
  } finally {
    await t.close();
  }
});

Deno.test("Engine fails a confirmation nobody answers with confirmation_timeout", async () => {
  const t = await setup({ confirmationTimeoutMs: 300 });
  try {
    const job = await t.submit({
      intent: "probe",
      instruction: "confirm",
      params: { op: "confirm" },
    });
    await t.waitFor(job.job_id, (j) => j.status === "awaiting_confirmation");
    const done = await t.final(job.job_id);
    assertEquals([done.status, done.error?.code], ["failed", "confirmation_timeout"]);
    assertEquals(
      done.error?.message,
      `No answer to 'Allow the probe?' within 300 ms: POST /jobs/${job.job_id}/retry to ask again`,
    );
    // The slot is free again: the next job runs.
    const next = await t.submit({ intent: "echo", instruction: "after" });
    assertEquals((await t.final(next.job_id)).status, "succeeded");
  } finally {
    await t.close();
  }
});

Deno.test("Engine terminates a worker that hangs past its timeout and keeps serving", async () => {
  const hangSkill: Skill = {
    ...probeSkill,
    intent: "hang",
    retry: { attempts: 1, base_delay_ms: 10, max_delay_ms: 20, timeout_ms: 300 },
  };
  const t = await setup({ skills: [echoSkill, probeSkill, hangSkill] });
  try {
    const job = await t.submit({ intent: "hang", instruction: "hang", params: { op: "hang" } });
    const echo = await t.submit({ intent: "echo", instruction: "meanwhile" });
    assertEquals((await t.final(echo.job_id)).status, "succeeded");
    const done = await t.final(job.job_id);
    assertEquals(done.status, "dead");
    assertEquals(done.error?.code, "timeout");
    assertEquals(done.error?.message, "Job exceeded its timeout of 300 ms");
  } finally {
    await t.close();
  }
});

Deno.test("echo refuses delay_ms over 60,000 with an exact error and no retries", async () => {
  const t = await setup();
  try {
    const job = await t.submit({ intent: "echo", instruction: "x", params: { delay_ms: 60_001 } });
    const done = await t.final(job.job_id);
    assertEquals(done.status, "failed");
    assertEquals(done.attempts, 1);
    assertEquals(
      done.error?.message,
      "params.delay_ms must be a number from 0 to 60000: current value is 60001",
    );
  } finally {
    await t.close();
  }
});

Deno.test("Engine claims a burst in batches but never runs more of a skill than it allows", async () => {
  const narrow: Skill = { ...probeSkill, concurrency: 2 };
  const t = await setup({ skills: [echoSkill, narrow] });
  try {
    const hanging = [];
    for (let i = 0; i < 6; i++) {
      hanging.push(
        await t.submit({ intent: "probe", instruction: "hang", params: { op: "hang" } }),
      );
    }
    const echoes = [];
    for (let i = 0; i < 12; i++) echoes.push(await t.submit({ intent: "echo", instruction: "x" }));
    for (const e of echoes) assertEquals((await t.final(e.job_id)).status, "succeeded");
    const states = await Promise.all(
      hanging.map(async (j) => (await t.queue.get(j.job_id))!.status),
    );
    assertEquals(states.filter((s) => s === "running").length, 2);
    assertEquals(states.filter((s) => s === "queued").length, 4);
    for (const j of hanging) await t.engine.cancel(j.job_id);
  } finally {
    await t.close();
  }
});
