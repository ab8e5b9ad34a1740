/**
 * Voice commands across processes on a real redis-server: an HTTP-only gateway
 * (`--no-engine`) takes the commands, a separate worker process (`gateway/worker_main.ts`)
 * runs the jobs; both are real subprocesses started with the permissions their deno.json tasks
 * ship with. The only way from one to the other is the queue store.
 */
import { shippedPermissions } from "@shared/task_permissions.ts";
import { assertEquals } from "@shared/testing/asserts.ts";
import { type DenoProcess, spawnDeno } from "@shared/testing/process.ts";
import { createSseParser, type SseMessage } from "@shared/io/sse_parser.ts";
import { startRedisServer } from "@shared/testing/redis_server.ts";
import type { JobRecord } from "@shared/schemas/mod.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

/** A gateway or worker process, with the URL it announced (gateways only). */
type Proc = DenoProcess & { url: string };

async function spawn(
  task: "gateway" | "worker",
  script: string,
  args: string[],
  readyEvent: string,
): Promise<Proc> {
  const proc = await spawnDeno(
    [
      "run",
      ...await shippedPermissions(task),
      `${ROOT}${script}`,
      ...args,
      "--log-level",
      "warning",
    ],
    { ready: readyEvent },
  );
  return Object.assign(proc, { url: String(proc.info.url ?? "") });
}

async function stop(p: Proc) {
  await p.stop("SIGTERM");
}

Deno.test({
  name:
    "redis: cancel, confirm and deny spoken to an HTTP-only gateway reach the jobs in a worker process",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const redis = await startRedisServer();
    const dir = await Deno.makeTempDir();
    const common = [
      "--queue",
      "redis",
      "--redis-url",
      redis.url,
      "--data-dir",
      `${dir}/data`,
      "--logs-dir",
      `${dir}/logs`,
    ];
    const gateway = await spawn(
      "gateway",
      "gateway/main.ts",
      ["--port", "0", "--no-engine", "--rate-limit", "0", ...common],
      "listening",
    );
    const worker = await spawn("worker", "gateway/worker_main.ts", common, "worker_started");
    const post = async (body: unknown) => {
      const res = await fetch(`${gateway.url}/task`, {
        method: "POST",
        body: JSON.stringify(body),
        headers: { "content-type": "application/json" },
      });
      return { status: res.status, body: await res.json() };
    };
    const job = async (session: string, params: Record<string, unknown>) => {
      const r = await post({
        tasks: [{ intent: "echo", instruction: "echo", params: { text: "hi", ...params } }],
        session_id: session,
        source: "voice",
      });
      assertEquals(r.status, 202);
      return r.body.jobs[0].job_id as string;
    };
    const get = async (id: string): Promise<JobRecord> =>
      await (await fetch(`${gateway.url}/status/${id}`)).json();
    const waitFor = async (id: string, status: string) => {
      const until = Date.now() + 90_000; // generous: a loaded machine starts sandboxes slowly
      while (Date.now() < until) {
        const j = await get(id);
        if (j.status === status) return j;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`job ${id} did not become ${status}: ${JSON.stringify(await get(id))}`);
    };
    try {
      // cancel: a slow job, and another session's slow job that must keep running.
      const slow = await job("edge-a", { delay_ms: 60_000 });
      const other = await job("edge-b", { delay_ms: 60_000 });
      await waitFor(slow, "running");
      await waitFor(other, "running");
      const cancel = await post({ text: "Cancel that.", session_id: "edge-a", source: "voice" });
      assertEquals(cancel.status, 200);
      assertEquals(cancel.body.control, {
        action: "cancel",
        job_ids: [slow],
        say: "Cancelled the echo job.",
      });
      const cancelled = await waitFor(slow, "cancelled");
      assertEquals(cancelled.error?.code, "cancelled");
      assertEquals((await get(other)).status, "running", "the other session's job runs on");

      // The session's feed on the HTTP-only gateway hears of jobs the worker runs.
      const feed: SseMessage[] = [];
      const stream = await fetch(`${gateway.url}/events?session_id=edge-a`);
      assertEquals(stream.status, 200);
      const parser = createSseParser((m) => feed.push(m));
      const reader = stream.body!.pipeThrough(new TextDecoderStream()).getReader();
      const reading = (async () => {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return;
          parser.push(value);
        }
      })().catch(() => {});
      const heard = (pred: (d: Record<string, unknown>) => boolean, event = "job") =>
        feed.some((m) => m.event === event && pred(JSON.parse(m.data)));

      // confirm and deny: jobs paused in the worker, answered through the HTTP-only gateway.
      const first = await job("edge-a", { confirm: "Send the report?" });
      await waitFor(first, "awaiting_confirmation");
      const second = await job("edge-a", { confirm: "Delete the draft?" });
      await waitFor(second, "awaiting_confirmation");
      const theirs = await job("edge-b", { confirm: "Theirs?" });
      await waitFor(theirs, "awaiting_confirmation");

      const yes = await post({ text: "yes, go ahead", session_id: "edge-a", source: "voice" });
      assertEquals(yes.body.control, {
        action: "confirm",
        job_ids: [first],
        say: "Approved the echo job.",
      });
      assertEquals((await waitFor(first, "succeeded")).result?.echo, "hi");
      assertEquals((await get(second)).status, "awaiting_confirmation");

      const no = await post({ text: "No, don't do that.", session_id: "edge-a", source: "voice" });
      assertEquals(no.body.control.job_ids, [second]);
      assertEquals((await waitFor(second, "failed")).error?.code, "confirmation_denied");
      assertEquals((await get(theirs)).status, "awaiting_confirmation", "edge-b's untouched");

      const nothing = await post({ text: "approve it", session_id: "edge-a", source: "voice" });
      assertEquals(nothing.body.control.say, "Nothing is waiting for a confirmation.");

      const firstUtterance = (await get(first)).utterance_id;
      for (
        let i = 0;
        i < 600 && !heard((d) => d.utterance_id === firstUtterance, "utterance");
        i++
      ) {
        await new Promise((r) => setTimeout(r, 50));
      }
      await reader.cancel();
      await reading;
      assertEquals(
        heard((d) =>
          d.job_id === first && d.status === "awaiting_confirmation" &&
          JSON.stringify(d.confirmation) === JSON.stringify({ prompt: "Send the report?" })
        ),
        true,
        "the question was streamed",
      );
      assertEquals(heard((d) => d.job_id === first && d.status === "succeeded"), true);
      assertEquals(
        heard((d) => d.utterance_id === firstUtterance && d.status === "succeeded", "utterance"),
        true,
      );
      assertEquals(heard((d) => d.job_id === theirs), false, "nothing of edge-b");
    } finally {
      await stop(worker);
      await stop(gateway);
      await redis.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
