/**
 * @module
 * Edge audio front benchmarks:
 * 1. Silero VAD inference per 512-sample window, p50/p99 (goal p50 ≤ 0.2 ms);
 * 2. the whole front (decode → frame → VAD) on a 10-minute file with --no-pace, × real time
 *    (goal ≥ 100×), as a separate `deno task edge --vad-only` process;
 * 3. the same audio through `@ricky0123/vad-web`'s NonRealTimeVAD in this process: speed ratio
 *    (goal ours ≥ 3×, both measured on decoded samples with model loading excluded) and
 *    segment agreement (boundaries within 150 ms);
 * 4. CPU used at real-time pace, as a share of one core (goal < 3%), steady state and whole run.
 */
import { shippedPermissions } from "@shared/task_permissions.ts";
import { NonRealTimeVAD } from "@ricky0123/vad-web";
import { SileroV5 } from "npm:@ricky0123/vad-web@^0.0.28/dist/models/index.js";
import * as ortWeb from "onnxruntime-web";
import { SileroVad } from "../edge/speech/silero_vad.ts";
import { Segmenter } from "../edge/speech/segmenter.ts";
import { emit, percentile } from "./report.ts";
import { liveTreeTicks, treeTicks } from "./_process.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const FIXTURE = `${ROOT}shared/standins/openai_realtime/fixtures/two_requests.wav`;
const MAIN = `${ROOT}edge/main.ts`;
const RUN = ["run", ...await shippedPermissions("edge")];

async function sh(cmd: string, args: string[]): Promise<Uint8Array> {
  const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
  if (!out.success) throw new Error(`${cmd} failed: ${new TextDecoder().decode(out.stderr)}`);
  return out.stdout;
}

const dir = await Deno.makeTempDir({ prefix: "vad-bench-" });
const long = `${dir}/ten_minutes.wav`;
const seconds = Number(await new TextDecoder().decode(await sh("soxi", ["-D", FIXTURE])));
const repeats = Math.ceil(600 / seconds) - 1;
await sh("sox", [FIXTURE, long, "repeat", String(repeats)]);
const longSeconds = Number(new TextDecoder().decode(await sh("soxi", ["-D", long])));
console.error(`10-minute file: ${longSeconds.toFixed(1)} s of audio`);

// 2. The whole front as the CLI runs it.
const t0 = performance.now();
const cli = await new Deno.Command(Deno.execPath(), {
  args: [...RUN, MAIN, "--vad-only", "--no-pace", "--input", long, "--logs-dir", `${dir}/logs`],
  stdout: "piped",
  stderr: "null",
}).output();
const frontSeconds = (performance.now() - t0) / 1000;
const cliSegments = new TextDecoder().decode(cli.stdout).trim().split("\n").filter(Boolean).map((
  l,
) => JSON.parse(l));
emit({
  bench: "edge-audio",
  name: "whole front on 10 min of audio (--no-pace)",
  value: longSeconds / frontSeconds,
  unit: "× real time",
  goal: "≥ 100×",
  met: longSeconds / frontSeconds >= 100,
  notes: `${frontSeconds.toFixed(2)} s wall incl. process start, ${cliSegments.length} segments`,
});

// Decoded samples for the in-process comparison.
const pcm = await sh("ffmpeg", [
  "-hide_banner",
  "-loglevel",
  "error",
  "-i",
  long,
  "-ac",
  "1",
  "-ar",
  "16000",
  "-f",
  "s16le",
  "pipe:1",
]);
const int16 = new Int16Array(pcm.buffer, pcm.byteOffset, Math.floor(pcm.length / 2));
const float = Float32Array.from(int16, (s) => s / 32768);

// 1 + 3a. Ours, in process: frames → windows → Silero v5 → state machine.
const vad = await SileroVad.load();
const seg = new Segmenter(vad);
const ours: { start_ms: number; end_ms: number }[] = [];
const t1 = performance.now();
for (let i = 0, n = 0; i + 320 <= int16.length; i += 320, n++) {
  for (const e of await seg.push({ samples: int16.subarray(i, i + 320), t_ms: n * 20, index: n })) {
    if (e.type === "speech_end") ours.push({ start_ms: e.start_ms, end_ms: e.end_ms });
  }
}
for (const e of await seg.flush()) {
  if (e.type === "speech_end") ours.push({ start_ms: e.start_ms, end_ms: e.end_ms });
}
const oursSeconds = (performance.now() - t1) / 1000;
emit({
  bench: "edge-audio",
  name: "Silero v5 inference per 512-sample window, p50",
  value: percentile(vad.timings, 50),
  unit: "ms",
  goal: "≤ 0.2 ms",
  met: percentile(vad.timings, 50) <= 0.2,
  notes: `${vad.timings.length} windows, onnxruntime-node`,
});
emit({
  bench: "edge-audio",
  name: "Silero v5 inference per 512-sample window, p99",
  value: percentile(vad.timings, 99),
  unit: "ms",
});

// 3b. @ricky0123/vad-web NonRealTimeVAD (onnxruntime-web, WASM) on the same samples.
const legacy = await Deno.readFile(
  `${ROOT}node_modules/@ricky0123/vad-web/dist/silero_vad_legacy.onnx`,
);
// Same thresholds and timings as ours, no padding; its segment end includes the hangover, which
// is taken off below so both report where speech is.
const WEB = {
  positiveSpeechThreshold: 0.5,
  negativeSpeechThreshold: 0.35,
  minSpeechMs: 250,
  redemptionMs: 600,
  preSpeechPadMs: 0,
};
const web = await NonRealTimeVAD.new(
  {
    ...WEB,
    modelFetcher: () => Promise.resolve(legacy.buffer as ArrayBuffer),
    ortConfig: (ort: { env: { wasm: { numThreads: number } } }) =>
      void (ort.env.wasm.numThreads = 1),
  } as unknown as Parameters<typeof NonRealTimeVAD.new>[0],
);
const theirs: { start_ms: number; end_ms: number }[] = [];
const t2 = performance.now();
const audioEndMs = (float.length / 16000) * 1000;
for await (const s of web.run(float, 16000)) {
  theirs.push({
    start_ms: s.start,
    end_ms: s.end >= audioEndMs - 1 ? s.end : s.end - WEB.redemptionMs,
  });
}
const theirSeconds = (performance.now() - t2) / 1000;
emit({
  bench: "edge-audio",
  name: "VAD over 10 min of samples: ours (Silero v5, onnxruntime-node)",
  value: longSeconds / oursSeconds,
  unit: "× real time",
  baseline: {
    name: "vad-web NonRealTimeVAD",
    value: longSeconds / theirSeconds,
    unit: "× real time",
  },
  ratio: theirSeconds / oursSeconds,
  goal: "≥ 3× faster",
  met: theirSeconds / oursSeconds >= 3,
  notes: `ours ${oursSeconds.toFixed(2)} s, vad-web ${
    theirSeconds.toFixed(2)
  } s; not like for like: NonRealTimeVAD (0.0.28) hard-wires the legacy Silero model on 1536-sample frames, a third as many inferences as v5's 512-sample windows (see the window-for-window row)`,
});
// Agreement: a segment agrees when the other side has one whose start and end are within 150 ms.
const near = (a: { start_ms: number; end_ms: number }, b: { start_ms: number; end_ms: number }) =>
  Math.abs(a.start_ms - b.start_ms) <= 150 && Math.abs(a.end_ms - b.end_ms) <= 150;
const agreeing = ours.filter((a) => theirs.some((b) => near(a, b))).length;
emit({
  bench: "edge-audio",
  name: "segment agreement with vad-web (boundaries within 150 ms)",
  value: (100 * agreeing) / Math.max(ours.length, theirs.length, 1),
  unit: "%",
  notes:
    `ours ${ours.length} segments, vad-web ${theirs.length}; vad-web runs the legacy Silero model with its own frame size (1536) and defaults`,
});
await vad.close();

// 3c. The same Silero v5 model, window for window: ours (onnxruntime-node, native) against
// vad-web's own SileroV5 wrapper (what its MicVAD runs with model "v5") on onnxruntime-web's
// WASM backend, one thread each. Model loading is excluded on both sides.
const v5Bytes = await Deno.readFile(
  `${ROOT}node_modules/@ricky0123/vad-web/dist/silero_vad_v5.onnx`,
);
ortWeb.env.wasm.numThreads = 1;
const theirV5 = await SileroV5.new(
  ortWeb as unknown as Parameters<typeof SileroV5.new>[0],
  () => Promise.resolve(v5Bytes.buffer as ArrayBuffer),
);
const ourV5 = await SileroVad.load();
const windows = Math.floor(float.length / 512);
const t3 = performance.now();
for (let w = 0; w < windows; w++) await ourV5.probability(float.subarray(w * 512, w * 512 + 512));
const ourV5Seconds = (performance.now() - t3) / 1000;
const t4 = performance.now();
for (let w = 0; w < windows; w++) await theirV5.process(float.slice(w * 512, w * 512 + 512));
const theirV5Seconds = (performance.now() - t4) / 1000;
await ourV5.close();
emit({
  bench: "edge-audio",
  name: "Silero v5 over 10 min, window for window: ours (onnxruntime-node)",
  value: longSeconds / ourV5Seconds,
  unit: "× real time",
  baseline: {
    name: "vad-web SileroV5 (onnxruntime-web WASM)",
    value: longSeconds / theirV5Seconds,
    unit: "× real time",
  },
  ratio: theirV5Seconds / ourV5Seconds,
  goal: "≥ 3× faster",
  met: theirV5Seconds / ourV5Seconds >= 3,
  notes: `${windows} windows of 512 samples; ours ${ourV5Seconds.toFixed(2)} s (${
    ((1e6 * ourV5Seconds) / windows).toFixed(0)
  } µs/window), vad-web ${theirV5Seconds.toFixed(2)} s (${
    ((1e6 * theirV5Seconds) / windows).toFixed(0)
  } µs/window)`,
});

// 4. CPU at real-time pace, two ways:
//  - steady state: utime+stime of the running edge and its decoder, read from /proc between
//    5 s after start (model loaded, audio flowing) and 35 s; this is what a long session costs;
//  - whole run: the shell's cutime/cstime after the edge exited, start-up and model load included.
const paced = `${dir}/paced.wav`;
await sh("sox", [FIXTURE, paced, "repeat", "5"]); // ~43 s
const pacedSeconds = Number(new TextDecoder().decode(await sh("soxi", ["-D", paced])));
const ticksPerSecond = Number(new TextDecoder().decode(await sh("getconf", ["CLK_TCK"])).trim());

const live = new Deno.Command(Deno.execPath(), {
  args: [...RUN, MAIN, "--vad-only", "--input", paced, "--logs-dir", `${dir}/logs`],
  stdout: "null",
  stderr: "null",
}).spawn();
await new Promise((r) => setTimeout(r, 5_000));
const ticks0 = await liveTreeTicks(live.pid);
const wall0 = performance.now();
await new Promise((r) => setTimeout(r, 30_000));
const ticks1 = await treeTicks(live.pid);
const steadySeconds = (performance.now() - wall0) / 1000;
live.kill("SIGTERM");
await live.status;
const steadyShare = (100 * (ticks1 - ticks0)) / ticksPerSecond / steadySeconds;
emit({
  bench: "edge-audio",
  name: "CPU at real-time pace, steady state (edge + decoder)",
  value: steadyShare,
  unit: "% of one core",
  goal: "< 3%",
  met: steadyShare < 3,
  notes: `${steadySeconds.toFixed(1)} s of a paced --vad-only run, from 5 s after start; ${
    ticks1 - ticks0
  } ticks at ${ticksPerSecond}/s`,
});

const script = `"${Deno.execPath()}" ${
  RUN.join(" ")
} "${MAIN}" --vad-only --input "${paced}" --logs-dir "${dir}/logs" >/dev/null 2>&1; cat /proc/$$/stat`;
const stat = new TextDecoder().decode(await sh("sh", ["-c", script])).split(") ")[1]!.split(" ");
const ticks = Number(stat[13]) + Number(stat[14]); // cutime + cstime of the waited children
const cpuShare = (100 * ticks) / ticksPerSecond / pacedSeconds;
emit({
  bench: "edge-audio",
  name: "CPU at real-time pace, whole run (edge + decoder)",
  value: cpuShare,
  unit: "% of one core",
  notes: `${
    pacedSeconds.toFixed(1)
  } s of audio, includes Deno start-up and model load (context for the steady-state row)`,
});
await Deno.remove(dir, { recursive: true });
