/**
 * @module
 * Two-way voice latency, with the Realtime stand-in and a real gateway process (memory queue):
 *
 * - end of a spoken command → job cancelled or resumed: from the VAD's speech end
 *   (`endSegment()`) of "cancel that" / "yes, go ahead" to the gateway's answer saying the
 *   command took effect (the answer is sent after the cancel or resume is done), through the
 *   edge's real transcriber, outbox and session. A slow echo job (cancel) or an echo job paused
 *   for confirmation (resume) waits in the same session each time. Baseline: the same command
 *   posted with a bare `fetch` on a fresh job (the gateway's own share). The stand-in
 *   transcribes at once: a real provider adds its transcription time on top.
 * - fan-in end → first audio of the summary (espeak-ng): from the job's `finished_at` on the
 *   gateway to the first PCM of the spoken summary, through the session event stream (or
 *   polling when it is down), the follower and the speaker. Baseline: espeak-ng's own time to
 *   its first audio for the same sentence.
 *
 * Goals: p95 ≤ 300 ms and p95 ≤ 500 ms.
 */
import { emit, percentile } from "./report.ts";
import { startGateway } from "./_process.ts";
import { startRealtimeStandIn } from "../shared/standins/openai_realtime/realtime_standin.ts";
import { RealtimeTranscriber } from "../edge/realtime/realtime_transcriber.ts";
import { speechEvents, toneFrames } from "../edge/_testing/test_audio.ts";
import { SegmentSink } from "../edge/front/segment_sink.ts";
import { Outbox, type OutboxEvents } from "../edge/outbox/outbox.ts";
import { forwardTranscripts } from "../edge/fanin/transcript_forwarder.ts";
import { UtteranceFollower } from "../edge/fanin/utterance_follower.ts";
import { followSessionEvents } from "../edge/fanin/session_events.ts";
import { Speaker } from "../edge/speech_out/speaker.ts";
import { SpeechArchive } from "../edge/speech_out/audio_player.ts";
import { EspeakSynth } from "../edge/speech_out/speech_synth.ts";
import { speakReplies } from "../edge/speech_out/voice_replies.ts";
import { espeakPcm } from "../shared/audio/espeak_stream.ts";

const N = Number(Deno.env.get("VOICE_BENCH_N") ?? 30);
const WARMUP = 3;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round = (n: number) => Math.round(n * 10) / 10;
const wall = () => performance.timeOrigin + performance.now();

const dir = await Deno.makeTempDir({ prefix: "voice-bench-" });
const gateway = await startGateway(dir, ["--queue", "memory"]);
const url = gateway.url;
let nextText = "";
const standIn = await startRealtimeStandIn({ script: () => nextText });
const session = `bench-${crypto.randomUUID()}`;
const transcriber = new RealtimeTranscriber({
  apiKey: "sk-bench",
  url: standIn.url,
  tracer: () => {},
});
const outbox = await Outbox.open({
  dataDir: `${dir}/edge`,
  gatewayUrl: url,
  sessionId: session,
  tracer: () => {},
});
forwardTranscripts({ transcriber, outbox });
transcriber.start();
outbox.start();

type Job = { job_id: string; status: string; finished_at?: string };

async function post(body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${url}/task`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

async function jobStatus(id: string): Promise<Job> {
  return await (await fetch(`${url}/status/${id}`)).json() as Job;
}

/** A job in `sessionId` that waits: running (cancel) or paused for a yes or no (resume). */
async function waitingJob(sessionId: string, kind: "cancel" | "confirm"): Promise<string> {
  const params = kind === "cancel" ? { delay_ms: 60_000 } : { confirm: "Go on?" };
  const { json } = await post({
    session_id: sessionId,
    tasks: [{ intent: "echo", instruction: "echo bench", params }],
  });
  const id = (json.jobs as Job[])[0]!.job_id;
  const want = kind === "cancel" ? "running" : "awaiting_confirmation";
  for (let i = 0; (await jobStatus(id)).status !== want; i++) {
    if (i > 2000) throw new Error(`job ${id} never reached ${want}`);
    await sleep(5);
  }
  return id;
}

/** Speaks a command into the transcriber; resolves with the ms from speech end to the answer. */
async function spokenCommand(text: string, jobId: string): Promise<number | undefined> {
  nextText = text;
  const answered = new Promise<OutboxEvents["acknowledged"]>((resolve) => {
    const off = outbox.on("acknowledged", (a) => {
      off();
      resolve(a);
    });
  });
  const events = speechEvents(toneFrames(600));
  const sink = new SegmentSink(transcriber);
  for (const e of events.slice(0, -11)) sink.push(e);
  // The last 200 ms arrive in real time, as from a microphone.
  for (const e of events.slice(-11, -1)) {
    sink.push(e);
    await sleep(20);
  }
  const t0 = performance.now();
  sink.push(events.at(-1)!);
  const a = await answered;
  const took = performance.now() - t0;
  return a.response?.control?.job_ids.includes(jobId) ? took : undefined;
}

async function bareCommand(
  text: string,
  jobId: string,
  sessionId: string,
): Promise<number | undefined> {
  const t0 = performance.now();
  const { json } = await post({ text, session_id: sessionId, source: "voice" });
  const took = performance.now() - t0;
  return (json.control as { job_ids: string[] } | undefined)?.job_ids.includes(jobId)
    ? took
    : undefined;
}

const commandMs: number[] = [];
const bareMs: number[] = [];
let missed = 0;
try {
  for (let i = 0; i < N + WARMUP; i++) {
    const kind = i % 2 === 0 ? "cancel" : "confirm";
    const text = kind === "cancel" ? "Cancel that." : "Yes, go ahead.";
    const spoken = await spokenCommand(text, await waitingJob(session, kind));
    const bareSession = `bench-bare-${i}`;
    const bare = await bareCommand(text, await waitingJob(bareSession, kind), bareSession);
    if (spoken === undefined || bare === undefined) missed++;
    else if (i >= WARMUP) {
      commandMs.push(spoken);
      bareMs.push(bare);
    }
  }

  // Fan-in end → first audio of the summary.
  const firstAudio = new Map<string, number>();
  const follower = new UtteranceFollower({ gatewayUrl: url, tracer: () => {} });
  const events = followSessionEvents(follower, { gatewayUrl: url, sessionId: session });
  const speaker = new Speaker({
    synth: new EspeakSynth("en-us"),
    // Written after the first audio, so it does not weigh on the figure.
    archive: await SpeechArchive.open(`${dir}/speech`),
    onFirstAudio: (e) => firstAudio.set(e.text, wall()),
  });
  speakReplies({ outbox, follower, speaker });
  const summaryMs: number[] = [];
  const espeakMs: number[] = [];
  for (let i = 0; i < N + WARMUP; i++) {
    const word = `summary${i}`;
    const { json } = await post({
      session_id: session,
      tasks: [{ intent: "echo", instruction: "echo", params: { text: word, delay_ms: 300 } }],
    });
    const job = (json.jobs as Job[])[0]!;
    const final = new Promise<void>((resolve) => {
      const off = follower.on("final", () => {
        off();
        resolve();
      });
    });
    follower.follow(String(json.utterance_id), [job]);
    await final;
    await speaker.whenIdle();
    const finishedAt = Date.parse((await jobStatus(job.job_id)).finished_at!);
    const heardAt = [...firstAudio].find(([t]) => t.includes(word))?.[1];
    if (heardAt === undefined) {
      missed++;
      continue;
    }
    const t0 = performance.now();
    for await (const _ of espeakPcm(`Echo: ${word}.`, { voice: "en-us" })) break;
    const floor = performance.now() - t0;
    if (i >= WARMUP) {
      summaryMs.push(heardAt - finishedAt);
      espeakMs.push(floor);
    }
  }
  const live = events.live;
  await events.close();
  await follower.close();
  await speaker.close();

  const p95 = (v: number[]) => round(percentile(v, 95));
  emit({
    bench: "voice",
    name: "spoken command end → job cancelled/resumed p95",
    value: p95(commandMs),
    unit: "ms",
    baseline: { name: "bare POST of the command p95", value: p95(bareMs), unit: "ms" },
    ratio: round(percentile(commandMs, 95) / percentile(bareMs, 95)),
    goal: "p95 ≤ 300 ms",
    met: percentile(commandMs, 95) <= 300,
    notes: `${commandMs.length} commands (cancel and confirm alternating), p50 ${
      round(percentile(commandMs, 50))
    } ms; Realtime stand-in transcribes at once; ${missed} missed`,
  });
  emit({
    bench: "voice",
    name: "fan-in end → first summary audio (espeak) p95",
    value: p95(summaryMs),
    unit: "ms",
    baseline: { name: "espeak-ng first audio p95", value: p95(espeakMs), unit: "ms" },
    ratio: round(percentile(summaryMs, 95) / percentile(espeakMs, 95)),
    goal: "p95 ≤ 500 ms",
    met: percentile(summaryMs, 95) <= 500,
    notes: `${summaryMs.length} utterances, p50 ${
      round(percentile(summaryMs, 50))
    } ms; event stream ${live ? "live" : "down (polling)"}`,
  });
} finally {
  await transcriber.close();
  await outbox.close();
  await standIn.close();
  await gateway.stop();
  await Deno.remove(dir, { recursive: true }).catch(() => {});
}
