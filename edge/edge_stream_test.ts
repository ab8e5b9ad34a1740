/**
 * The streaming edge as a real process, with the Realtime stand-in and a real gateway on
 * loopback: every spoken utterance arrives at the gateway exactly once, through dropped
 * WebSockets, a gateway that starts late, and an edge killed with a full outbox.
 */
import { freePort } from "@shared/testing/process.ts";
import { shippedPermissions } from "@shared/task_permissions.ts";
import { assert, assertEquals } from "@shared/testing/asserts.ts";
import { readLines } from "@shared/io/lines.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const FIXTURES = `${ROOT}shared/standins/openai_realtime/fixtures`;
const SPEECH = `${FIXTURES}/two_requests.wav`;
const RUN = ["run", ...await shippedPermissions("edge")];
const SENTENCES = (await Deno.readTextFile(`${FIXTURES}/two_requests.txt`)).trim().split("\n");

interface Proc {
  child: Deno.ChildProcess;
  info: Record<string, unknown>;
  stop(signal?: Deno.Signal): Promise<void>;
}

async function start(args: string[], key: string): Promise<Proc> {
  const child = new Deno.Command(Deno.execPath(), { args, stdout: "piped", stderr: "null" })
    .spawn();
  const lines = readLines(child.stdout);
  let info: Record<string, unknown> = {};
  for (;;) {
    const { value, done } = await lines.next();
    if (done) throw new Error(`${args.join(" ")} exited early`);
    if (value.startsWith("{") && value.includes(`"${key}"`)) {
      info = JSON.parse(value);
      break;
    }
  }
  const drain = (async () => {
    for await (const _ of lines) { /* drain */ }
  })();
  return {
    child,
    info,
    async stop(signal: Deno.Signal = "SIGTERM") {
      try {
        child.kill(signal);
      } catch { /* gone */ }
      await child.status;
      await drain;
    },
  };
}

const standin = (faults: string[] = []) =>
  start([
    "run",
    "--allow-net",
    "--allow-read",
    "--allow-env",
    `${ROOT}shared/standins/openai_realtime/main.ts`,
    "--port",
    "0",
    "--fixtures",
    FIXTURES,
    ...faults.flatMap((f) => ["--fault", f]),
  ], "standin");

const gateway = (dir: string, port = 0) =>
  start([
    ...RUN,
    `${ROOT}gateway/main.ts`,
    "--port",
    String(port),
    "--queue",
    "kv",
    "--data-dir",
    `${dir}/gw`,
    "--logs-dir",
    `${dir}/gwlogs`,
    "--log-level",
    "warning",
  ], "listening");

function edge(dir: string, realtimeUrl: string, gatewayUrl: string, input: string, pace = false) {
  return new Deno.Command(Deno.execPath(), {
    args: [
      ...RUN,
      `${ROOT}edge/main.ts`,
      "--input",
      input,
      ...(pace ? [] : ["--no-pace"]),
      "--no-follow",
      "--gateway",
      gatewayUrl,
      "--data-dir",
      `${dir}/edge`,
      "--logs-dir",
      `${dir}/edgelogs`,
    ],
    env: { OPENAI_REALTIME_URL: realtimeUrl, OPENAI_API_KEY: "" },
    stdout: "piped",
    stderr: "piped",
  });
}

/** How many edge trace events named `event` the edge logged. */
async function edgeEvents(dir: string, event: string): Promise<number> {
  const text = await Deno.readTextFile(`${dir}/edgelogs/windows-edge-traces.jsonl`);
  return text.split("\n").filter((l) => l.includes(`"event":"${event}"`)).length;
}

/** Texts of the utterances the gateway received (one trace per new utterance). */
async function received(gatewayUrl: string): Promise<string[]> {
  const texts: string[] = [];
  for (const event of ["utterance.routed", "utterance.unrouted"]) {
    const { events } = await (await fetch(`${gatewayUrl}/traces?limit=1000&event=${event}`)).json();
    for (const e of events) texts.push(e.data.text);
  }
  return texts.sort();
}

const opts = { sanitizeResources: false, sanitizeOps: false };

Deno.test({
  name: "edge process: the WebSocket dropped three times; each utterance arrives once",
  ...opts,
  async fn() {
    const dir = await Deno.makeTempDir();
    const rt = await standin(["drop:3", "drop_after_commit", "drop:2"]);
    const gw = await gateway(dir);
    try {
      const out = await edge(dir, String(rt.info.url), String(gw.info.url), SPEECH).output();
      assertEquals(out.code, 0, new TextDecoder().decode(out.stderr).slice(-2000));
      assertEquals(await received(String(gw.info.url)), [...SENTENCES].sort());
      const reconnects = await edgeEvents(dir, "realtime.reconnect");
      assert(reconnects >= 3, `the edge reconnected ${reconnects} times`);
    } finally {
      await gw.stop();
      await rt.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "edge process: the gateway starts while the edge speaks; utterances arrive once after",
  ...opts,
  async fn() {
    const dir = await Deno.makeTempDir();
    const rt = await standin();
    const port = freePort();
    const gatewayUrl = `http://127.0.0.1:${port}`;
    let gw: Proc | undefined;
    try {
      const running = edge(dir, String(rt.info.url), gatewayUrl, SPEECH, true).output();
      await new Promise((r) => setTimeout(r, 4000)); // the first utterance is already waiting
      gw = await gateway(dir, port);
      const out = await running;
      assertEquals(out.code, 0, new TextDecoder().decode(out.stderr).slice(-2000));
      assertEquals(await received(gatewayUrl), [...SENTENCES].sort());
      const retries = await edgeEvents(dir, "outbox.retry");
      assert(retries >= 1, "the outbox retried while the gateway was down");
    } finally {
      await gw?.stop();
      await rt.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "edge process: killed with a full outbox, restarted, delivers each utterance once",
  ...opts,
  async fn() {
    const dir = await Deno.makeTempDir();
    const rt = await standin();
    const port = freePort();
    const gatewayUrl = `http://127.0.0.1:${port}`;
    let gw: Proc | undefined;
    try {
      // No gateway yet: transcripts pile up in the outbox; kill the edge once both are there.
      const child = edge(dir, String(rt.info.url), gatewayUrl, SPEECH).spawn();
      const outbox = `${dir}/edge/outbox`;
      let files: string[] = [];
      for (let i = 0; i < 200 && files.length < 2; i++) {
        await new Promise((r) => setTimeout(r, 100));
        files = [];
        try {
          for await (const e of Deno.readDir(outbox)) {
            if (e.isFile && e.name.endsWith(".json")) files.push(e.name);
          }
        } catch { /* not created yet */ }
      }
      assertEquals(files.length, 2);
      child.kill("SIGKILL");
      await child.output();
      gw = await gateway(dir, port);
      // Restart on the same data folder with silence as input: it only flushes the outbox.
      const silence = `${dir}/silence.wav`;
      await new Deno.Command("sox", {
        args: ["-n", "-r", "16000", "-c", "1", "-b", "16", silence, "trim", "0", "1"],
      }).output();
      const out = await edge(dir, String(rt.info.url), gatewayUrl, silence).output();
      assertEquals(out.code, 0, new TextDecoder().decode(out.stderr).slice(-2000));
      assertEquals(await received(gatewayUrl), [...SENTENCES].sort());
      const left: string[] = [];
      for await (const e of Deno.readDir(outbox)) {
        if (e.isFile && e.name.endsWith(".json")) left.push(e.name);
      }
      assertEquals(left, []);
    } finally {
      await gw?.stop();
      await rt.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
