/**
 * A 30-second spoken session through the real edge process, paced in real time, with the
 * Realtime stand-in and a real gateway on loopback: every utterance arrives at the gateway
 * exactly once although the WebSocket drops three times (mid-speech, between a commit and its
 * transcript, and as the provider going away), and although the gateway is killed for ten
 * seconds while the speaker goes on.
 */
import { freePort } from "@shared/testing/process.ts";
import { shippedPermissions } from "@shared/task_permissions.ts";
import { assert, assertEquals } from "@shared/testing/asserts.ts";
import { readLines } from "@shared/io/lines.ts";
import {
  type RealtimeStandIn,
  startRealtimeStandIn,
} from "@shared/standins/openai_realtime/realtime_standin.ts";
import { fixtureScript, loadFixtures } from "@shared/standins/openai_realtime/transcript_script.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const RUN = ["run", ...await shippedPermissions("edge")];

/**
 * What the speaker says, each an echo request; the stand-in "hears" a segment as the sentence
 * whose sound is nearest in length, so the lengths are far apart (0.7 s to 4.2 s spoken).
 */
const SENTENCES = [
  "Echo red.",
  "Echo green apples.",
  "Echo seven blue balloons.",
  "Echo the quick brown fox jumps high.",
  "Echo a very long sentence about the weather today.",
  "Echo number six is the longest sentence spoken in this whole test.",
];
/** What the echo skill is asked to say back for each sentence. */
const ECHOED = SENTENCES.map((s) => s.replace(/^Echo /, "").replace(/\.$/, ""));
const LEAD_S = 1;
const GAP_S = 2.5;
const TAIL_S = 1.5;

async function run(cmd: string, args: string[]): Promise<string> {
  const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
  if (!out.success) {
    throw new Error(`${cmd} ${args.join(" ")} failed: ${new TextDecoder().decode(out.stderr)}`);
  }
  return new TextDecoder().decode(out.stdout).trim();
}

interface Session {
  /** The whole session, 16 kHz mono. */
  wav: string;
  /** One fixture per sentence (WAV + its line), as the stand-in reads them. */
  fixtures: string;
}

let session: Promise<Session> | undefined;
/** Speaks the sentences with espeak-ng and joins them with sox, once per file. */
function getSession(): Promise<Session> {
  session ??= (async () => {
    const dir = await Deno.makeTempDir({ prefix: "edge-session-" });
    const fixtures = `${dir}/fixtures`;
    await Deno.mkdir(fixtures);
    const parts: string[] = [];
    const lengths: number[] = [];
    for (const [i, text] of SENTENCES.entries()) {
      const raw = `${dir}/s${i}.raw.wav`;
      const spoken = `${fixtures}/s${i}.wav`;
      await run("espeak-ng", ["-v", "en-us", "-s", "150", "-w", raw, text]);
      // Trimmed to the speech, so the fixture's sound is the sentence's.
      await run("sox", [
        raw,
        ...["-r", "16000", "-c", "1", "-b", "16", spoken],
        ...["silence", "1", "0.02", "0.5%", "reverse", "silence", "1", "0.02", "0.5%", "reverse"],
      ]);
      await Deno.writeTextFile(`${fixtures}/s${i}.txt`, `${text}\n`);
      lengths.push(Number(await run("soxi", ["-D", spoken])));
      parts.push(spoken);
    }
    for (let i = 1; i < lengths.length; i++) {
      assert(
        lengths[i]! - lengths[i - 1]! >= 0.3,
        `sentences too close in length for the stand-in to tell apart: ${lengths.join(", ")}`,
      );
    }
    const gap = `${dir}/gap.wav`;
    await run("sox", ["-n", "-r", "16000", "-c", "1", "-b", "16", gap, "trim", "0", `${GAP_S}`]);
    const wav = `${dir}/session.wav`;
    const joined = parts.flatMap((p, i) => (i === 0 ? [p] : [gap, p]));
    await run("sox", [...joined, wav, "pad", `${LEAD_S}`, `${TAIL_S}`]);
    globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));
    return { wav, fixtures };
  })();
  return session;
}

interface Gateway {
  url: string;
  stop(signal?: Deno.Signal): Promise<void>;
}

/** A real gateway process on a durable (KV) queue; resolves once it listens. */
async function startGateway(dir: string, port = 0): Promise<Gateway> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      ...RUN,
      `${ROOT}gateway/main.ts`,
      ...["--port", String(port), "--queue", "kv"],
      ...["--data-dir", `${dir}/gw`, "--logs-dir", `${dir}/gwlogs`, "--log-level", "warning"],
    ],
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const lines = readLines(child.stdout);
  let url: string | undefined;
  while (url === undefined) {
    const { value, done } = await lines.next();
    if (done) throw new Error("the gateway exited before it listened");
    if (value.startsWith("{") && value.includes('"listening"')) url = JSON.parse(value).url;
  }
  const drain = (async () => {
    for await (const _ of lines) { /* keep the pipe flowing */ }
  })();
  return {
    url: url!,
    async stop(signal: Deno.Signal = "SIGTERM") {
      try {
        child.kill(signal);
      } catch { /* already gone */ }
      await child.status;
      await drain;
    },
  };
}

interface EdgeRun {
  /** Exit code and output; "timeout" (after a SIGKILL) when still running after `ms`. */
  result(ms: number): Promise<{ code: number | "timeout"; stdout: string; stderr: string }>;
  /** Ends the edge if it still runs (a test that failed early). */
  kill(): Promise<void>;
}

/** The edge on the session file, in real time, into the gateway at `gatewayUrl`. */
function startEdge(dir: string, wav: string, realtimeUrl: string, gatewayUrl: string): EdgeRun {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      ...RUN,
      `${ROOT}edge/main.ts`,
      ...["--input", wav, "--no-follow", "--gateway", gatewayUrl],
      ...["--data-dir", `${dir}/edge`, "--logs-dir", `${dir}/edgelogs`],
    ],
    env: { OPENAI_REALTIME_URL: realtimeUrl, OPENAI_API_KEY: "", GATEWAY_TOKEN: "" },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const output = child.output();
  return {
    async result(ms) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const code = await Promise.race([
        child.status.then((s) => s.code),
        new Promise<"timeout">((r) => timer = setTimeout(() => r("timeout"), ms)),
      ]);
      clearTimeout(timer);
      if (code === "timeout") {
        try {
          child.kill("SIGKILL");
        } catch { /* already gone */ }
      }
      const out = await output;
      const text = (b: Uint8Array) => new TextDecoder().decode(b);
      return { code, stdout: text(out.stdout), stderr: text(out.stderr) };
    },
    async kill() {
      try {
        child.kill("SIGKILL");
      } catch { /* already gone */ }
      await output;
    },
  };
}

/** Polls `cond` every 50 ms until it holds; fails after `ms`. */
async function until(what: string, cond: () => boolean | Promise<boolean>, ms = 30_000) {
  const deadline = performance.now() + ms;
  while (!(await cond())) {
    if (performance.now() > deadline) throw new Error(`timed out after ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Distinct texts the stand-in has transcribed so far. */
const transcribed = (rt: RealtimeStandIn) => new Set(rt.stats.transcripts).size;

interface Taken {
  utterance_id: string;
  text: string;
  ts: string;
}

/** The utterances the gateway took: one `utterance.routed`/`unrouted` trace per new one. */
async function taken(gatewayUrl: string): Promise<Taken[]> {
  const out: Taken[] = [];
  for (const event of ["utterance.routed", "utterance.unrouted"]) {
    const res = await fetch(`${gatewayUrl}/traces?limit=1000&event=${event}`);
    const { events } = await res.json();
    for (const e of events) out.push({ utterance_id: e.utterance_id, text: e.data.text, ts: e.ts });
  }
  return out;
}

interface JobView {
  utterance_id: string;
  intent: string;
  spec: { params?: { text?: string } };
}

async function jobs(gatewayUrl: string): Promise<JobView[]> {
  const res = await fetch(`${gatewayUrl}/jobs?limit=500`);
  assertEquals(res.status, 200);
  return (await res.json()).jobs;
}

/** Every sentence reached the gateway exactly once, as one echo job of its own. */
async function assertEachOnce(gatewayUrl: string): Promise<Taken[]> {
  const got = await taken(gatewayUrl);
  assertEquals(got.map((t) => t.text).sort(), [...SENTENCES].sort(), "utterances at the gateway");
  assertEquals(new Set(got.map((t) => t.utterance_id)).size, SENTENCES.length);
  const js = await jobs(gatewayUrl);
  assertEquals(js.map((j) => j.intent), SENTENCES.map(() => "echo"));
  assertEquals(js.map((j) => j.spec.params?.text).sort(), [...ECHOED].sort(), "echo jobs");
  assertEquals(new Set(js.map((j) => j.utterance_id)).size, SENTENCES.length);
  return got;
}

interface EdgeTraceLine {
  event?: string;
  utterance_id?: string;
  ts: string;
  data?: { reason?: string; held_segments?: number };
}

/** The edge's trace events (log lines with their properties flattened). */
async function edgeTrace(dir: string): Promise<EdgeTraceLine[]> {
  const text = await Deno.readTextFile(`${dir}/edgelogs/windows-edge-traces.jsonl`);
  return text.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l))
    .filter((e) => typeof e.ts === "string");
}

/** How many edge trace events are named `event`. */
async function edgeEvents(dir: string, event: string): Promise<number> {
  return (await edgeTrace(dir)).filter((e) => e.event === event).length;
}

/** Final transcripts the edge printed (one `» text` line each). */
const finals = (stdout: string) => stdout.split("\n").filter((l) => l.startsWith("» "));

const opts = { sanitizeResources: false, sanitizeOps: false, ignore: Deno.build.os === "windows" };

Deno.test({
  name:
    "edge process: the WebSocket dropped three times during a 30-second session; every utterance arrives at the gateway exactly once",
  ...opts,
  async fn() {
    const s = await getSession();
    const dir = await Deno.makeTempDir();
    const rt = await startRealtimeStandIn({
      script: fixtureScript(await loadFixtures(s.fixtures)),
    });
    const gw = await startGateway(dir);
    let edge: EdgeRun | undefined;
    try {
      edge = startEdge(dir, s.wav, rt.url, gw.url);
      // Drop 1: on the next append after the first transcript, i.e. inside the second sentence.
      await until("the first sentence transcribed", () => transcribed(rt) >= 1);
      rt.inject({ type: "drop" });
      // Drop 2: the fourth sentence is committed, and the socket closes before its transcript.
      await until("the third sentence transcribed", () => transcribed(rt) >= 3);
      rt.inject({ type: "drop_after_commit" });
      // Drop 3: the provider goes away a second into the last sentence.
      await until("the fifth sentence transcribed", () => transcribed(rt) >= 5);
      const appends = rt.stats.appends;
      await until("the last sentence under way", () => rt.stats.appends >= appends + 10);
      rt.dropAll();

      const out = await edge.result(60_000);
      assertEquals(out.code, 0, out.stderr.slice(-3000));
      await assertEachOnce(gw.url);
      assertEquals(finals(out.stdout).length, SENTENCES.length, out.stdout);
      assertEquals(await edgeEvents(dir, "outbox.acknowledged"), SENTENCES.length);
      // Each drop cut off audio the edge then had to send again on the next session.
      const reconnects = (await edgeTrace(dir)).filter((e) => e.event === "realtime.reconnect");
      const reasons = reconnects.map((e) => `${e.data?.reason} (${e.data?.held_segments} held)`);
      // The edge may notice a drop by its close frame (the stand-in's fault reason) or first by a
      // failed send ("Failed to send frame"), whichever comes first under load; either way each
      // of the three drops must be a reconnect that held audio to send again.
      const held = reasons.filter((r) => !r.endsWith("(0 held)"));
      assert(held.length >= 3, `fewer than 3 reconnects with audio held: ${reasons.join("; ")}`);
      assert(rt.stats.connections >= 4, `${rt.stats.connections} Realtime connection(s)`);
    } finally {
      await edge?.kill();
      await gw.stop();
      await rt.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "edge process: the gateway killed for 10 seconds during speech; utterances are delivered after it returns, none duplicated",
  ...opts,
  async fn() {
    const s = await getSession();
    const dir = await Deno.makeTempDir();
    const rt = await startRealtimeStandIn({
      script: fixtureScript(await loadFixtures(s.fixtures)),
    });
    const port = freePort();
    let gw: Gateway | undefined = await startGateway(dir, port);
    const gatewayUrl = gw.url;
    let edge: EdgeRun | undefined;
    try {
      edge = startEdge(dir, s.wav, rt.url, gatewayUrl);
      await until(
        "the first utterance at the gateway",
        async () => (await taken(gatewayUrl)).length >= 1,
      );
      await gw.stop("SIGKILL");
      gw = undefined;
      const downAt = new Date().toISOString();
      await new Promise((r) => setTimeout(r, 10_000));
      const upAt = new Date().toISOString();
      gw = await startGateway(dir, port);

      const out = await edge.result(60_000);
      assertEquals(out.code, 0, out.stderr.slice(-3000));
      const got = await assertEachOnce(gatewayUrl);
      assert(got.some((t) => t.ts < downAt), "an utterance was delivered before the kill");
      // What the edge transcribed while the gateway was gone waited, and arrived after it.
      const waited = (await edgeTrace(dir))
        .filter((e) => e.event === "outbox.enqueued" && e.ts >= downAt && e.ts < upAt)
        .map((e) => e.utterance_id);
      assert(waited.length >= 1, "speech was transcribed while the gateway was down");
      const arrived = new Map(got.map((t) => [t.utterance_id, t.ts]));
      for (const id of waited) {
        const at = arrived.get(id!);
        assert(
          at !== undefined && at >= upAt,
          `${id} arrived at ${at}, the gateway was back at ${upAt}`,
        );
      }
      assertEquals(finals(out.stdout).length, SENTENCES.length, out.stdout);
      assert(await edgeEvents(dir, "outbox.retry") >= 1, "the outbox retried while down");
    } finally {
      await edge?.kill();
      await gw?.stop();
      await rt.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
