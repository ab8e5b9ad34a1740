/**
 * @module
 * `deno task demo`: the whole pipeline on this machine with no API keys. Starts the OpenAI
 * Realtime stand-in and a gateway, plays the bundled spoken request through the edge (VAD →
 * transcription → outbox → gateway), shows the live transcript, the routed jobs and their
 * fan-in results, then stops everything it started and exits 0. The three model providers
 * (OpenAI Realtime, Anthropic, Gemini) are local stand-ins unless their API key is set; the
 * rest is real: Chromium, git, sox/ffmpeg and the Silero VAD. The gateway runs with the
 * permissions of `deno task gateway`, read from deno.json, so the demo exercises them.
 * The edge speaks what it took and the summary of the results through OpenAI speech (its
 * stand-in without a key, voiced by espeak-ng), played on the default output when there is
 * one; every sentence is also written to the demo's `speech/` folder, so a machine without a
 * sound device still gets them.
 */
import { shippedPermissions } from "@shared/task_permissions.ts";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { readLines } from "@shared/io/lines.ts";

const HELP = `deno task demo [--fast] [--keep] [--stay]

Plays "Refactor the orchestrator router and open the QA dashboard to verify deploy status"
(spoken by espeak-ng, bundled) through the edge and the gateway on this machine.
  --fast   process the audio as fast as possible instead of in real time
  --keep   keep the demo's data and logs folder (its path is printed)
  --stay   afterwards, keep the gateway (its dashboard) and the stand-ins running until Ctrl-C`;

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const AUDIO = `${ROOT}shared/standins/openai_realtime/fixtures/refactor_and_dashboard.wav`;
const DENO = Deno.execPath();
/** Permissions of the edge (those of `deno task edge`), also given to the stand-ins. */
const RUN = ["run", ...await shippedPermissions("edge")];

const GATEWAY_PERMISSIONS = await shippedPermissions("gateway");

const { values } = parseArgs({
  args: Deno.args,
  options: {
    fast: { type: "boolean" },
    keep: { type: "boolean" },
    stay: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  },
});
if (values.help) {
  console.log(HELP);
  Deno.exit(0);
}

const bold = (s: string) => Deno.stdout.isTerminal() ? `\x1b[1m${s}\x1b[0m` : s;
const dim = (s: string) => Deno.stdout.isTerminal() ? `\x1b[2m${s}\x1b[0m` : s;

interface Started {
  child: Deno.ChildProcess;
  info: Record<string, unknown>;
  drain: Promise<void>;
}

/** Starts a program and waits for the JSON line that says where it listens. */
async function start(
  label: string,
  args: string[],
  env: Record<string, string>,
  key: string,
): Promise<Started> {
  const child = new Deno.Command(DENO, {
    args,
    env,
    stdout: "piped",
    stderr: "null",
    stdin: "null",
  }).spawn();
  const lines = readLines(child.stdout);
  for (;;) {
    const { value, done } = await lines.next();
    if (done) throw new Error(`${label} stopped before it was ready`);
    if (value.startsWith("{") && value.includes(`"${key}"`)) {
      const drain = (async () => {
        for await (const _ of lines) { /* keep the pipe flowing */ }
      })();
      return { child, info: JSON.parse(value), drain };
    }
  }
}

async function stop(p: Started | undefined): Promise<void> {
  if (!p) return;
  try {
    p.child.kill("SIGTERM");
  } catch { /* already gone */ }
  await p.child.status;
  await p.drain;
}

const dir = await Deno.makeTempDir({ prefix: "voice-demo-" });
const realKey = Deno.env.get("OPENAI_API_KEY");
const realAnthropic = Deno.env.get("ANTHROPIC_API_KEY");
const realGemini = Deno.env.get("GEMINI_API_KEY");
let anthropic: Started | undefined;
let gemini: Started | undefined;
let standin: Started | undefined;
let speech: Started | undefined;
let gateway: Started | undefined;
let code = 1;
try {
  console.log(bold("Voice-to-agent orchestration — offline demo"));
  console.log(
    `  transcription: ${
      realKey
        ? "OpenAI Realtime API, real (OPENAI_API_KEY is set)"
        : "OpenAI Realtime STAND-IN (simulated, no key)"
    }`,
  );
  console.log(
    `  coding:        ${
      realAnthropic
        ? "Anthropic Messages API, real (ANTHROPIC_API_KEY is set)"
        : "Anthropic STAND-IN (simulated, no key)"
    }`,
  );
  console.log(
    `  browser:       ${
      realGemini
        ? "Gemini computer use API, real (GEMINI_API_KEY is set)"
        : "Gemini computer use STAND-IN (simulated, no key; it also serves the QA dashboard)"
    }`,
  );
  console.log(
    `  speech:        ${
      realKey
        ? "OpenAI speech API, real (OPENAI_API_KEY is set)"
        : "OpenAI speech STAND-IN (simulated, no key; voiced by espeak-ng)"
    }`,
  );
  console.log(
    "  real on this machine: Chromium (driven by the browser job), git (the coding job's sample repository), sox/ffmpeg (audio decoding), Silero VAD (speech detection)",
  );
  console.log(dim(`  data and logs: ${dir}`));

  const env: Record<string, string> = {};
  if (!realKey) {
    standin = await start(
      "the Realtime stand-in",
      [
        "run",
        "--allow-net",
        "--allow-read",
        "--allow-env",
        `${ROOT}shared/standins/openai_realtime/main.ts`,
        "--port",
        "0",
        "--fixtures",
        `${ROOT}shared/standins/openai_realtime/fixtures`,
      ],
      {},
      "standin",
    );
    env.OPENAI_REALTIME_URL = String(standin.info.url);
    console.log(dim(`  realtime stand-in: ${standin.info.url}`));
    speech = await start(
      "the speech stand-in",
      [
        "run",
        "--allow-net",
        "--allow-run=espeak-ng",
        `${ROOT}shared/standins/openai_speech/main.ts`,
        "--port",
        "0",
      ],
      {},
      "standin",
    );
    env.OPENAI_BASE_URL = String(speech.info.url);
    console.log(dim(`  speech stand-in: ${speech.info.url}`));
  }
  // The coding skill proposes a patch for a throwaway copy of the sample repository.
  const workspace = `${dir}/workspace`;
  await Deno.mkdir(workspace, { recursive: true });
  const sh = async (cmd: string, args: string[]) => {
    const out = await new Deno.Command(cmd, {
      args,
      cwd: workspace,
      stdout: "null",
      stderr: "piped",
    }).output();
    if (!out.success) {
      throw new Error(`${cmd} ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
    }
  };
  await sh("cp", ["-r", `${ROOT}shared/standins/anthropic/fixtures/sample_repo/.`, workspace]);
  await sh("git", ["init", "-q"]);
  await sh("git", ["add", "."]);
  await sh("git", [
    "-c",
    "user.email=demo@example.test",
    "-c",
    "user.name=demo",
    "commit",
    "-qm",
    "sample",
  ]);
  const gatewayEnv: Record<string, string> = {};
  if (!realAnthropic) {
    anthropic = await start(
      "the Anthropic stand-in",
      [
        "run",
        "--allow-net",
        `${ROOT}shared/standins/anthropic/main.ts`,
        "--port",
        "0",
      ],
      {},
      "standin",
    );
    gatewayEnv.ANTHROPIC_BASE_URL = String(anthropic.info.url);
    gatewayEnv.ANTHROPIC_API_KEY = "stand-in";
    console.log(dim(`  anthropic stand-in: ${anthropic.info.url}`));
  }
  if (!realGemini) {
    gemini = await start(
      "the Gemini stand-in",
      [
        "run",
        "--allow-net",
        `${ROOT}shared/standins/gemini/main.ts`,
        "--port",
        "0",
      ],
      {},
      "standin",
    );
    gatewayEnv.GEMINI_BASE_URL = String(gemini.info.url);
    gatewayEnv.GEMINI_API_KEY = "stand-in";
    console.log(
      dim(`  gemini stand-in: ${gemini.info.url} (QA dashboard at ${gemini.info.qa_url})`),
    );
  }
  gateway = await start(
    "the gateway",
    [
      "run",
      ...GATEWAY_PERMISSIONS,
      `${ROOT}gateway/main.ts`,
      "--port",
      "0",
      "--data-dir",
      `${dir}/gateway-data`,
      "--logs-dir",
      `${dir}/logs`,
      "--log-level",
      "warning",
      "--workspace",
      workspace,
    ],
    gatewayEnv,
    "listening",
  );
  const gatewayUrl = String(gateway.info.url);
  console.log(`  dashboard: ${gatewayUrl}/ (open it to watch the jobs live)`);
  console.log(
    dim(`  gateway permissions (as deno task gateway): ${GATEWAY_PERMISSIONS.join(" ")}`),
  );
  console.log(
    bold(`\n▶ Speaking: ${AUDIO.split("/").pop()}${values.fast ? " (fast)" : " (real time)"}`),
  );

  const edge = new Deno.Command(DENO, {
    args: [
      ...RUN,
      `${ROOT}edge/main.ts`,
      "--input",
      AUDIO,
      ...(values.fast ? ["--no-pace"] : []),
      "--gateway",
      gatewayUrl,
      "--data-dir",
      `${dir}/edge-data`,
      "--logs-dir",
      `${dir}/logs`,
      "--log-level",
      "warning",
      "--speak-to",
      `${dir}/speech`,
    ],
    env,
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
  }).spawn();
  const stderr = new Response(edge.stderr).text();
  for await (const line of readLines(edge.stdout)) console.log(`  ${line}`);
  const edgeStatus = await edge.status;
  if (!edgeStatus.success) {
    console.error(
      `edge failed (exit ${edgeStatus.code}):\n${(await stderr).split("\n").slice(-5).join("\n")}`,
    );
  } else await stderr;

  // Fan-in summary straight from the gateway.
  const list = await (await fetch(`${gatewayUrl}/jobs?limit=50`)).json() as {
    jobs: { utterance_id: string }[];
  };
  const utterances = [...new Set(list.jobs.map((j) => j.utterance_id))];
  console.log(
    bold(
      `\n◀ Fan-in from the gateway (${utterances.length} utterance${
        utterances.length === 1 ? "" : "s"
      })`,
    ),
  );
  for (const id of utterances) {
    const u = await (await fetch(`${gatewayUrl}/utterances/${id}`)).json();
    const cost = u.cost_usd === null ? "unpriced" : `$${Number(u.cost_usd).toFixed(4)}`;
    console.log(`  “${u.text}” → ${u.status}, cost ${cost}`);
    for (const j of u.jobs) {
      const outcome = j.status === "succeeded"
        ? `${j.result?.summary ?? "done"}${
          j.result?.applies === true
            ? " (applies)"
            : j.result?.applies === false
            ? " (does not apply)"
            : ""
        }${
          j.result?.artifacts?.length
            ? `; artifacts: ${j.result.artifacts.map((a: { path: string }) => a.path).join(", ")}`
            : ""
        }`
        : `${j.error?.code ?? j.status}: ${j.error?.message ?? ""}`;
      console.log(
        `    • ${j.intent.padEnd(8)} ${j.status.padEnd(10)} “${j.spec.clause}” — ${outcome}`,
      );
    }
  }
  // What the edge said, in order: the last sentence is the spoken summary.
  const spoken: string[] = [];
  try {
    const names = [...Deno.readDirSync(`${dir}/speech`)].map((e) => e.name)
      .filter((n) => n.endsWith(".txt")).sort();
    for (const n of names) spoken.push((await Deno.readTextFile(`${dir}/speech/${n}`)).trim());
  } catch { /* nothing was said */ }
  console.log(
    bold(
      `\n🔊 Spoken by the edge (${spoken.length} sentence${
        spoken.length === 1 ? "" : "s"
      }; WAV files ${values.keep ? `in ${dir}/speech` : "kept with --keep"})`,
    ),
  );
  for (const line of spoken) console.log(`  “${line}”`);
  code = edgeStatus.success && utterances.length > 0 && spoken.length > 0 ? 0 : 1;
  console.log(code === 0 ? bold("\n✔ demo finished") : bold("\n✘ demo failed"));
  if (values.stay) {
    console.log(
      `\nStill serving: dashboard ${gatewayUrl}/, API docs ${gatewayUrl}/docs. Ctrl-C stops.`,
    );
    await new Promise<void>((resolve) => Deno.addSignalListener("SIGINT", () => resolve()));
  }
} catch (err) {
  console.error(`demo failed: ${err instanceof Error ? err.message : err}`);
} finally {
  await stop(gateway);
  await stop(standin);
  await stop(speech);
  await stop(anthropic);
  await stop(gemini);
  if (!values.keep) await Deno.remove(dir, { recursive: true }).catch(() => {});
}
Deno.exit(code);
