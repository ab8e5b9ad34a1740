/**
 * Two-way voice with real parts: a PulseAudio server of the test's own (a null sink whose
 * monitor is the default microphone), speech made by espeak-ng and played into it with
 * paplay, the edge capturing the default microphone (ffmpeg) with the Realtime stand-in, a
 * real gateway process with the Gemini stand-in and Chromium, and the edge speaking through
 * paplay into the same sound server, so its own voice comes back into its microphone and must
 * never become a request (half-duplex).
 *
 * The Realtime stand-in hands out its script's texts in order of the audio it is sent: an
 * echo of the edge's own voice getting through would take the next text, and the one after
 * would be the stand-in's "(stand-in transcript of …)" placeholder, which every test rules out.
 */
import { shippedPermissions } from "@shared/task_permissions.ts";
import { assert, assertEquals, assertStringIncludes } from "@shared/testing/asserts.ts";
import { readLines } from "@shared/io/lines.ts";
import { type PulseServer, startPulseServer } from "@shared/testing/pulse_server.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const EDGE = ["run", ...await shippedPermissions("edge")];
const GATEWAY = ["run", ...await shippedPermissions("gateway")];
const opts = { sanitizeResources: false, sanitizeOps: false, ignore: Deno.build.os !== "linux" };

interface Proc {
  child: Deno.ChildProcess;
  info: Record<string, unknown>;
  lines: string[];
  /** Resolves with the first line (seen or to come) that matches. */
  line(match: RegExp, ms?: number): Promise<string>;
  stop(): Promise<void>;
}

async function spawn(
  args: string[],
  env: Record<string, string>,
  ready: RegExp,
  json = true,
): Promise<Proc> {
  const child = new Deno.Command(Deno.execPath(), {
    args,
    env,
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
  }).spawn();
  const lines: string[] = [];
  const waiters: { match: RegExp; resolve: (l: string) => void }[] = [];
  const stderr: string[] = [];
  const errDrain = (async () => {
    for await (const l of readLines(child.stderr)) stderr.push(l);
  })();
  const outDrain = (async () => {
    for await (const l of readLines(child.stdout)) {
      lines.push(l);
      for (const w of waiters.filter((w) => w.match.test(l))) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(l);
      }
    }
  })();
  const line = (match: RegExp, ms = 60_000) => {
    const seen = lines.find((l) => match.test(l));
    if (seen) return Promise.resolve(seen);
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `no line ${match} within ${ms} ms; stdout:\n${lines.join("\n")}\nstderr:\n${
                stderr.slice(-15).join("\n")
              }`,
            ),
          ),
        ms,
      );
      waiters.push({
        match,
        resolve: (l) => {
          clearTimeout(timer);
          resolve(l);
        },
      });
    });
  };
  const first = await line(ready, 90_000);
  return {
    child,
    info: json ? JSON.parse(first) : {},
    lines,
    line,
    async stop() {
      try {
        child.kill("SIGINT");
      } catch { /* gone */ }
      const timer = setTimeout(() => {
        try {
          child.kill("SIGKILL");
        } catch { /* gone */ }
      }, 15_000);
      await child.status;
      clearTimeout(timer);
      await outDrain;
      await errDrain;
    },
  };
}

async function say(dir: string, name: string, text: string): Promise<string> {
  const path = `${dir}/${name}.wav`;
  const out = await new Deno.Command("espeak-ng", {
    args: ["-v", "en-us", "-w", path, text],
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
  return path;
}

/**
 * Waits until the edge has said `text` to the end (the speaker archives a sentence once its
 * playback is over) and plays nothing more (no sink input of its player), then past the
 * half-duplex tail and the capture's latency: only then is the microphone the user's again.
 */
async function edgeQuiet(pulse: PulseServer, speakTo: string, text: RegExp): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const said = [...Deno.readDirSync(speakTo)].filter((e) => e.name.endsWith(".txt"))
      .some((e) => text.test(Deno.readTextFileSync(`${speakTo}/${e.name}`)));
    if (said) break;
    if (Date.now() > deadline) throw new Error(`the edge did not finish saying ${text}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  for (;;) {
    const out = await new Deno.Command("pactl", {
      args: ["list", "sink-inputs"],
      env: pulse.env,
      stdout: "piped",
      stderr: "null",
    }).output();
    if (!new TextDecoder().decode(out.stdout).includes("voice-edge")) break;
    if (Date.now() > deadline) throw new Error("the edge kept playing for a minute");
    await new Promise((r) => setTimeout(r, 100));
  }
  await new Promise((r) => setTimeout(r, 1500));
}

interface Rig {
  dir: string;
  gatewayUrl: string;
  stop(): Promise<void>;
  procs: Proc[];
}

/** Gemini stand-in (QA dashboard, confirmation script for "save") and a gateway. */
async function startGateway(dir: string): Promise<Rig> {
  const gemini = await spawn(
    ["run", "--allow-net", `${ROOT}shared/standins/gemini/main.ts`, "--port", "0"],
    {},
    /"standin"/,
  );
  const gateway = await spawn(
    [
      ...GATEWAY,
      `${ROOT}gateway/main.ts`,
      "--port",
      "0",
      "--queue",
      "memory",
      "--data-dir",
      `${dir}/gw`,
      "--logs-dir",
      `${dir}/gwlogs`,
      "--log-level",
      "warning",
    ],
    { GEMINI_BASE_URL: String(gemini.info.url), GEMINI_API_KEY: "stand-in" },
    /"listening"/,
  );
  const procs = [gemini, gateway];
  return {
    dir,
    gatewayUrl: String(gateway.info.url),
    procs,
    async stop() {
      for (const p of procs.reverse()) await p.stop();
    },
  };
}

interface Edge {
  proc: Proc;
  session: string;
  realtime: Proc;
}

/** A Realtime stand-in answering `script` in order, and an edge on the pulse server's microphone. */
async function startEdge(
  rig: Rig,
  pulse: PulseServer,
  name: string,
  script: string[],
  extra: string[] = [],
): Promise<Edge> {
  const realtime = await spawn(
    [
      "run",
      "--allow-net",
      "--allow-read",
      "--allow-env",
      `${ROOT}shared/standins/openai_realtime/main.ts`,
      "--port",
      "0",
      "--script",
      script.join("|"),
    ],
    {},
    /"standin"/,
  );
  rig.procs.push(realtime);
  const proc = await spawn(
    [
      ...EDGE,
      `${ROOT}edge/main.ts`,
      "--gateway",
      rig.gatewayUrl,
      "--speak",
      "espeak",
      "--speak-to",
      `${rig.dir}/${name}-speech`,
      "--data-dir",
      `${rig.dir}/${name}-data`,
      "--logs-dir",
      `${rig.dir}/${name}-logs`,
      ...extra,
    ],
    { ...pulse.env, OPENAI_REALTIME_URL: String(realtime.info.url), OPENAI_API_KEY: "" },
    /^Listening/,
    false,
  );
  rig.procs.push(proc);
  const session = /\(session (edge-[0-9a-f-]+)\)/.exec(proc.lines[0]!)?.[1];
  assert(session, proc.lines[0]);
  return { proc, session, realtime };
}

type Job = { job_id: string; intent: string; status: string; error?: { code?: string } };
type Utterance = { utterance_id: string; text: string; status: string; jobs: Job[] };

async function utterances(gatewayUrl: string): Promise<Utterance[]> {
  const { jobs } = await (await fetch(`${gatewayUrl}/jobs?limit=100`)).json() as {
    jobs: { utterance_id: string }[];
  };
  const out: Utterance[] = [];
  for (const id of new Set(jobs.map((j) => j.utterance_id))) {
    out.push(await (await fetch(`${gatewayUrl}/utterances/${id}`)).json());
  }
  return out;
}

async function until<T>(what: string, f: () => Promise<T | undefined>, ms = 90_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const REQUEST = "Open the QA dashboard and save a note.";

async function confirmationRun(answer: string, expected: "succeeded" | "confirmation_denied") {
  const dir = await Deno.makeTempDir({ prefix: "edge-voice-" });
  const pulse = await startPulseServer();
  const rig = await startGateway(dir);
  try {
    const edge = await startEdge(rig, pulse, "a", [REQUEST, answer]);
    await pulse.play(await say(dir, "request", REQUEST));
    // The edge takes it, the browser job pauses, and the edge asks (into its own microphone).
    await edge.proc.line(/^🔊 On it: browser\.$/);
    await edge.proc.line(/^🔊 .*Say yes or no\.$/, 120_000);
    const paused = await until("a paused job", async () => {
      const u = (await utterances(rig.gatewayUrl)).find((u) => u.text === REQUEST);
      return u?.jobs.find((j) => j.status === "awaiting_confirmation");
    });
    await edgeQuiet(pulse, `${dir}/a-speech`, /Say yes or no\./);
    await pulse.play(await say(dir, "answer", answer));
    const finished = await until("the job's end", async () => {
      const r = await (await fetch(`${rig.gatewayUrl}/status/${paused.job_id}`)).json() as Job;
      return ["succeeded", "failed", "dead", "cancelled"].includes(r.status) ? r : undefined;
    }).catch((e) => {
      throw new Error(`${e.message}; the edge said:\n${edge.proc.lines.join("\n")}`);
    });
    if (expected === "succeeded") assertEquals(finished.status, "succeeded");
    else assertEquals([finished.status, finished.error?.code], ["failed", expected]);
    // The command's answer and the summary are spoken.
    await edge.proc.line(/^» (confirm|deny): /);
    await edge.proc.line(/^🔊 Browser/, 120_000);
    const heard = edge.proc.lines.filter((l) =>
      l.startsWith("» ") && !/^» (confirm|deny):/.test(l)
    );
    // Exactly the two spoken requests: the edge's own sentences never became utterances.
    assertEquals(heard, [`» ${REQUEST}`, `» ${answer}`]);
    assertEquals(edge.proc.lines.some((l) => l.includes("stand-in transcript of")), false);
    const speech = [...Deno.readDirSync(`${dir}/a-speech`)].map((e) => e.name).sort();
    assert(speech.includes("001.wav") && speech.includes("001.txt"), speech.join());
    assertEquals(
      await Deno.readTextFile(`${dir}/a-speech/001.txt`),
      "On it: browser.\n",
    );
    // Its voice did come back through the microphone, and the gate kept it out.
    await edge.proc.stop();
    const log = await Deno.readTextFile(`${dir}/a-logs/windows-edge-traces.jsonl`);
    const ignored = log.split("\n").filter((l) => l.includes('"event":"speech.own_voice_ignored"'));
    assert(ignored.length >= 1, "the edge heard itself and ignored it");
  } finally {
    await rig.stop();
    await pulse.stop();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

Deno.test({
  name:
    "voice: a spoken request pauses for confirmation, the edge asks aloud (its own voice, heard back, never becomes an utterance), 'yes, go ahead' resumes it",
  ...opts,
  async fn() {
    await confirmationRun("Yes, go ahead.", "succeeded");
  },
});

Deno.test({
  name: "voice: 'no, don't do that' ends the paused job with confirmation_denied",
  ...opts,
  async fn() {
    await confirmationRun("No, don't do that.", "confirmation_denied");
  },
});

Deno.test({
  name:
    "voice: 'cancel that' stops a slow echo job; two sessions side by side, neither touches the other's job",
  ...opts,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "edge-voice-" });
    const pulseA = await startPulseServer();
    const pulseB = await startPulseServer();
    const rig = await startGateway(dir);
    try {
      const a = await startEdge(rig, pulseA, "a", ["Cancel that."]);
      const b = await startEdge(rig, pulseB, "b", ["Cancel that."]);
      assert(a.session !== b.session);
      // A slow echo job in each session (through the API, as the echo skill's delay is a param).
      const post = async (session: string) => {
        const res = await fetch(`${rig.gatewayUrl}/task`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({
            session_id: session,
            tasks: [{ intent: "echo", instruction: "echo slowly", params: { delay_ms: 60_000 } }],
          }),
        });
        assertEquals(res.status, 202);
        return ((await res.json()) as { jobs: Job[] }).jobs[0]!.job_id;
      };
      const jobA = await post(a.session);
      const jobB = await post(b.session);
      const status = async (id: string) =>
        ((await (await fetch(`${rig.gatewayUrl}/status/${id}`)).json()) as Job).status;
      await until(
        "both running",
        async () =>
          (await status(jobA)) === "running" && (await status(jobB)) === "running"
            ? true
            : undefined,
      );
      await pulseA.play(await say(dir, "cancel", "Cancel that."));
      await until("A cancelled", async () => (await status(jobA)) === "cancelled" || undefined)
        .catch((e) => {
          throw new Error(`${e.message}; edge A said:\n${a.proc.lines.join("\n")}`);
        });
      const said = await a.proc.line(/^» cancel: /);
      assertStringIncludes(said, jobA);
      await a.proc.line(/^🔊 /);
      assertEquals(await status(jobB), "running", "the other session's job is untouched");
      // B's own "cancel that" reaches B's job only.
      await pulseB.play(`${dir}/cancel.wav`);
      await until("B cancelled", async () => (await status(jobB)) === "cancelled" || undefined);
      assertStringIncludes(await b.proc.line(/^» cancel: /), jobB);
      for (const e of [a, b]) {
        assertEquals(e.proc.lines.filter((l) => l.startsWith("» Cancel that.")).length, 1);
        assertEquals(e.proc.lines.some((l) => l.includes("stand-in transcript of")), false);
      }
    } finally {
      await rig.stop();
      await pulseA.stop();
      await pulseB.stop();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});

Deno.test({
  name:
    "voice: with --barge-in, answering while the edge asks stops it, and the answer goes through",
  ...opts,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "edge-voice-" });
    // A headset: the edge hears only the `mic` sink and talks into `speaker`.
    const pulse = await startPulseServer({ sinks: ["mic"] });
    const rig = await startGateway(dir);
    try {
      const edge = await startEdge(rig, pulse, "a", [REQUEST, "Yes, go ahead."], [
        "--barge-in",
        "--device",
        "mic.monitor",
      ]);
      await pulse.play(await say(dir, "request", REQUEST), "mic");
      await edge.proc.line(/^🔊 .*Say yes or no\.$/, 120_000);
      const answer = await say(dir, "answer", "Yes, go ahead.");
      // Answer while the question is being played.
      await until("the question playing", async () => {
        const out = await new Deno.Command("pactl", {
          args: ["list", "sink-inputs"],
          env: pulse.env,
          stdout: "piped",
          stderr: "null",
        }).output();
        return new TextDecoder().decode(out.stdout).includes("voice-edge") || undefined;
      });
      await pulse.play(answer, "mic");
      const u = await until("the job's end", async () => {
        const found = (await utterances(rig.gatewayUrl)).find((u) => u.text === REQUEST);
        return found && ["succeeded", "failed"].includes(found.status) ? found : undefined;
      });
      assertEquals(u.status, "succeeded");
      await edge.proc.line(/^» confirm: /);
      await edge.proc.stop();
      const log = await Deno.readTextFile(`${dir}/a-logs/windows-edge-traces.jsonl`);
      assert(log.includes('"event":"speech.barge_in"'), "playback was stopped for the answer");
    } finally {
      await rig.stop();
      await pulse.stop();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});
