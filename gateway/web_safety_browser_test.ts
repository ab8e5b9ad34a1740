/**
 * The gateway among web pages, in real Chromium: a hostile page served from another loopback
 * origin tries what any site its user visits could (no-cors `fetch` with a `text/plain` body,
 * `text/plain` HTML forms, a confirm of a paused job, a cancel), and a rebinding name points at
 * the gateway. Every attempt reaches the gateway and is refused; no job is queued and the paused
 * job still waits. The gateway's own dashboard then confirms that job from the same origin, with
 * its strict CSP and no console error.
 */
import { assert, assertEquals } from "@shared/testing/asserts.ts";
import type { Browser } from "playwright-core";
import { launchChromium } from "@shared/testing/chromium.ts";
import { TaskSpec } from "@shared/schemas/mod.ts";
import { createApp } from "./app.ts";
import { MemoryQueue } from "./queue/memory/memory_queue.ts";
import { Tracer } from "./traces/tracer.ts";
import { Metrics } from "./metrics/metrics.ts";
import { Engine } from "./engine/engine.ts";
import { echoSkill } from "./skills/echo/echo_skill.ts";
import type { Skill } from "./skill_kit/skill.ts";

/** A skill whose worker pauses for a confirmation (`params.op: "confirm"`). */
const probeSkill: Skill = {
  intent: "probe",
  description: "pauses for a confirmation",
  patterns: [],
  worker: new URL("./engine/_testdata/probe_worker.ts", import.meta.url),
  permissions: () => ({
    read: false,
    write: false,
    net: false,
    env: false,
    run: false,
    ffi: false,
    sys: false,
    import: false,
  }),
  config: () => ({}),
  retry: { attempts: 1, base_delay_ms: 10, max_delay_ms: 20, timeout_ms: 60_000 },
  concurrency: 2,
};

async function launch(): Promise<Browser> {
  return await launchChromium([
    // A rebinding name: it resolves to the gateway's loopback address.
    "--host-resolver-rules=MAP rebind.test 127.0.0.1",
  ]);
}

async function until(what: string, ok: () => boolean | Promise<boolean>, ms = 30_000) {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The hostile page: every attempt a cross-site page can make without CORS. */
function hostilePage(gateway: string, jobId: string): string {
  const form = (action: string, name: string, value: string, target: string) =>
    `<form method="post" enctype="text/plain" action="${gateway}${action}" target="${target}">` +
    `<input type="hidden" name='${name}' value='${value}'></form><iframe name="${target}"></iframe>`;
  return `<!doctype html><html><body><h1>A page the user happened to open</h1>
${form("/task", '{"text":"echo from a form","pad":"', '"}', "f1")}
${form(`/jobs/${jobId}/confirm`, '{"decision":"allow","pad":"', '"}', "f2")}
<script>
const gw = ${JSON.stringify(gateway)};
const tries = [
  ["/task", JSON.stringify({ text: "echo from a no-cors fetch" })],
  ["/jobs/${jobId}/confirm", JSON.stringify({ decision: "allow" })],
  ["/jobs/${jobId}/cancel", ""],
];
for (const [path, body] of tries) {
  fetch(gw + path, { method: "POST", mode: "no-cors", headers: { "content-type": "text/plain" }, body })
    .catch(() => {});
}
for (const f of document.forms) f.submit();
</script></body></html>`;
}

Deno.test({
  name: "Chromium: a hostile page on another origin changes nothing; the dashboard still can",
  // Playwright keeps some handles of its own until its process exits.
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dataDir = await Deno.makeTempDir({ prefix: "websafety-browser-" });
    const queue = new MemoryQueue();
    const tracer = new Tracer([]);
    const metrics = new Metrics(() => queue.depth());
    const engine = new Engine({
      queue,
      skills: [echoSkill, probeSkill],
      tracer,
      metrics,
      dataDir,
      skillContext: { dataDir, env: () => undefined, settings: {} },
    });
    engine.start();
    let port = 0;
    const app = createApp({
      queue,
      tracer,
      metrics,
      skills: [echoSkill, probeSkill],
      engine,
      dataDir,
      webSafety: { listening: () => ({ hostname: "127.0.0.1", port }) },
    });
    /** What reached the gateway: method, path, status, Origin. */
    const seen: { method: string; path: string; status: number; origin: string | null }[] = [];
    const ac = new AbortController();
    const gatewayServer = Deno.serve(
      { hostname: "127.0.0.1", port: 0, signal: ac.signal, onListen() {} },
      async (req, info) => {
        const res = await app.fetch(req, info);
        seen.push({
          method: req.method,
          path: new URL(req.url).pathname,
          status: res.status,
          origin: req.headers.get("origin"),
        });
        return res;
      },
    );
    port = gatewayServer.addr.port;
    const gateway = `http://127.0.0.1:${port}`;

    const { jobs } = await queue.enqueue(
      { utterance_id: "paused-1", text: "a risky step", source: "api" },
      [{
        spec: TaskSpec.parse({
          intent: "probe",
          instruction: "confirm",
          params: { op: "confirm" },
        }),
        max_attempts: 1,
      }],
    );
    const paused = jobs[0]!.job_id;
    await until(
      "the job to pause",
      async () => (await queue.get(paused))!.status === "awaiting_confirmation",
    );

    let hostile = "";
    const hostileServer = Deno.serve(
      { hostname: "127.0.0.1", port: 0, signal: ac.signal, onListen() {} },
      () =>
        new Response(hostilePage(gateway, paused), {
          headers: { "content-type": "text/html; charset=utf-8" },
        }),
    );
    const hostilePort = hostileServer.addr.port;

    const browser = await launch();
    try {
      // Two hostile origins: another port on 127.0.0.1, and localhost (another host name).
      for (const origin of [`http://127.0.0.1:${hostilePort}`, `http://localhost:${hostilePort}`]) {
        hostile = origin;
        const before = seen.length;
        const page = await browser.newPage();
        await page.goto(origin + "/");
        // 3 fetches and 2 forms, each refused where it arrived.
        await until(
          `the attempts from ${origin}`,
          () => seen.slice(before).filter((s) => s.origin === hostile).length >= 5,
        );
        await page.close();
        const attempts = seen.slice(before).filter((s) => s.origin === hostile);
        assertEquals(
          attempts.map((a) => `${a.method} ${a.path} ${a.status}`).sort(),
          [
            `POST /jobs/${paused}/cancel 403`,
            `POST /jobs/${paused}/confirm 403`,
            `POST /jobs/${paused}/confirm 403`,
            "POST /task 403",
            "POST /task 403",
          ],
        );
      }
      // A rebinding name pointing at the gateway: its pages and data are refused.
      const rebound = await browser.newPage();
      const shell = await rebound.goto(`http://rebind.test:${port}/`);
      assertEquals(shell?.status(), 421);
      const data = await rebound.goto(`http://rebind.test:${port}/jobs`);
      assertEquals(data?.status(), 403);
      assertEquals((await data!.json()).error, "host_not_allowed");
      await rebound.close();

      // Nothing changed: no job was queued, the paused job still waits.
      assertEquals((await queue.list({ limit: 50 })).jobs.map((j) => j.job_id), [paused]);
      assertEquals((await queue.get(paused))!.status, "awaiting_confirmation");

      // The gateway's own dashboard may confirm it: same origin, JSON, under its CSP.
      const own = await browser.newPage();
      const problems: string[] = [];
      own.on("console", (m) => m.type() === "error" && problems.push(m.text()));
      own.on("pageerror", (e) => problems.push(e.message));
      const res = await own.goto(gateway + "/");
      assert(res?.headers()["content-security-policy"]?.includes("frame-ancestors 'none'"));
      await own.waitForSelector(`#jobs tbody tr`);
      const status = await own.evaluate(async (id) => {
        const r = await fetch(`/jobs/${id}/confirm`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ decision: "allow" }),
        });
        return r.status;
      }, paused);
      assertEquals(status, 202);
      await until(
        "the confirmed job to finish",
        async () => (await queue.get(paused))!.status === "succeeded",
      );
      assertEquals((await queue.get(paused))!.result?.decision, "allow");
      assertEquals(problems, []);
      await own.close();
    } finally {
      await browser.close();
      ac.abort();
      await gatewayServer.finished;
      await hostileServer.finished;
      await engine.stop({ graceMs: 2000 });
      await tracer.close();
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});
