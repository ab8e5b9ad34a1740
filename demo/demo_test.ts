import { assertEquals, assertMatch, assertStringIncludes } from "@shared/testing/asserts.ts";

Deno.test("deno task demo runs the whole pipeline offline and exits 0", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      "--allow-write",
      "--allow-run",
      "--allow-net",
      "--allow-env",
      "--allow-ffi",
      "--allow-sys",
      new URL("./main.ts", import.meta.url).pathname,
      "--fast",
    ],
    env: { OPENAI_API_KEY: "", ANTHROPIC_API_KEY: "", GEMINI_API_KEY: "" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
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
});
