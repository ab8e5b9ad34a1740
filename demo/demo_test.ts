import { shippedPermissions } from "@shared/task_permissions.ts";
import {
  assert,
  assertEquals,
  assertMatch,
  assertStringIncludes,
} from "@shared/testing/asserts.ts";
import { readLines } from "@shared/io/lines.ts";

Deno.test("deno task demo runs the whole pipeline offline, serves its dashboard with --stay, exits 0", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      ...await shippedPermissions("demo"),
      new URL("./main.ts", import.meta.url).pathname,
      "--fast",
      "--stay",
    ],
    env: { OPENAI_API_KEY: "", ANTHROPIC_API_KEY: "", GEMINI_API_KEY: "" },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderrText = new Response(child.stderr).text();
  let text = "";
  const lines = readLines(child.stdout);
  // next(), not for-await with break: that would close the pipe the demo still writes to.
  for (;;) {
    const { value, done } = await lines.next();
    if (done) break;
    text += value + "\n";
    if (value.startsWith("Still serving")) break;
  }
  // While it stays, the dashboard and the fan-in answer from the demo's gateway.
  const dashboard = /dashboard: (http:\/\/\S+)\//.exec(text)?.[1];
  assertMatch(String(dashboard), /^http:\/\/127\.0\.0\.1:\d+$/);
  const page = await fetch(`${dashboard}/`);
  assertEquals(page.status, 200);
  assertStringIncludes(await page.text(), "<html");
  const jobs = await (await fetch(`${dashboard}/jobs`)).json();
  assertEquals(jobs.jobs.length, 2);
  // Through the public API: each job's usage and cost, summed on the utterance; the patch and
  // the screenshots are stored and served.
  type Job = {
    intent: string;
    usage?: { cost_usd: number; input_tokens: number };
    result?: { artifacts?: { name: string; path: string }[] };
  };
  const utterance = await (await fetch(`${dashboard}/utterances/${jobs.jobs[0].utterance_id}`))
    .json() as { status: string; cost_usd: number; jobs: Job[] };
  assertEquals(utterance.status, "succeeded");
  const byIntent = new Map(utterance.jobs.map((j) => [j.intent, j]));
  for (const intent of ["coding", "browser"]) {
    const job = byIntent.get(intent)!;
    assert(job.usage!.input_tokens > 0 && job.usage!.cost_usd > 0, `${intent} has usage and cost`);
  }
  assertEquals(
    Math.round(utterance.cost_usd * 1e9),
    Math.round(utterance.jobs.reduce((s, j) => s + j.usage!.cost_usd, 0) * 1e9),
  );
  const names = (intent: string) =>
    (byIntent.get(intent)!.result?.artifacts ?? []).map((a) => a.name);
  assert(names("coding").includes("patch.diff"), names("coding").join());
  assert(names("browser").includes("step-01.png"), names("browser").join());
  const shot = byIntent.get("browser")!.result!.artifacts!.find((a) => a.name === "step-01.png")!;
  const png = new Uint8Array(
    await (await fetch(`${dashboard}/${shot.path}`)).arrayBuffer(),
  );
  assertEquals([...png.slice(1, 4)].map((c) => String.fromCharCode(c)).join(""), "PNG");
  child.kill("SIGINT");
  for await (const line of lines) text += line + "\n";
  const status = await child.status;
  const out = { code: status.code, stderr: new TextEncoder().encode(await stderrText) };
  assertEquals(out.code, 0, text + new TextDecoder().decode(out.stderr));
  assertStringIncludes(text, "OpenAI Realtime STAND-IN (simulated, no key)");
  assertStringIncludes(text, "Anthropic STAND-IN (simulated, no key)");
  assertStringIncludes(text, "Gemini computer use STAND-IN (simulated, no key;");
  assertStringIncludes(
    text,
    "real on this machine: Chromium (driven by the browser job), git (the coding job's sample repository), sox/ffmpeg (audio decoding), Silero VAD (speech detection)",
  );
  assertEquals(text.includes("no_worker"), false, "the banner does not promise a failed job");
  // The gateway runs with the permissions it ships with, not a broader set.
  const config = JSON.parse(await Deno.readTextFile(new URL("../deno.json", import.meta.url)));
  const shipped = (config.tasks.gateway as string).split(/\s+/).filter((t) =>
    t.startsWith("--allow-")
  );
  assertStringIncludes(
    text,
    `gateway permissions (as deno task gateway): ${shipped.join(" ")}`,
  );
  assertStringIncludes(
    text,
    "» Refactor the orchestrator router and open the QA dashboard to verify deploy status.",
  );
  assertMatch(text, /• coding .*“Refactor the orchestrator router”/);
  assertMatch(text, /• browser .*“open the QA dashboard to verify deploy status”/);
  assertStringIncludes(text, "Fan-in from the gateway (1 utterance)");
  assertMatch(text, /• browser {2}succeeded .*PASSING/);
  assertMatch(text, /• coding {3}succeeded .*Patch proposal for src\/router\.ts \(applies\)/);
  // The edge spoke (through the speech stand-in): what it took, then the summary with the cost.
  assertStringIncludes(text, "OpenAI speech STAND-IN (simulated, no key; voiced by espeak-ng)");
  assertStringIncludes(text, "🔊 Spoken by the edge (2 sentences; WAV files kept with --keep)");
  assertStringIncludes(text, "  “On it: coding and browser.”");
  assertMatch(
    text,
    /“Coding: Patch proposal for src\/router\.ts\. Browser: .*passing\. It cost \d+ cents?\.”/,
  );
});
