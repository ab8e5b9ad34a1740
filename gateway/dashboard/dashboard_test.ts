/**
 * The dashboard in real Chromium (Playwright): without the token it shows nothing and refuses a
 * wrong one; with it, it lists jobs and utterances, picks up a new job without a reload,
 * reconnects by itself after the gateway restarts, and the job pages render a diff, a
 * screenshot and a readable error; the API docs page renders. Saves screenshots to
 * `test-artifacts/`.
 */
import { assert, assertEquals, assertStringIncludes } from "@shared/testing/asserts.ts";
import type { Page } from "playwright-core";
import { launchChromium } from "@shared/testing/chromium.ts";
import { TaskSpec } from "@shared/schemas/mod.ts";
import { createApp } from "../app.ts";
import { MemoryQueue } from "../queue/memory/memory_queue.ts";
import { Tracer } from "../traces/tracer.ts";
import { Metrics } from "../metrics/metrics.ts";
import { Engine } from "../engine/engine.ts";
import { echoSkill } from "../skills/echo/echo_skill.ts";

const TOKEN = "dashboard-test-token-1234";
const ARTIFACTS = "test-artifacts";

/** Console errors, page errors and every URL the page requested. */
function watch(page: Page) {
  const problems: string[] = [];
  const urls: string[] = [];
  page.on("console", (m) => m.type() === "error" && problems.push(m.text()));
  page.on("pageerror", (e) => problems.push(e.message));
  page.on("request", (r) => urls.push(r.url()));
  return { problems, urls };
}

Deno.test({
  name:
    "dashboard: fails closed, updates live, reconnects, and shows diffs, screenshots and errors",
  // Chromium's own pipes and the restarted server are closed in `finally`; Playwright keeps
  // some handles of its own until its process exits.
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dataDir = await Deno.makeTempDir({ prefix: "dash-" });
    const queue = new MemoryQueue();
    const tracer = new Tracer([]);
    const metrics = new Metrics(() => queue.depth());
    // This gateway's engine runs echo only, as `--skills echo` would: other intents belong to
    // workers in other processes, which the test plays by changing the queue directly.
    const engine = new Engine({
      queue,
      skills: [echoSkill],
      tracer,
      metrics,
      dataDir,
      skillContext: { dataDir, env: () => undefined, settings: {} },
      claimUnknownIntents: false,
    });
    const app = createApp({
      queue,
      tracer,
      metrics,
      skills: [echoSkill],
      engine,
      token: TOKEN,
      dataDir,
    });
    let ac = new AbortController();
    let server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, signal: ac.signal, onListen() {} },
      app.fetch,
    );
    const port = server.addr.port;
    const base = `http://127.0.0.1:${port}`;
    const post = async (text: string) => {
      const res = await fetch(base + "/task", {
        method: "POST",
        headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify({ text }),
      });
      assertEquals(res.status, 202);
      return (await res.json()).jobs[0].job_id as string;
    };

    const browser = await launchChromium();
    try {
      // A real Chromium screenshot stands for the browser worker's step screenshots.
      const shot = await browser.newPage({ viewport: { width: 480, height: 240 } });
      await shot.setContent(
        "<body style='font:20px sans-serif;background:#eef'><h1>QA dashboard</h1><p>deploy: green</p>",
      );
      const png = new Uint8Array(await shot.screenshot());
      await shot.close();

      // A finished coding job with a patch and a screenshot, and a browser job that failed.
      const { jobs } = await queue.enqueue(
        {
          utterance_id: "dash-u1",
          text: "Refactor the router and check the QA page",
          source: "voice",
        },
        [
          {
            spec: TaskSpec.parse({
              intent: "coding",
              instruction: "Refactor the router",
              clause: "Refactor the router",
            }),
            max_attempts: 1,
          },
          {
            spec: TaskSpec.parse({
              intent: "browser",
              instruction: "check the QA page",
              clause: "check the QA page",
            }),
            max_attempts: 1,
          },
        ],
      );
      const coding = (await queue.claim({ owner: "t", leaseMs: 60_000, intents: ["coding"] }))!;
      await Deno.mkdir(`${dataDir}/artifacts/${coding.job_id}`, { recursive: true });
      await Deno.writeTextFile(
        `${dataDir}/artifacts/${coding.job_id}/patch.diff`,
        "--- a/x.ts\n+++ b/x.ts\n@@ -1 +1 @@\n-old\n+new\n",
      );
      await Deno.writeFile(`${dataDir}/artifacts/${coding.job_id}/step-01.png`, png);
      await queue.complete(coding.job_id, coding.lease!.token, {
        summary: "Patch proposal for x.ts",
        applies: true,
        artifacts: [
          { name: "patch.diff", path: `artifacts/${coding.job_id}/patch.diff` },
          { name: "step-01.png", path: `artifacts/${coding.job_id}/step-01.png` },
        ],
      });
      const browserJob =
        (await queue.claim({ owner: "t", leaseMs: 60_000, intents: ["browser"] }))!;
      await queue.fail(browserJob.job_id, browserJob.lease!.token, {
        code: "page_timeout",
        message: "The page http://qa.local/ did not load within 30 s",
        retryable: false,
      });
      assertEquals(jobs.map((j) => j.job_id), [coding.job_id, browserJob.job_id]);
      // Started after the seeding, so the engine does not take the jobs above.
      engine.start();

      // Fails closed: no data without the token, and a wrong token is refused.
      const guest = await browser.newPage();
      const guestLog = watch(guest);
      await guest.goto(base + "/");
      await guest.waitForSelector("#login:not([hidden])");
      assertEquals(await guest.locator("#jobs tbody tr").count(), 0);
      assertEquals(await guest.isHidden("#main"), true);
      await guest.fill("#token", "wrong-token");
      await guest.click("#login-form button");
      await guest.waitForSelector("#login-message:has-text('did not accept')");
      assertEquals(await guest.locator("#jobs tbody tr[data-job]").count(), 0);
      // The only complaints are the refused requests themselves.
      assert(guestLog.problems.length > 0);
      for (const p of guestLog.problems) assertStringIncludes(p, "401");
      await guest.close();

      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      const { problems, urls } = watch(page);
      await page.goto(base + "/");
      await page.waitForSelector("#login:not([hidden])");
      await page.fill("#token", TOKEN);
      await page.click("#login-form button");
      await page.waitForSelector(`tr[data-job="${coding.job_id}"] .st.succeeded`);
      await page.waitForSelector(`tr[data-job="${browserJob.job_id}"] .st.failed`);
      await page.waitForSelector(`li[data-utterance="dash-u1"] b.st.partial`);
      assertStringIncludes(
        await page.locator(`li[data-utterance="dash-u1"]`).textContent() ?? "",
        "Refactor the router and check the QA page",
      );

      // A job created now appears, finished, without a reload.
      const created = await post("echo live update");
      await page.waitForSelector(`tr[data-job="${created}"] .st.succeeded`, { timeout: 15_000 });
      await page.waitForSelector("#tail:has-text('job.succeeded')");
      await page.waitForFunction("document.querySelectorAll('#charts svg').length === 4");

      assertEquals(problems, [], "console errors before the restart");

      // The gateway goes away and comes back on the same port: the page reconnects by itself.
      ac.abort();
      await server.finished;
      await page.waitForSelector("#live:has-text('reconnecting')");
      ac = new AbortController();
      server = Deno.serve(
        { hostname: "127.0.0.1", port, signal: ac.signal, onListen() {} },
        app.fetch,
      );
      await page.waitForSelector("#live:has-text('live')", { timeout: 20_000 });
      // Chromium logs the cut stream and refused reconnects as network errors; nothing else. A
      // request in flight when the server stops is cut as a reset or an empty answer, which one
      // depends on timing.
      for (const p of problems.splice(0)) {
        assert(
          /net::ERR_(INCOMPLETE_CHUNKED_ENCODING|CONNECTION_REFUSED|CONNECTION_RESET|CONNECTION_CLOSED|EMPTY_RESPONSE)/
            .test(p),
          p,
        );
      }
      const afterRestart = await post("echo after the restart");
      await page.waitForSelector(`tr[data-job="${afterRestart}"] .st.succeeded`, {
        timeout: 15_000,
      });
      // A job that a worker in another process takes and finishes, with no trace event here.
      const elsewhere = (await queue.enqueue(
        { utterance_id: "dash-u2", text: "Fix the parser", source: "api" },
        [{
          spec: TaskSpec.parse({ intent: "coding", instruction: "Fix the parser" }),
          max_attempts: 1,
        }],
      )).jobs[0]!.job_id;
      await page.waitForSelector(`tr[data-job="${elsewhere}"] .st.queued`, { timeout: 15_000 });
      const taken =
        (await queue.claim({ owner: "worker-elsewhere", leaseMs: 60_000, intents: ["coding"] }))!;
      await page.waitForSelector(`tr[data-job="${elsewhere}"] .st.running`, { timeout: 15_000 });
      await queue.complete(taken.job_id, taken.lease!.token, { summary: "Patch proposal" });
      await page.waitForSelector(`tr[data-job="${elsewhere}"] .st.succeeded`, { timeout: 15_000 });
      await Deno.mkdir(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: `${ARTIFACTS}/dashboard.png`, fullPage: true });

      // The job page: a diff, a screenshot, the result, the timeline.
      await page.goto(`${base}/job/${coding.job_id}`);
      await page.waitForSelector("pre.diff .add");
      assertEquals(await page.locator("pre.diff .add").first().textContent(), "+new");
      assertEquals(await page.locator("pre.diff .del").first().textContent(), "-old");
      await page.waitForFunction(
        "(document.querySelector('#artifacts img')?.naturalWidth ?? 0) === 480",
      );
      assertEquals(await page.locator("#job-head").textContent(), "coding · succeeded");
      assertStringIncludes(await page.locator("#job-facts").textContent() ?? "", "applies");
      await page.screenshot({ path: `${ARTIFACTS}/job.png`, fullPage: true });

      // A failed job's error is readable.
      await page.goto(`${base}/job/${browserJob.job_id}`);
      await page.waitForSelector("#job-error:not([hidden])");
      assertEquals(
        await page.locator("#job-error").innerText(),
        "page_timeout: The page http://qa.local/ did not load within 30 s\nnot retryable",
      );
      await page.waitForSelector("#artifacts:has-text('no artifacts')");

      // An echo job's live timeline comes from the engine's trace events.
      await page.goto(`${base}/job/${created}`);
      await page.waitForSelector("#timeline tr.job-succeeded");

      // The API docs page renders the OpenAPI document.
      await page.goto(`${base}/docs`);
      await page.waitForSelector("#postTask code:has-text('/task')");
      await page.waitForSelector("#schema-TaskRequest");

      assertEquals(problems, []);
      assertEquals(urls.filter((u) => u.includes(TOKEN)), [], "the token never goes into a URL");
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
