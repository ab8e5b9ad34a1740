/**
 * Security checks against a real gateway process: canary secrets never reach a log (stderr,
 * stdout, log files), a trace row, the `/events` stream, an artifact or a response; the token
 * guards every route but /healthz; a non-loopback bind needs a token.
 */
import { freePort } from "@shared/testing/process.ts";
import { shippedPermissions } from "@shared/task_permissions.ts";
import { assert, assertEquals, assertStringIncludes } from "@shared/testing/asserts.ts";
import { readLines } from "@shared/io/lines.ts";
import {
  codingScript,
  startAnthropicStandIn,
} from "@shared/standins/anthropic/anthropic_standin.ts";

const MAIN = new URL("./main.ts", import.meta.url).pathname;
const FLAGS = ["run", ...await shippedPermissions("gateway")];

const CANARIES = {
  GATEWAY_TOKEN: "canary-gateway-token-7f3a9c2e",
  ANTHROPIC_API_KEY: "sk-ant-canary-4b1d9e7f0a",
  GEMINI_API_KEY: "AIzaCanary0123456789abcdefghij",
  OPENAI_API_KEY: "sk-canary-openai-9e8d7c6b5a",
};

async function startGateway(dir: string, env: Record<string, string>) {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      ...FLAGS,
      MAIN,
      "--port",
      "0",
      "--queue",
      "memory",
      "--data-dir",
      `${dir}/data`,
      "--logs-dir",
      `${dir}/logs`,
    ],
    env,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const lines = readLines(child.stdout);
  const stdout: string[] = [];
  let url = "";
  for await (const line of lines) {
    stdout.push(line);
    if (line.startsWith("{")) {
      url = JSON.parse(line).url;
      break;
    }
  }
  const stderr = new Response(child.stderr).text();
  const rest = (async () => {
    for await (const line of lines) stdout.push(line);
  })();
  return {
    url,
    /** Stops the gateway; resolves to everything it wrote on stderr and stdout. */
    async stop() {
      child.kill("SIGTERM");
      await child.status;
      await rest;
      return { stderr: await stderr, stdout: stdout.join("\n") };
    },
  };
}

/** Reads an SSE stream in the background until `stop()`, which resolves to its text. */
async function readEvents(url: string, headers: HeadersInit) {
  const res = await fetch(url, { headers });
  assertEquals(res.status, 200);
  assertEquals(res.headers.get("content-type"), "text/event-stream");
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = "";
  const reading = (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        text += decoder.decode(value, { stream: true });
      }
    } catch {
      // cancelled by stop(), or the gateway went away
    }
  })();
  return {
    text: () => text,
    async stop() {
      await reader.cancel();
      await reading;
      return text;
    },
  };
}

async function git(args: string[], cwd: string) {
  const out = await new Deno.Command("git", { args, cwd, stdout: "piped", stderr: "piped" })
    .output();
  if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
}

/** A git workspace for the coding skill, from the Anthropic stand-in's sample repository. */
async function workspace(dir: string): Promise<string> {
  const fixture = new URL(
    "../shared/standins/anthropic/fixtures/sample_repo/",
    import.meta.url,
  ).pathname;
  const ws = `${dir}/workspace`;
  await Deno.mkdir(ws);
  await new Deno.Command("cp", { args: ["-r", `${fixture}.`, ws] }).output();
  await git(["init", "-q"], ws);
  await git(["add", "."], ws);
  await git(["-c", "user.email=t@example.test", "-c", "user.name=t", "commit", "-qm", "init"], ws);
  return ws;
}

async function allFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    const p = `${dir}/${e.name}`;
    if (e.isDirectory) out.push(...await allFiles(p));
    else out.push(p);
  }
  return out;
}

/** What a model might say back when a secret was in its prompt: both canaries' shapes. */
const MODEL_LEAK =
  `\n\nThe client in the config calls the API with x-api-key: ${CANARIES.ANTHROPIC_API_KEY} ` +
  `and the gateway with Authorization: Bearer ${CANARIES.GATEWAY_TOKEN}.\n`;
/** A bearer token the gateway does not know: redacted by its shape alone. */
const SHAPED_CANARY = "Bearer canary-shaped-bearer-5e6f7a8b9c";

Deno.test("canary secrets appear in no log, stdout, trace, SSE event or response", async (t) => {
  const dir = await Deno.makeTempDir();
  const standin = await startAnthropicStandIn({
    apiKey: CANARIES.ANTHROPIC_API_KEY,
    script: (request) => codingScript(request) + MODEL_LEAK,
    log: () => {},
  });
  const gw = await startGateway(dir, {
    ...CANARIES,
    ANTHROPIC_BASE_URL: standin.url,
    CODING_WORKSPACE: await workspace(dir),
  });
  const auth = {
    authorization: `Bearer ${CANARIES.GATEWAY_TOKEN}`,
    "content-type": "application/json",
  };
  const events = await readEvents(`${gw.url}/events`, auth);
  const answers: { path: string; text: string }[] = [];
  const send = async (path: string, init: RequestInit = {}) => {
    const res = await fetch(gw.url + path, init);
    answers.push({ path, text: await res.text() });
    return res.status;
  };
  const json = () => JSON.parse(answers.at(-1)!.text);
  const post = (body: unknown) =>
    send("/task", { method: "POST", headers: auth, body: JSON.stringify(body) });
  assertEquals(await post({ text: "echo hi" }), 202);
  // A caller that pastes a key into a request: it is stored (that is the request) but never logged.
  assertEquals(
    await post({ text: `echo my key is ${CANARIES.ANTHROPIC_API_KEY}`, utterance_id: "leak-1" }),
    202,
  );
  const keyJob: string = json().jobs[0].job_id;
  assertEquals(await post({ text: `echo ${SHAPED_CANARY}`, utterance_id: "leak-3" }), 202);
  const bearerJob: string = json().jobs[0].job_id;
  assertEquals(
    await send("/task", {
      method: "POST",
      headers: {
        authorization: `Bearer ${CANARIES.OPENAI_API_KEY}`,
        "content-type": "application/json",
      },
      body: "{}",
    }),
    401,
  );
  assertEquals(
    await send("/task", {
      method: "POST",
      headers: auth,
      body: `{"text": "${CANARIES.GEMINI_API_KEY}`,
    }),
    400,
  );
  // A coding job: the stand-in model quotes both secrets in its answer, which the worker
  // stores as the `response.md` artifact.
  assertEquals(
    await post({
      tasks: [{ intent: "coding", instruction: "refactor the router in src/router.ts" }],
      utterance_id: "leak-2",
    }),
    202,
  );
  const codingJob: string = json().jobs[0].job_id;
  const finished = async (id: string) => {
    for (let i = 0; i < 300; i++) {
      assertEquals(await send(`/status/${id}`, { headers: auth }), 200);
      const job = json();
      if (["succeeded", "failed", "dead", "cancelled"].includes(job.status)) return job;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`job ${id} did not finish: ${answers.at(-1)!.text}`);
  };
  assertEquals((await finished(keyJob)).status, "succeeded");
  assertEquals((await finished(bearerJob)).result.echo, SHAPED_CANARY);
  const coding = await finished(codingJob);
  assertEquals(coding.status, "succeeded", JSON.stringify(coding));
  assertEquals(standin.requests.length, 1, "the coding job asked the model once");
  const artifacts: { name: string }[] = coding.result.artifacts;
  const served = new Map<string, string>();
  for (const { name } of artifacts) {
    assertEquals(await send(`/artifacts/${codingJob}/${name}`, { headers: auth }), 200, name);
    served.set(name, answers.at(-1)!.text);
  }
  assertEquals(await send("/metrics", { headers: auth }), 200);
  await new Promise((r) => setTimeout(r, 500));
  assertEquals(await send("/traces?limit=1000", { headers: auth }), 200);
  const sse = await events.stop();
  const { stderr, stdout } = await gw.stop();
  await standin.close();

  // What was read must hold what is searched: the stream saw the jobs end, stdout its line,
  // and the model's answer was stored.
  assertStringIncludes(sse, "event: hello");
  for (const id of [keyJob, bearerJob, codingJob]) assertStringIncludes(sse, `"job_id":"${id}"`);
  assertStringIncludes(sse, '"event":"job.succeeded"');
  assertStringIncludes(stdout, '"event":"listening"');
  assertStringIncludes(served.get("response.md") ?? "", "calls the API with x-api-key: ");
  const files = await allFiles(dir);
  assert(files.some((f) => f.endsWith("traces.sqlite")), "traces.sqlite was written");
  assert(files.some((f) => f.endsWith("orchestrator-traces.jsonl")), "JSONL traces were written");
  assert(files.some((f) => f.endsWith(`${codingJob}/response.md`)), "response.md was written");
  const outputs: [string, string][] = [
    ["stderr", stderr],
    ["stdout", stdout],
    ["/events", sse],
    ...answers.map(({ path, text }, i) => [`response ${i} (${path})`, text] as [string, string]),
  ];
  for (const f of files) {
    if (f.startsWith(`${dir}/workspace/`)) continue; // the caller's own repository
    outputs.push([f, new TextDecoder("utf-8", { fatal: false }).decode(await Deno.readFile(f))]);
  }
  // The /traces answer and the stream are outputs too: they show the redaction, not the key.
  assertStringIncludes(answers.map((a) => a.text).join("\n"), "[REDACTED]");
  assertStringIncludes(sse, "[REDACTED]");
  const secrets: [string, string][] = [...Object.entries(CANARIES), [
    "SHAPED_CANARY",
    SHAPED_CANARY,
  ]];
  /** A caller's own echo job repeats its text: in the 202 answer and in the job's status. */
  const own = (where: string, name: string) =>
    (name === "ANTHROPIC_API_KEY" &&
      (where === "response 1 (/task)" || where.includes(`(/status/${keyJob})`))) ||
    (name === "SHAPED_CANARY" &&
      (where === "response 2 (/task)" || where.includes(`(/status/${bearerJob})`)));
  const isArtifact = (where: string) => where.includes("/artifacts/"); // on disk (data/artifacts/…) or served (/artifacts/…)
  const leaks: string[] = [];
  const artifactLeaks: string[] = [];
  for (const [where, text] of outputs) {
    for (const [name, secret] of secrets) {
      if (own(where, name) || !text.includes(secret)) continue;
      (isArtifact(where) ? artifactLeaks : leaks).push(`${name} leaked into ${where}`);
    }
  }
  assertEquals(leaks, []);
  // A model that quotes a secret would put it in response.md: the engine redacts text
  // artifacts before they reach the disk and /artifacts.
  await t.step({
    name: "artifacts hold no secret",
    fn: () => assertEquals(artifactLeaks, []),
  });
  await Deno.remove(dir, { recursive: true });
});

Deno.test("the gateway refuses a non-loopback address without GATEWAY_TOKEN", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [...FLAGS, MAIN, "--host", "0.0.0.0", "--port", "0", "--queue", "memory"],
    env: { GATEWAY_TOKEN: "" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  assertEquals(out.code, 2);
  assertEquals(
    new TextDecoder().decode(out.stderr).trim(),
    "error: refusing to listen on 0.0.0.0 without GATEWAY_TOKEN: set a token, or use --host 127.0.0.1",
  );
});

Deno.test("an unreachable Redis at start-up is one readable line and exit 1", async () => {
  const port = freePort(); // nothing listens there
  const dir = await Deno.makeTempDir();
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      ...FLAGS,
      MAIN,
      "--port",
      "0",
      "--queue",
      "redis",
      "--redis-url",
      `redis://127.0.0.1:${port}`,
      "--data-dir",
      dir,
      "--logs-dir",
      dir,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  await Deno.remove(dir, { recursive: true });
  assertEquals(out.code, 1);
  assertEquals(
    new TextDecoder().decode(out.stderr).trim(),
    `error: cannot start: Cannot reach Redis at redis://127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port}. Start redis-server or fix --redis-url.`,
  );
});

Deno.test("bad flags exit 2 with a message naming the flag", async () => {
  const cases: [string[], string][] = [
    [
      ["--port", "99999"],
      "error: Invalid --port: Too big: expected number to be <=65535. See --help.",
    ],
    [
      ["--queue", "mongo"],
      'error: Invalid --queue: Invalid option: expected one of "kv"|"redis"|"memory". See --help.',
    ],
    [
      ["--bogus"],
      "error: Unknown option '--bogus'. See --help.",
    ],
  ];
  for (const [args, expected] of cases) {
    const out = await new Deno.Command(Deno.execPath(), {
      args: [...FLAGS, MAIN, ...args],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assertEquals(out.code, 2, args.join(" "));
    assertEquals(new TextDecoder().decode(out.stderr).trim(), expected);
  }
});
