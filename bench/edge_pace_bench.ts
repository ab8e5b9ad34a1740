/**
 * @module
 * The edge at real-time pace with its microphone behind a real sound server: a private
 * PulseAudio server with a null sink, the audio played into it by `paplay`, and
 * `deno task edge --vad-only --device mic.monitor` capturing from the sink's monitor through
 * its default capture tool (parec where installed), as it would from a microphone. Two runs,
 * speech and quiet (faint noise), each giving:
 * - the CPU the edge and its capture tool use, as a share of one core, from 5 s after start
 *   (model loaded, audio flowing) for 30 s (goal < 3%); then the same with `--capture ffmpeg`
 *   for comparison (no goal: the tool the edge takes where parec is missing);
 * - the edge's own VAD inference summary at the end of the run, p50 per 512-sample window
 *   (goal ≤ 0.3 ms), against the p50 of the same model back to back in this process, measured
 *   in the same run.
 *
 * With `BENCH_EDGE_PACE_BASELINE` set to an older checkout (with its `node_modules`), that
 * checkout's edge runs just before this one on the same audio, and the CPU rows compare the two.
 * The notes split the edge's own CPU from its capture tool's and give the load average.
 */
import { shippedPermissions } from "@shared/task_permissions.ts";
import { resolveTool } from "../edge/capture/capture.ts";
import { SileroVad } from "../edge/speech/silero_vad.ts";
import { emit, percentile } from "./report.ts";
import { liveTreeTicks, ownTicks, treeTicks } from "./_process.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const FIXTURE = `${ROOT}shared/standins/openai_realtime/fixtures/two_requests.wav`;
const MAIN = `${ROOT}edge/main.ts`;
const RUN = ["run", ...await shippedPermissions("edge")];
const WARMUP_S = 5;
const MEASURE_S = Number(Deno.env.get("BENCH_PACE_SECONDS") ?? 30);
/**
 * An older checkout of the project (with its `node_modules`) to run back to back with this one
 * on the same audio, for a before/after in one run; none by default.
 */
const BASELINE = Deno.env.get("BENCH_EDGE_PACE_BASELINE");
const BASELINE_MAIN = BASELINE && `${BASELINE.replace(/\/$/, "")}/edge/main.ts`;

async function sh(cmd: string, args: string[], env?: Record<string, string>): Promise<string> {
  const out = await new Deno.Command(cmd, {
    args,
    stdout: "piped",
    stderr: "piped",
    ...(env ? { env } : {}),
  }).output();
  if (!out.success) throw new Error(`${cmd} failed: ${new TextDecoder().decode(out.stderr)}`);
  return new TextDecoder().decode(out.stdout);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const dir = await Deno.makeTempDir({ prefix: "edge-pace-bench-" });
const socket = `${dir}/pulse/native`;
await Deno.mkdir(`${dir}/pulse`);
await Deno.writeTextFile(
  `${dir}/default.pa`,
  [
    `load-module module-native-protocol-unix socket=${socket} auth-anonymous=1`,
    "load-module module-null-sink sink_name=mic rate=16000 channels=1",
    "set-default-sink mic",
    "set-default-source mic.monitor",
  ].join("\n") + "\n",
);
// A server of its own (own HOME and runtime folder), so that no other sound server is touched.
const pulseEnv = { HOME: dir, XDG_RUNTIME_DIR: `${dir}/pulse`, PULSE_RUNTIME_PATH: `${dir}/pulse` };
const pulse = new Deno.Command("pulseaudio", {
  args: ["-n", "-F", `${dir}/default.pa`, "--daemonize=no", "--exit-idle-time=-1"],
  env: pulseEnv,
  stdout: "null",
  stderr: "null",
}).spawn();
const clientEnv = { ...pulseEnv, PULSE_SERVER: `unix:${socket}` };

try {
  for (let i = 0;; i++) {
    try {
      await sh("pactl", ["info"], clientEnv);
      break;
    } catch (err) {
      if (i > 100) throw err;
      await sleep(100);
    }
  }
  const seconds = WARMUP_S + MEASURE_S + 10;
  const speech = `${dir}/speech.wav`;
  const fixtureSeconds = Number(await sh("soxi", ["-D", FIXTURE]));
  await sh("sox", [FIXTURE, speech, "repeat", String(Math.ceil(seconds / fixtureSeconds))]);
  const quiet = `${dir}/quiet.wav`;
  // A quiet room: faint pink noise, far under speech level.
  await sh("sox", [
    "-n",
    "-r",
    "16000",
    "-c",
    "1",
    "-b",
    "16",
    quiet,
    "synth",
    String(seconds),
    "pinknoise",
    "vol",
    "0.01",
  ]);
  const ticksPerSecond = Number((await sh("getconf", ["CLK_TCK"])).trim());

  // The same model back to back in this process, for the inference rows' baseline.
  const vad = await SileroVad.load();
  const window = new Float32Array(512);
  for (let i = 0; i < 2000; i++) {
    window.fill(Math.sin(i) * 0.01);
    await vad.probability(window);
  }
  const backToBack = percentile(vad.timings.slice(200), 50);
  await vad.close();

  interface PaceRun {
    /** CPU of the edge and its capture tool, % of one core. */
    share: number;
    /** CPU of the edge process alone, % of one core. */
    edgeShare: number;
    wallSeconds: number;
    ticks: number;
    summary: { p50_ms: number; p99_ms: number; windows: number; runtime: string };
  }

  /** The tool the edge takes by default for a microphone here. */
  const defaultTool = await resolveTool("auto", { os: "linux" });

  /**
   * One run of `main` (this checkout's edge, or the baseline's) on `file` at pace, with its
   * default capture tool unless `capture` names one.
   */
  const paceRun = async (
    label: string,
    file: string,
    main: string,
    capture?: string,
  ): Promise<PaceRun> => {
    const logs = await Deno.makeTempDir({ dir, prefix: `logs-${label}-` });
    const player = new Deno.Command("paplay", {
      args: ["--device=mic", file],
      env: clientEnv,
      stdout: "null",
      stderr: "null",
    }).spawn();
    const edge = new Deno.Command(Deno.execPath(), {
      args: [
        ...RUN,
        main,
        "--vad-only",
        ...(capture ? ["--capture", capture] : []),
        "--device",
        "mic.monitor",
        "--logs-dir",
        logs,
      ],
      // Its own folder: the config and import map there resolve its modules.
      cwd: new URL("../..", `file://${main}`).pathname,
      env: clientEnv,
      stdout: "piped",
      stderr: "null",
    }).spawn();
    const segments = edge.stdout.pipeThrough(new TextDecoderStream()).pipeTo(
      new WritableStream(),
    );
    await sleep(WARMUP_S * 1000);
    const ticks0 = await liveTreeTicks(edge.pid);
    const own0 = await ownTicks(edge.pid);
    const wall0 = performance.now();
    await sleep(MEASURE_S * 1000);
    const ticks1 = await treeTicks(edge.pid);
    const own1 = await ownTicks(edge.pid);
    const wallSeconds = (performance.now() - wall0) / 1000;
    edge.kill("SIGINT");
    await edge.status;
    await segments.catch(() => {});
    try {
      player.kill("SIGTERM");
    } catch { /* ended */ }
    await player.status;

    const lines = (await Deno.readTextFile(`${logs}/windows-edge-traces.jsonl`)).split("\n");
    const summary = lines.filter((l) => l.includes('"p50_ms"')).map((l) => JSON.parse(l)).at(-1);
    if (!summary) throw new Error(`the ${label} run of ${main} logged no inference summary`);
    const share = (100 * (ticks1 - ticks0)) / ticksPerSecond / wallSeconds;
    const edgeShare = (100 * (own1 - own0)) / ticksPerSecond / wallSeconds;
    return { share, edgeShare, wallSeconds, ticks: ticks1 - ticks0, summary };
  };

  const load = Deno.loadavg().map((x) => x.toFixed(2)).join(" ");
  const defaultRuns = new Map<string, PaceRun>();
  const detail = (r: PaceRun) =>
    `edge alone ${r.edgeShare.toFixed(2)}%, ${r.ticks} ticks at ${ticksPerSecond}/s`;
  for (const [label, file] of [["speech", speech], ["quiet", quiet]] as const) {
    // The baseline checkout first, then this one, so both see the same minute of the machine.
    const old = BASELINE_MAIN ? await paceRun(label, file, BASELINE_MAIN) : undefined;
    const run = await paceRun(label, file, MAIN);
    defaultRuns.set(label, run);
    emit({
      bench: "edge-pace",
      name:
        `CPU at real-time pace, microphone through PulseAudio, ${label} (edge + ${defaultTool})`,
      value: run.share,
      unit: "% of one core",
      ...(old
        ? {
          baseline: {
            name: "baseline checkout, same run",
            value: old.share,
            unit: "% of one core",
          },
          ratio: run.share / old.share,
        }
        : {}),
      goal: "< 3%",
      met: run.share < 3,
      notes: `${run.wallSeconds.toFixed(1)} s from ${WARMUP_S} s after start; ${detail(run)}${
        old ? `; baseline ${detail(old)}` : ""
      }; load average ${load}`,
    });
    emit({
      bench: "edge-pace",
      name: `VAD inference per window at pace, microphone through PulseAudio, ${label}, p50`,
      value: run.summary.p50_ms,
      unit: "ms",
      baseline: { name: "same model back to back", value: backToBack, unit: "ms" },
      ratio: run.summary.p50_ms / backToBack,
      goal: "≤ 0.3 ms",
      met: run.summary.p50_ms <= 0.3,
      notes: `${run.summary.windows} windows, p99 ${run.summary.p99_ms} ms, ${run.summary.runtime}${
        old ? `; baseline checkout p50 ${old.summary.p50_ms} ms over ${old.summary.windows}` : ""
      }`,
    });
  }
  // The comparisons last: a failed one (the script then fails) leaves every row with a goal
  // already reported.
  if (defaultTool !== "ffmpeg") {
    for (const [label, file] of [["speech", speech], ["quiet", quiet]] as const) {
      const run = defaultRuns.get(label)!;
      const viaFfmpeg = await paceRun(label, file, MAIN, "ffmpeg");
      emit({
        bench: "edge-pace",
        name:
          `CPU at real-time pace, microphone through PulseAudio, ${label} (edge + ffmpeg, for comparison)`,
        value: viaFfmpeg.share,
        unit: "% of one core",
        baseline: {
          name: `edge + ${defaultTool}, same run`,
          value: run.share,
          unit: "% of one core",
        },
        ratio: viaFfmpeg.share / run.share,
        notes: `${viaFfmpeg.wallSeconds.toFixed(1)} s from ${WARMUP_S} s after start; ${
          detail(viaFfmpeg)
        }; VAD p50 ${viaFfmpeg.summary.p50_ms} ms`,
      });
    }
  }
} finally {
  try {
    pulse.kill("SIGTERM");
  } catch { /* ended */ }
  await pulse.status;
  await Deno.remove(dir, { recursive: true });
}
