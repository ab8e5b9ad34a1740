/**
 * The dashboard in real Chromium (Playwright): it asks for the token once, shows jobs, picks up
 * a new job without a reload, and the job page renders a diff and a screenshot. Saves a
 * screenshot of the dashboard to `test-artifacts/dashboard.png`.
 */
import { assert, assertEquals, assertStringIncludes } from "@shared/testing/asserts.ts";
import { chromium } from "playwright-core";
import { TaskSpec } from "@shared/schemas/mod.ts";
import { createApp } from "../app.ts";
import { MemoryQueue } from "../queue/memory/memory_queue.ts";
import { Tracer } from "../traces/tracer.ts";
import { Metrics } from "../metrics/metrics.ts";
import { Engine } from "../engine/engine.ts";
import { echoSkill } from "../skills/echo/echo_skill.ts";

const TOKEN = "dashboard-test-token-1234";
const PNG = Uint8Array.from(
  atob(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
  ),
  (c) => c.charCodeAt(0),
);

Deno.test({
  name: "dashboard: loads without console errors, updates live, and shows a diff and a screenshot",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dataDir = await Deno.makeTempDir({ prefix: "dash-" });
    const queue = new MemoryQueue();
    const tracer = new Tracer([]);
    const metrics = new Metrics(() => queue.depth());
    const skillContext = { dataDir, env: () => undefined, settings: {} };
    const engine = new Engine({
      queue,
      skills: [echoSkill],
      tracer,
      metrics,
      dataDir,
      skillContext,
    });
    engine.start();
    const app = createApp({
      queue,
      tracer,
      metrics,
      skills: [echoSkill],
      engine,
      token: TOKEN,
      dataDir,
    });
    const ac = new AbortController();
    const server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, signal: ac.signal, onListen() {} },
      app.fetch,
    );
    const base = `http://127.0.0.1:${server.addr.port}`;

    // A finished coding-like job with a patch and a screenshot.
    const { jobs } = await queue.enqueue({
      utterance_id: "dash-u1",
      text: "refactor",
      source: "api",
    }, [
      {
        spec: TaskSpec.parse({
          intent: "coding",
          instruction: "Refactor the router",
          clause: "Refactor the router",
        }),
        max_attempts: 1,
      },
    ]);
    const job = (await queue.claim({ owner: "t", leaseMs: 60_000, intents: ["coding"] }))!;
    await Deno.mkdir(`${dataDir}/artifacts/${job.job_id}`, { recursive: true });
    await Deno.writeTextFile(
      `${dataDir}/artifacts/${job.job_id}/patch.diff`,
      "--- a/x.ts\n+++ b/x.ts\n@@ -1 +1 @@\n-old\n+new\n",
    );
    await Deno.writeFile(`${dataDir}/artifacts/${job.job_id}/step-01.png`, PNG);
    await queue.complete(job.job_id, job.lease!.token, {
      summary: "Patch proposal for x.ts",
      artifacts: [
        { name: "patch.diff", path: `artifacts/${job.job_id}/patch.diff` },
        { name: "step-01.png", path: `artifacts/${job.job_id}/step-01.png` },
      ],
    });
    assertEquals(jobs[0]!.job_id, job.job_id);

    const browser = await chromium.launch({
      executablePath: Deno.env.get("CHROMIUM_PATH") || "/usr/bin/chromium",
      headless: true,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    });
    const problems: string[] = [];
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      page.on("console", (m) => m.type() === "error" && problems.push(m.text()));
      page.on("pageerror", (e) => problems.push(e.message));
      page.on("response", (r) => r.status() === 401 && problems.push(`401 ${r.url()}`));
      await page.goto(base + "/");
      // Fails closed: no data before the token is given.
      await page.waitForSelector("#login:not([hidden])");
      assertEquals(await page.locator("#jobs tbody tr").count(), 0);
      await page.fill("#token", TOKEN);
      await page.click("#login-form button");
      await page.waitForSelector(`tr[data-job="${job.job_id}"]`);
      assert(!page.url().includes(TOKEN), "the token never goes into a URL");

      // A job created now appears without a reload.
      const res = await fetch(base + "/task", {
        method: "POST",
        headers: { authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify({ text: "echo live update" }),
      });
      const created = (await res.json()).jobs[0].job_id as string;
      await page.waitForSelector(`tr[data-job="${created}"] .st.succeeded`, { timeout: 15_000 });
      await page.waitForFunction("document.querySelector('#chart-depth svg') !== null", undefined, {
        timeout: 10_000,
      });
      await Deno.mkdir("test-artifacts", { recursive: true });
      await page.screenshot({ path: "test-artifacts/dashboard.png", fullPage: true });

      await page.goto(`${base}/job/${job.job_id}`);
      await page.waitForSelector("pre.diff .add");
      assertEquals(await page.locator("pre.diff .add").first().textContent(), "+new");
      await page.waitForFunction(
        "(document.querySelector('#artifacts img')?.naturalWidth ?? 0) > 0",
      );
      assertStringIncludes(
        await page.locator("#job-head").textContent() ?? "",
        "coding · succeeded",
      );
      await page.screenshot({ path: "test-artifacts/job.png", fullPage: true });
      assertEquals(problems, []);
    } finally {
      await browser.close();
      ac.abort();
      await server.finished;
      await engine.stop({ graceMs: 1000 });
      await tracer.close();
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});
