import { assertEquals, assertThrows } from "@shared/testing/asserts.ts";
import { type JobRecord, TaskSpec } from "@shared/schemas/mod.ts";
import { UnrecoverableError } from "../../skill_kit/worker_errors.ts";
import type { SkillContext } from "../../skill_kit/skill.ts";
import { createBrowserSkill, DEFAULT_BROWSER_MODEL, planFor } from "./browser_skill.ts";
import { hostPort } from "../../skill_kit/net_permission.ts";
import { urlFromClause } from "./browser_patterns.ts";
import { driverCommand } from "./driver_supervisor.ts";

function ctx(env: Record<string, string>): SkillContext {
  return { dataDir: "data", env: (n) => env[n] || undefined, settings: {} };
}
function job(instruction: string, params: Record<string, unknown> = {}): Pick<JobRecord, "spec"> {
  return { spec: TaskSpec.parse({ intent: "browser", instruction, params }) };
}
Deno.test("the default model is the current generation, with a turn cap of 30", () => {
  assertEquals(DEFAULT_BROWSER_MODEL, "gemini-3.5-flash");
  assertEquals(planFor(job("open it"), ctx({ GEMINI_API_KEY: "k" })).max_turns, 30);
});

const limits = {
  model: DEFAULT_BROWSER_MODEL,
  max_turns: 30,
  max_duration_ms: 240_000,
  page_timeout_ms: 20_000,
};

Deno.test("planFor() picks the model loop, the check mode, or a clear refusal", () => {
  const key = { GEMINI_API_KEY: "k" };
  const cases: [string, Record<string, unknown>, Record<string, string>, unknown][] = [
    ["open the QA dashboard to verify deploy status", {}, key, { mode: "model", ...limits }],
    ["open http://a.test/qa", {}, key, { mode: "model", url: "http://a.test/qa", ...limits }],
    ["open the QA dashboard", {}, { ...key, BROWSER_QA_URL: "http://q.test/" }, {
      mode: "model",
      url: "http://q.test/",
      ...limits,
    }],
    // A base URL alone is enough for the model loop (a stand-in or a key-adding proxy).
    ["open the QA dashboard", {}, { GEMINI_BASE_URL: "http://127.0.0.1:9" }, {
      mode: "model",
      ...limits,
    }],
    // No key: the check mode when there is a URL.
    ["open the QA dashboard to verify deploy status", {}, { BROWSER_QA_URL: "http://q.test/" }, {
      mode: "check",
      url: "http://q.test/",
      ...limits,
    }],
    // Asked for explicitly, with a key too.
    ["check", { mode: "check", url: "http://p.test/", expect: "OK" }, key, {
      mode: "check",
      url: "http://p.test/",
      expect: "OK",
      ...limits,
    }],
    [
      "open it",
      { url: "http://p.test/", max_steps: 500, timeout_ms: 5, max_duration_ms: 5000 },
      key,
      {
        mode: "model",
        url: "http://p.test/",
        ...limits,
        // A job cannot raise the hard cap on turns.
        max_turns: 30,
        page_timeout_ms: 100,
        max_duration_ms: 5000,
      },
    ],
    // It may lower it (max_turns, or the older max_steps); BROWSER_MAX_TURNS sets it.
    ["open it", { max_turns: 4 }, key, { mode: "model", ...limits, max_turns: 4 }],
    ["open it", { max_steps: 5 }, key, { mode: "model", ...limits, max_turns: 5 }],
    ["open it", {}, { ...key, BROWSER_MAX_TURNS: "12" }, {
      mode: "model",
      ...limits,
      max_turns: 12,
    }],
    ["open it", { max_turns: 50 }, { ...key, BROWSER_MAX_TURNS: " 40 " }, {
      mode: "model",
      ...limits,
      max_turns: 40,
    }],
    // A model the price table lacks still runs (its tokens are reported uncosted).
    ["open it", {}, { ...key, BROWSER_MODEL: "gemini-9-unpriced" }, {
      mode: "model",
      ...limits,
      model: "gemini-9-unpriced",
    }],
  ];
  for (const [instruction, params, env, want] of cases) {
    assertEquals(planFor(job(instruction, params), ctx(env)), want, instruction);
  }
});

Deno.test("planFor() refuses what cannot run with the exact error", () => {
  const cases: [string, Record<string, unknown>, Record<string, string>, string, string][] = [
    [
      "open the QA dashboard to verify deploy status",
      {},
      {},
      "no_api_key",
      "GEMINI_API_KEY is not set and the request names no URL to check: set GEMINI_API_KEY (or GEMINI_BASE_URL for a stand-in), give params { mode: 'check', url, expect }, or set BROWSER_QA_URL",
    ],
    [
      "open http://a.test/",
      { mode: "model" },
      {},
      "no_api_key",
      "Model mode needs GEMINI_API_KEY (or GEMINI_BASE_URL for a stand-in)",
    ],
    [
      "check",
      { mode: "check" },
      { GEMINI_API_KEY: "k" },
      "no_url",
      "Check mode needs a URL: give params { mode: 'check', url, expect }",
    ],
    ...["0", "-3", "2.5", "thirty", "201"].map((v): [
      string,
      Record<string, unknown>,
      Record<string, string>,
      string,
      string,
    ] => [
      "open the QA dashboard",
      {},
      { GEMINI_API_KEY: "k", BROWSER_MAX_TURNS: v },
      "bad_config",
      `Cannot run browser jobs as BROWSER_MAX_TURNS must be a whole number from 1 to 200: current value is '${v}'`,
    ]),
  ];
  for (const [instruction, params, env, code, message] of cases) {
    const err = assertThrows(
      () => planFor(job(instruction, params), ctx(env)),
      UnrecoverableError,
      message,
    ) as UnrecoverableError;
    assertEquals(err.code, code);
  }
});

Deno.test("the browser worker may reach only the Gemini host (and, once prepared, the driver)", () => {
  const { skill } = createBrowserSkill();
  const record = { job_id: "j1", ...job("open the QA dashboard") } as JobRecord;
  assertEquals(skill.permissions(ctx({}), record), {
    net: ["generativelanguage.googleapis.com:443"],
    read: false,
    write: false,
    env: false,
    run: false,
    ffi: false,
    sys: false,
    import: false,
  });
  assertEquals(
    skill.permissions(ctx({ GEMINI_BASE_URL: "http://127.0.0.1:4567" }), record).net,
    ["127.0.0.1:4567"],
  );
});

Deno.test("hostPort() and urlFromClause() on the forms requests use", () => {
  assertEquals(
    hostPort("https://generativelanguage.googleapis.com"),
    "generativelanguage.googleapis.com:443",
  );
  assertEquals(hostPort("http://127.0.0.1:8080/x"), "127.0.0.1:8080");
  assertEquals(hostPort("http://localhost"), "localhost:80");
  const clauses: [string, string | undefined][] = [
    ["open https://qa.example.com/deploys.", "https://qa.example.com/deploys"],
    ["check http://127.0.0.1:8080/qa/, then report", "http://127.0.0.1:8080/qa/"],
    ["open the QA dashboard (http://q.test/x)", "http://q.test/x"],
    ["open the QA dashboard", undefined],
  ];
  for (const [clause, url] of clauses) assertEquals(urlFromClause(clause), url, clause);
});

Deno.test("driverCommand() runs this deno when allowed, else 'deno' from PATH, else nothing", () => {
  const cases: [string, string[], string | null][] = [
    [
      "/usr/lib/node_modules/deno/deno",
      ["/usr/lib/node_modules/deno/deno", "deno"],
      "/usr/lib/node_modules/deno/deno",
    ],
    // `--allow-run=deno` grants the name on PATH, a symlink to another path than execPath.
    ["/usr/lib/node_modules/deno/deno", ["deno"], "deno"],
    // A compiled gateway is not deno itself: a deno on PATH runs the driver.
    ["/opt/voice-gateway", ["/opt/voice-gateway", "deno"], "deno"],
    ["C:\\deno\\deno.exe", ["C:\\deno\\deno.exe"], "C:\\deno\\deno.exe"],
    ["/usr/bin/deno", [], null],
  ];
  for (const [execPath, allowed, want] of cases) {
    assertEquals(driverCommand(execPath, (c) => allowed.includes(c)), want, execPath);
  }
});

Deno.test("an unpriced BROWSER_MODEL plans the model loop; the skill names it for the price guard", () => {
  const env = { GEMINI_API_KEY: "k", BROWSER_MODEL: "gemini-9-unpriced" };
  const j = job("open the QA dashboard") as JobRecord;
  assertEquals(planFor(j, ctx(env)).mode, "model");
  const { skill } = createBrowserSkill();
  assertEquals(skill.pricedModel?.(ctx(env), j), {
    provider: "google",
    model: "gemini-9-unpriced",
  });
  assertEquals(
    skill.pricedModel?.(
      ctx({ BROWSER_MODEL: "gemini-9-unpriced" }),
      job("check", { mode: "check", url: "http://a.test/" }) as JobRecord,
    ),
    undefined,
  );
});
