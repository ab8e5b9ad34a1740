/**
 * @module
 * Edge-added latency on loopback, p50 and p99:
 *
 * - speech end → commit sent: from `endSegment()` (the VAD's speech end) to the commit
 *   leaving the client (`ws.send` returned), and to the commit arriving at the Realtime
 *   stand-in. The end of each utterance is fed in real time as the capture releases a
 *   microphone's audio (50 ms bursts), the speech end with the last burst. Baseline:
 *   a bare `ws.send` of a ready-made commit on a plain WebSocket to the same stand-in, 100 ms
 *   after its last append, timed to its arrival in the same way. A separate figure shows
 *   utterances fed in one burst (`--no-pace`, replays): there the commit waits ~40 ms for the
 *   peer's delayed ACK, since Deno's WebSocket has no TCP_NODELAY option.
 * - final transcript → gateway acknowledgement: from the transcriber's `final` event (the
 *   outbox enqueue) to the 2xx of `POST /task` being handled by the outbox. Baseline: a bare
 *   `fetch` POST of the same body to the same imitation gateway.
 *
 * Everything runs in this one process on 127.0.0.1 (stand-in and imitation gateway
 * included), so value and baseline share the event loop; the ratio isolates what the edge
 * code adds. Goal: under 10 ms p99 each.
 */
import { emit, percentile } from "./report.ts";
import { startRealtimeStandIn } from "../shared/standins/openai_realtime/realtime_standin.ts";
import { RealtimeTranscriber } from "../edge/realtime/realtime_transcriber.ts";
import { speechEvents, toneFrames } from "../edge/_testing/test_audio.ts";
import { SegmentSink } from "../edge/front/segment_sink.ts";
import { Outbox } from "../edge/outbox/outbox.ts";
import { startTestGateway } from "../edge/_testing/test_gateway.ts";
import { forwardTranscripts } from "../edge/fanin/transcript_forwarder.ts";
import type { TraceEvent } from "../shared/schemas/trace.ts";

const N = Number(Deno.env.get("EDGE_BENCH_N") ?? 120);
const WARMUP = 10;
/** Utterances fed as one burst, to show what a burst does to the commit. */
const BURST_N = 30;
/**
 * The end of each utterance is fed in real time, 20 ms frames, as the capture hands over a
 * microphone's audio: in bursts, one per 50 ms sound-server fragment (2 or 3 frames).
 */
const PACED_TAIL_FRAMES = 15;
const TAIL_BURST_MS = 50;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

let commitArrivedAt: (() => void) | null = null;
const standIn = await startRealtimeStandIn({
  script: (a) => `utterance of ${Math.round(a.durationMs)} ms`,
  onClientEvent(type) {
    if (type === "input_audio_buffer.commit") commitArrivedAt?.();
  },
});
const gateway = await startTestGateway({});
const dataDir = await Deno.makeTempDir({ prefix: "edge-bench-" });

const commitSent: number[] = [];
const commitArrived: number[] = [];
const finalToAck: number[] = [];
const speechEndToFinal: number[] = [];
const tracer = (e: TraceEvent) => {
  if (e.event === "realtime.commit_sent" && e.duration_ms !== undefined) {
    commitSent.push(e.duration_ms);
  }
};
const rt = new RealtimeTranscriber({ apiKey: "sk-bench", url: standIn.url, tracer });
const outbox = await Outbox.open({ dataDir, gatewayUrl: gateway.url, tracer: () => {} });
const unwire = forwardTranscripts({ transcriber: rt, outbox });
const sink = new SegmentSink(rt);
rt.start();
outbox.start();
await rt.whenReady();

// Pre-built audio: 20 ms frames of a 600–900 ms "utterance".
const utterances = Array.from({ length: 16 }, (_, i) => toneFrames(600 + 20 * i, 300 + 17 * i));

const burstCommit: number[] = [];
for (let i = 0; i < N + WARMUP + BURST_N; i++) {
  const burst = i >= N + WARMUP;
  const frames = utterances[i % utterances.length]!;
  // The front's events of the utterance, through the same sink as the edge's.
  const events = speechEvents(frames);
  const id = sink.push(events[0]!)!;
  const audio = events.slice(1, -1);
  if (burst) {
    for (const e of audio) sink.push(e);
  } else {
    // The start of the utterance at once, a pause, then the last 300 ms in real time: what
    // the connection looks like at speech end when audio comes from a microphone. Each burst
    // holds the frames that ended within its fragment; the speech end comes with the last one.
    const head = audio.length - PACED_TAIL_FRAMES;
    for (const e of audio.slice(0, head)) sink.push(e);
    await sleep(120);
    let fed = 0;
    for (let t = TAIL_BURST_MS; fed < PACED_TAIL_FRAMES; t += TAIL_BURST_MS) {
      await sleep(TAIL_BURST_MS);
      const upTo = Math.min(PACED_TAIL_FRAMES, Math.floor(t / 20)); // 20 ms frames
      for (const e of audio.slice(head + fed, head + upTo)) sink.push(e);
      fed = upTo;
    }
  }
  const acked = new Promise<number>((resolve) => {
    const off = outbox.on("acknowledged", (a) => {
      if (a.utterance_id === id) {
        off();
        resolve(a.latency_ms);
      }
    });
  });
  const final = new Promise<number>((resolve) => {
    const off = rt.on("final", (f) => {
      if (f.utterance_id === id) {
        off();
        resolve(f.speech_end_to_final_ms ?? NaN);
      }
    });
  });
  const arrived = new Promise<number>((resolve) =>
    commitArrivedAt = () => resolve(performance.now())
  );
  const end = performance.now();
  sink.push(events.at(-1)!);
  const arrivedAt = await arrived;
  const toFinal = await final;
  const ackLatency = await acked;
  if (burst) burstCommit.push(arrivedAt - end);
  else if (i >= WARMUP) {
    commitArrived.push(arrivedAt - end);
    speechEndToFinal.push(toFinal);
    finalToAck.push(ackLatency);
  }
}
commitSent.splice(0, WARMUP);
commitSent.splice(N);

// Baseline 1: a bare WebSocket send of a commit to the same stand-in.
const bare = new WebSocket(`${standIn.url}?intent=transcription`, {
  headers: { Authorization: "Bearer sk-bench" },
});
await new Promise((r) => bare.onopen = r);
const audio = new Uint8Array(4800).toBase64();
const bareCommit: number[] = [];
for (let i = 0; i < N + WARMUP; i++) {
  // The transport's floor: a commit on a quiet connection (the last append 100 ms ago).
  bare.send(JSON.stringify({ type: "input_audio_buffer.append", audio }));
  await sleep(100);
  const arrived = new Promise<number>((resolve) =>
    commitArrivedAt = () => resolve(performance.now())
  );
  const t0 = performance.now();
  bare.send(JSON.stringify({ type: "input_audio_buffer.commit" }));
  const t1 = await arrived;
  if (i >= WARMUP) bareCommit.push(t1 - t0);
}
const closed = new Promise((r) => bare.onclose = r);
bare.close();
await closed;

// Baseline 2: a bare POST /task of the same body to the same gateway.
const barePost: number[] = [];
for (let i = 0; i < N + WARMUP; i++) {
  const t0 = performance.now();
  const res = await fetch(`${gateway.url}/task`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ text: `baseline ${i}`, utterance_id: `bare-${i}`, source: "voice" }),
  });
  await res.text();
  if (i >= WARMUP) barePost.push(performance.now() - t0);
}

unwire();
await rt.close();
await outbox.close();
await gateway.close();
await standIn.close();
await Deno.remove(dataDir, { recursive: true });

const goal = "< 10 ms p99";
for (const p of [50, 99]) {
  const sent = percentile(commitSent, p);
  emit({
    bench: "edge",
    name: `speech end → commit sent (client) p${p}`,
    value: round(sent),
    unit: "ms",
    goal,
    met: p === 99 ? sent < 10 : undefined,
    notes:
      `${commitSent.length} utterances of 600–900 ms, tail fed in real time in 50 ms bursts; endSegment() to ws.send() returned`,
  });
  const arrivedV = percentile(commitArrived, p);
  const base = percentile(bareCommit, p);
  emit({
    bench: "edge",
    name: `speech end → commit at provider p${p}`,
    value: round(arrivedV),
    unit: "ms",
    baseline: { name: `bare ws.send commit p${p}`, value: round(base), unit: "ms" },
    ratio: round(arrivedV / base),
    goal,
    met: p === 99 ? arrivedV < 10 : undefined,
    notes:
      "endSegment() to the stand-in receiving the commit; loopback, same process, tail fed in real time in 50 ms bursts",
  });
  const ack = percentile(finalToAck, p);
  const post = percentile(barePost, p);
  emit({
    bench: "edge",
    name: `final transcript → gateway ack p${p}`,
    value: round(ack),
    unit: "ms",
    baseline: { name: `bare POST /task p${p}`, value: round(post), unit: "ms" },
    ratio: round(ack / post),
    goal,
    met: p === 99 ? ack < 10 : undefined,
    notes: "outbox enqueue (file written in parallel) to 2xx handled; imitation gateway in-process",
  });
}
emit({
  bench: "edge",
  name: "speech end → commit at provider after a burst p50",
  value: round(percentile(burstCommit, 50)),
  unit: "ms",
  notes:
    `${burstCommit.length} utterances fed at once (--no-pace, replay after a reconnect): the commit follows a burst of appends and waits for the peer's delayed ACK, because Deno's WebSocket leaves Nagle's algorithm on (no TCP_NODELAY option)`,
});
emit({
  bench: "edge",
  name: "speech end → final transcript p50 (stand-in, no model)",
  value: round(percentile(speechEndToFinal, 50)),
  unit: "ms",
  notes: "context only: the stand-in answers at once, a real provider adds its model time",
});
