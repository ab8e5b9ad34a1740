import { assert, assertEquals, assertStringIncludes } from "@shared/testing/asserts.ts";
import type { JobRecord } from "@shared/schemas/mod.ts";
import { createApp } from "../app.ts";
import { MemoryQueue } from "../queue/memory/memory_queue.ts";
import { Tracer } from "../traces/tracer.ts";
import { Metrics } from "../metrics/metrics.ts";
import { echoSkill } from "../skills/echo/echo_skill.ts";
import { Engine } from "../engine/engine.ts";

/**
 * A gateway app over a memory queue and an engine running echo jobs. `engineInApp: false`
 * leaves the app HTTP-only, the engine beside it on the same store, as a worker process would
 * be: commands then reach the engine through the store alone.
 */
async function setup(options: { engineInApp?: boolean } = {}) {
  const dataDir = await Deno.makeTempDir();
  const queue = new MemoryQueue();
  const tracer = new Tracer([]);
  const metrics = new Metrics(() => queue.depth());
  const engine = new Engine({
    queue,
    skills: [echoSkill],
    tracer,
    metrics,
    dataDir,
    leaseMs: 60_000, // heartbeats far apart: steering must not wait for one
    cancelGraceMs: 500,
    skillContext: { dataDir, env: () => undefined, settings: {} },
  });
  engine.start();
  const app = createApp({
    queue,
    tracer,
    metrics,
    skills: [echoSkill, { intent: "coding", patterns: [] }, { intent: "browser", patterns: [] }],
    maxAttempts: () => 1,
    ...(options.engineInApp === false ? {} : { engine }),
  });
  const post = async (body: unknown) => {
    const res = await app.request("/task", {
      method: "POST",
      body: JSON.stringify(body),
      headers: { "content-type": "application/json" },
    });
    return { status: res.status, body: await res.json() };
  };
  /** Queues one echo job for a session; `params` shape it (delay_ms, confirm, fail_times). */
  const job = async (session: string | undefined, params: Record<string, unknown>) => {
    const r = await post({
      tasks: [{ intent: "echo", instruction: "echo", params: { text: "hi", ...params } }],
      ...(session ? { session_id: session } : {}),
    });
    assertEquals(r.status, 202);
    return r.body.jobs[0].job_id as string;
  };
  const waitFor = async (id: string, pred: (j: JobRecord) => boolean, what: string) => {
    const until = Date.now() + 60_000; // generous: workers start slowly on a loaded machine
    while (Date.now() < until) {
      const j = (await queue.get(id))!;
      if (pred(j)) return j;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`job ${id} did not become ${what}: ${JSON.stringify(await queue.get(id))}`);
  };
  const status = (s: string) => (j: JobRecord) => j.status === s;
  return {
    app,
    queue,
    tracer,
    post,
    job,
    waitFor,
    status,
    async close() {
      await engine.stop({ graceMs: 500 });
      await tracer.close();
      await Deno.remove(dataDir, { recursive: true });
    },
  };
}

Deno.test("'cancel that' cancels the session's latest unfinished jobs and not another session's", async () => {
  const t = await setup();
  try {
    const older = await t.job("alice", { delay_ms: 30_000 });
    const mine = await t.job("alice", { delay_ms: 30_000 });
    const theirs = await t.job("bob", { delay_ms: 30_000 });
    for (const id of [older, mine, theirs]) await t.waitFor(id, t.status("running"), "running");

    const r = await t.post({ text: "Okay, cancel that please.", session_id: "alice" });
    assertEquals(r.status, 200);
    assertEquals(r.body.jobs, []);
    assertEquals(r.body.control, {
      action: "cancel",
      job_ids: [mine],
      say: "Cancelled the echo job.",
    });
    await t.waitFor(mine, t.status("cancelled"), "cancelled");
    assertEquals((await t.queue.get(older))!.status, "running", "an older utterance is kept");
    assertEquals((await t.queue.get(theirs))!.status, "running", "bob's job is untouched");

    // Next, the most recent utterance that still has unfinished jobs is the older one.
    const again = await t.post({ text: "stop that", session_id: "alice" });
    assertEquals(again.body.control.job_ids, [older]);
    await t.waitFor(older, t.status("cancelled"), "cancelled");

    const none = await t.post({ text: "abort", session_id: "alice" });
    assertEquals(none.body.control, { action: "cancel", job_ids: [], say: "Nothing to cancel." });
    assertEquals((await t.queue.get(theirs))!.status, "running", "bob's job is still untouched");

    const events = t.tracer.recent({}).filter((e) => e.event === "control.cancel");
    assertEquals(events.map((e) => e.data?.outcome), ["acted", "acted", "nothing"]);
    assertEquals(events[0]!.data?.session_id, "alice");
    const metrics = await (await t.app.request("/metrics")).text();
    assertStringIncludes(
      metrics,
      'orchestrator_control_commands_total{action="cancel",outcome="acted"} 2',
    );
    assertStringIncludes(
      metrics,
      'orchestrator_control_commands_total{action="cancel",outcome="nothing"} 1',
    );
  } finally {
    await t.close();
  }
});

Deno.test("confirm and deny reach the engine through the store from an HTTP-only app", async () => {
  const t = await setup({ engineInApp: false });
  try {
    const a1 = await t.job("alice", { confirm: "Send the first?" });
    const b1 = await t.job("bob", { confirm: "Send bob's?" });
    for (const id of [a1, b1]) {
      await t.waitFor(id, t.status("awaiting_confirmation"), "awaiting_confirmation");
    }
    const a2 = await t.job("alice", { confirm: "Send the second?" });
    await t.waitFor(a2, t.status("awaiting_confirmation"), "awaiting_confirmation");

    const yes = await t.post({ text: "Yes. Go ahead.", session_id: "alice", source: "voice" });
    assertEquals(yes.status, 200);
    assertEquals(yes.body.control, {
      action: "confirm",
      job_ids: [a1],
      say: "Approved the echo job.",
    });
    assertEquals((await t.waitFor(a1, t.status("succeeded"), "succeeded")).result?.echo, "hi");
    assertEquals((await t.queue.get(a2))!.status, "awaiting_confirmation", "the oldest only");
    assertEquals((await t.queue.get(b1))!.status, "awaiting_confirmation", "bob's untouched");

    const no = await t.post({ text: "no, don't do that", session_id: "alice" });
    assertEquals(no.body.control, { action: "deny", job_ids: [a2], say: "Denied the echo job." });
    const denied = await t.waitFor(a2, t.status("failed"), "failed");
    assertEquals(denied.error?.code, "confirmation_denied");
    assertEquals((await t.queue.get(b1))!.status, "awaiting_confirmation", "bob's untouched");

    const nothing = await t.post({ text: "approve it", session_id: "alice" });
    assertEquals(nothing.body.control, {
      action: "confirm",
      job_ids: [],
      say: "Nothing is waiting for a confirmation.",
    });
    const named = await t.post({ text: "confirm the browser one", session_id: "bob" });
    assertEquals(named.body.control.job_ids, [], "bob's job is an echo job");
    assertEquals(named.body.control.say, "No browser job is waiting for a confirmation.");
    const bobNo = await t.post({ text: "reject the echo one", session_id: "bob" });
    assertEquals(bobNo.body.control.job_ids, [b1]);
    await t.waitFor(b1, t.status("failed"), "failed");
  } finally {
    await t.close();
  }
});

Deno.test("'try again' re-queues the session's latest failed jobs; status lists unfinished ones", async () => {
  const t = await setup();
  try {
    const failed = await t.job("alice", { fail_times: 1 });
    await t.waitFor(failed, (j) => j.status === "dead" || j.status === "failed", "dead");
    const running = await t.job("alice", { delay_ms: 30_000 });
    await t.waitFor(running, t.status("running"), "running");
    const other = await t.job("bob", { fail_times: 1 });
    await t.waitFor(other, (j) => j.status === "dead" || j.status === "failed", "dead");

    const status = await t.post({ text: "what's running?", session_id: "alice" });
    assertEquals(status.body.control, {
      action: "status",
      job_ids: [running],
      say: "1 job: echo running.",
    });
    assertEquals(
      (await t.post({ text: "status", session_id: "carol" })).body.control.say,
      "Nothing is running.",
    );

    const retry = await t.post({ text: "uh, try that again", session_id: "alice" });
    assertEquals(retry.body.control, {
      action: "retry",
      job_ids: [failed],
      say: "Retrying the echo job.",
    });
    const events = t.tracer.recent({ job_id: failed }).map((e) => e.event);
    assert(events.includes("job.retried"), `retried: ${events}`);
    assert((await t.queue.get(other))!.status !== "queued", "bob's job stays failed");
    const none = await t.post({ text: "retry", session_id: "carol" });
    assertEquals(none.body.control, { action: "retry", job_ids: [], say: "Nothing to retry." });
  } finally {
    await t.close();
  }
});

Deno.test("a command without a session changes nothing and says so", async () => {
  const t = await setup();
  try {
    const id = await t.job(undefined, { delay_ms: 30_000 });
    await t.waitFor(id, t.status("running"), "running");
    const r = await t.post({ text: "cancel that" });
    assertEquals(r.status, 200);
    assertEquals(r.body.control, {
      action: "cancel",
      job_ids: [],
      say: "Nothing to cancel: this request has no session.",
    });
    assertEquals((await t.queue.get(id))!.status, "running");
    const ev = t.tracer.recent({}).find((e) => e.event === "control.cancel");
    assertEquals(ev?.data?.outcome, "no_session");
  } finally {
    await t.close();
  }
});

Deno.test("a command utterance is recorded, readable and idempotent on its utterance_id", async () => {
  const t = await setup();
  try {
    const id = await t.job("alice", { delay_ms: 30_000 });
    await t.waitFor(id, t.status("running"), "running");
    const body = {
      text: "never mind",
      session_id: "alice",
      utterance_id: "cmd-1",
      source: "voice",
    };
    const first = await t.post(body);
    assertEquals(first.body.control.job_ids, [id]);
    assertEquals(first.body.duplicate, false);
    const again = await t.post(body);
    assertEquals(again.status, 200);
    assertEquals(again.body.control, first.body.control);
    assertEquals(again.body.duplicate, true);
    assertEquals(t.tracer.recent({}).filter((e) => e.event === "control.cancel").length, 1);

    const fanIn = await (await t.app.request("/utterances/cmd-1")).json();
    assertEquals(fanIn.status, "command");
    assertEquals(fanIn.session_id, "alice");
    assertEquals(fanIn.text, "never mind");
    assertEquals(fanIn.jobs, []);
    assertEquals(fanIn.control, first.body.control);
  } finally {
    await t.close();
  }
});

Deno.test("work mixed with a command is routed as work, with its session", async () => {
  const t = await setup();
  try {
    const r = await t.post({ text: "cancel that and echo hello", session_id: "alice" });
    assertEquals(r.status, 202);
    assertEquals(r.body.control, undefined);
    assert(r.body.jobs.length >= 1, "queued as work");
    const fanIn = await (await t.app.request(`/utterances/${r.body.utterance_id}`)).json();
    assertEquals(fanIn.session_id, "alice");
    const routed = t.tracer.recent({ utterance_id: r.body.utterance_id })
      .find((e) => e.event === "utterance.routed");
    assertEquals(routed?.data?.session_id, "alice");
  } finally {
    await t.close();
  }
});

Deno.test("POST /task refuses a bad session_id with 422 naming the field", async () => {
  const t = await setup();
  try {
    for (const bad of ["", "has space", "x".repeat(129), "semi;colon", "ünï", 42]) {
      const r = await t.post({ text: "echo hi", session_id: bad });
      assertEquals(r.status, 422, JSON.stringify(bad));
      const message = typeof bad === "string"
        ? "must be 1-128 characters of letters, digits, '.', '_', ':' or '-'"
        : "Invalid input: expected string, received number";
      assertEquals(r.body, {
        error: "validation_failed",
        message: "Invalid request body: check session_id",
        details: [{ path: "session_id", message }],
      });
    }
    const ok = await t.post({ text: "echo hi", session_id: "edge-host.local:4242_a" });
    assertEquals(ok.status, 202);
  } finally {
    await t.close();
  }
});

Deno.test("POST /jobs/{id}/confirm from an HTTP-only app reaches the engine through the store", async () => {
  const t = await setup({ engineInApp: false });
  try {
    const id = await t.job("alice", { confirm: "Send it?" });
    await t.waitFor(id, t.status("awaiting_confirmation"), "awaiting_confirmation");
    const res = await t.app.request(`/jobs/${id}/confirm`, {
      method: "POST",
      body: JSON.stringify({ decision: "allow" }),
      headers: { "content-type": "application/json" },
    });
    assertEquals(res.status, 202);
    assertEquals((await res.json()).decision, "allow");
    await t.waitFor(id, t.status("succeeded"), "succeeded");
    const again = await t.app.request(`/jobs/${id}/confirm`, {
      method: "POST",
      body: JSON.stringify({ decision: "allow" }),
      headers: { "content-type": "application/json" },
    });
    assertEquals(again.status, 409);
    assertEquals(
      (await again.json()).message,
      `Cannot confirm job '${id}' as it is 'succeeded', not awaiting a confirmation`,
    );
  } finally {
    await t.close();
  }
});
