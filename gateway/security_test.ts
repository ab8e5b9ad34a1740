/**
 * Security checks against a real gateway process: canary secrets never reach a log, a trace
 * row, an artifact or a response; the token guards every route but /healthz; a non-loopback
 * bind needs a token.
 */
import { assert, assertEquals, assertStringIncludes } from "@shared/testing/asserts.ts";
import { readLines } from "@shared/io/lines.ts";

const MAIN = new URL("./main.ts", import.meta.url).pathname;
const FLAGS = [
  "run",
  "--allow-net",
  "--allow-read",
  "--allow-write",
  "--allow-env",
  "--allow-sys",
  "--allow-ffi",
  "--allow-run",
];

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
  let url = "";
  for await (const line of lines) {
    if (line.startsWith("{")) {
      url = JSON.parse(line).url;
      break;
    }
  }
  const stderr = new Response(child.stderr).text();
  return {
    url,
    async stop() {
      child.kill("SIGTERM");
      await child.status;
      for await (const _ of lines) { /* drain */ }
      return await stderr;
    },
  };
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

Deno.test("canary secrets appear in no log, trace file, SQLite row or response", async () => {
  const dir = await Deno.makeTempDir();
  const gw = await startGateway(dir, CANARIES);
  const auth = { authorization: `Bearer ${CANARIES.GATEWAY_TOKEN}` };
  const bodies: string[] = [];
  const send = async (path: string, init: RequestInit = {}) => {
    const res = await fetch(gw.url + path, init);
    bodies.push(await res.text());
    return res.status;
  };
  assertEquals(
    await send("/task", {
      method: "POST",
      headers: auth,
      body: JSON.stringify({ text: "echo hi" }),
    }),
    202,
  );
  // A caller that pastes a key into a request: it is stored (that is the request) but never logged.
  assertEquals(
    await send("/task", {
      method: "POST",
      headers: auth,
      body: JSON.stringify({
        text: `echo my key is ${CANARIES.ANTHROPIC_API_KEY}`,
        utterance_id: "leak-1",
      }),
    }),
    202,
  );
  assertEquals(
    await send("/task", {
      method: "POST",
      headers: { authorization: `Bearer ${CANARIES.OPENAI_API_KEY}` },
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
  assertEquals(await send("/metrics", { headers: auth }), 200);
  await new Promise((r) => setTimeout(r, 500));
  assertEquals(await send("/traces?limit=1000", { headers: auth }), 200);
  const stderr = await gw.stop();

  const files = await allFiles(dir);
  assert(files.some((f) => f.endsWith("traces.sqlite")), "traces.sqlite was written");
  assert(files.some((f) => f.endsWith("orchestrator-traces.jsonl")), "JSONL traces were written");
  const outputs: [string, string][] = [
    ["stderr", stderr],
    ...bodies.map((b, i) => [`response ${i}`, b] as [string, string]),
  ];
  for (const f of files) {
    outputs.push([f, new TextDecoder("utf-8", { fatal: false }).decode(await Deno.readFile(f))]);
  }
  // The /traces answer is itself an output: it must show the redaction, not the key.
  assertStringIncludes(bodies.join("\n"), "[REDACTED]");
  for (const [where, text] of outputs) {
    for (const [name, secret] of Object.entries(CANARIES)) {
      if (where === "response 1" && name === "ANTHROPIC_API_KEY") continue; // the 202 answer repeats the caller's own clause
      assert(!text.includes(secret), `${name} leaked into ${where}`);
    }
  }
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
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close(); // nothing listens there now
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
