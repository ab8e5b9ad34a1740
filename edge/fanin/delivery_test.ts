/**
 * End-to-end delivery on loopback: the realtime client against the Realtime stand-in, the
 * outbox against an imitation gateway, and the follower, wired by forwardTranscripts().
 */
import { within } from "@shared/testing/within.ts";
import { assertEquals } from "@shared/testing/asserts.ts";
import {
  type RealtimeStandIn,
  type RealtimeStandInOptions,
  startRealtimeStandIn,
} from "@shared/standins/openai_realtime/realtime_standin.ts";
import { RealtimeTranscriber } from "../realtime/realtime_transcriber.ts";
import { speechEvents, toneFrames } from "../_testing/test_audio.ts";
import { SegmentSink } from "../front/segment_sink.ts";
import { Outbox } from "../outbox/outbox.ts";
import { startTestGateway, type TestGateway } from "../_testing/test_gateway.ts";
import { UtteranceFollower } from "./utterance_follower.ts";
import { forwardTranscripts } from "./transcript_forwarder.ts";

/** A hang deadline, not a speed goal: generous, so that a loaded machine never trips it. */
const HANG_MS = 30_000;

async function until(what: string, cond: () => boolean): Promise<void> {
  await within(
    10_000,
    what,
    (async () => {
      while (!cond()) await new Promise((r) => setTimeout(r, 5));
    })(),
  );
}

interface Rig {
  standIn: RealtimeStandIn;
  gateway: TestGateway;
  rt: RealtimeTranscriber;
  outbox: Outbox;
  follower: UtteranceFollower;
  lines: string[];
  speak(ms: number): string;
  /** Posts per utterance id at the gateway. */
  postsPer(): Map<string, number>;
}

async function withRig(
  standInOptions: RealtimeStandInOptions,
  fn: (rig: Rig) => Promise<void>,
): Promise<void> {
  const dataDir = await Deno.makeTempDir();
  const standIn = await startRealtimeStandIn(standInOptions);
  const gateway = await startTestGateway({ token: "gw-token", pollsUntilDone: 1 });
  const quiet = () => {};
  const rt = new RealtimeTranscriber({
    apiKey: "sk-edge",
    url: standIn.url,
    reconnect: { baseDelayMs: 5, maxDelayMs: 40 },
    tracer: quiet,
  });
  const outbox = await Outbox.open({
    dataDir,
    gatewayUrl: gateway.url,
    token: "gw-token",
    retry: { baseDelayMs: 10, maxDelayMs: 50 },
    tracer: quiet,
  });
  const lines: string[] = [];
  const follower = new UtteranceFollower({
    gatewayUrl: gateway.url,
    token: "gw-token",
    pollIntervalMs: 5,
    print: (l) => lines.push(l),
    tracer: quiet,
  });
  const unwire = forwardTranscripts({
    transcriber: rt,
    outbox,
    follower,
    print: (l) => lines.push(l),
  });
  // Audio goes in as the edge's does: the front's speech events through a segment sink.
  const sink = new SegmentSink(rt);
  const rig: Rig = {
    standIn,
    gateway,
    rt,
    outbox,
    follower,
    lines,
    speak(ms) {
      const [start, ...rest] = speechEvents(toneFrames(ms, 250 + (ms % 300)));
      const id = sink.push(start!)!;
      for (const e of rest) sink.push(e);
      return id;
    },
    postsPer() {
      const m = new Map<string, number>();
      for (const p of gateway.posts) m.set(p.utterance_id!, (m.get(p.utterance_id!) ?? 0) + 1);
      return m;
    },
  };
  try {
    rt.start();
    outbox.start();
    await fn(rig);
  } finally {
    unwire();
    await rt.close();
    await outbox.close();
    await follower.close();
    await gateway.close();
    await standIn.close();
    await Deno.remove(dataDir, { recursive: true });
  }
}

/** Waits until the transcriber, the outbox and the follower have all finished. */
async function settle(rig: Rig): Promise<void> {
  await within(HANG_MS, "transcribed", rig.rt.whenIdle());
  await within(HANG_MS, "delivered", rig.outbox.whenDrained());
  await within(HANG_MS, "followed", rig.follower.whenAllFinal());
}

const TEXTS = [
  "refactor the orchestrator router",
  "open the QA dashboard",
  "summarize the open pull requests",
  "check the build status",
  "run the echo skill",
  "open the deploy page and check status",
];
/** Each test utterance has its own length: 500, 530, 560, ... ms. */
const LENGTHS = [500, 530, 560, 590, 620, 650];
/** The stand-in "hears" the text that belongs to the length of the audio, whatever the order. */
const SCRIPT = (a: { durationMs: number }) =>
  TEXTS[LENGTHS.indexOf(Math.round(a.durationMs))] ?? `unexpected ${a.durationMs} ms`;

Deno.test("delivery: the WebSocket dropped three times, every utterance reaches the gateway exactly once", async () => {
  await withRig({ script: SCRIPT, transcriptDelayMs: 2 }, async (rig) => {
    await within(HANG_MS, "ready", rig.rt.whenReady());
    const ids: string[] = [];
    rig.standIn.inject({ type: "drop", afterAppends: 3 });
    ids.push(rig.speak(500));
    ids.push(rig.speak(530));
    await until("first drop", () => rig.rt.stats.reconnects === 1);
    rig.standIn.inject({ type: "drop_after_commit" });
    ids.push(rig.speak(560));
    ids.push(rig.speak(590));
    await until("second drop", () => rig.rt.stats.reconnects === 2);
    await within(HANG_MS, "ready again", rig.rt.whenReady());
    ids.push(rig.speak(620));
    rig.standIn.dropAll();
    ids.push(rig.speak(650));
    await settle(rig);
    assertEquals(rig.rt.stats.reconnects, 3);
    const per = rig.postsPer();
    assertEquals(ids.map((id) => per.get(id)), [1, 1, 1, 1, 1, 1], "one POST per utterance");
    assertEquals(rig.gateway.utterances.size, 6);
    assertEquals(ids.map((id) => rig.gateway.utterances.get(id)?.text), TEXTS);
    assertEquals(rig.lines.filter((l) => l.startsWith("» ")).length, 6);
    assertEquals(rig.lines.filter((l) => l.includes("→ succeeded")).length, 6);
  });
});

Deno.test("delivery: the gateway stopped during speech, utterances arrive after it returns, none twice", async () => {
  await withRig({ script: SCRIPT }, async (rig) => {
    await within(HANG_MS, "ready", rig.rt.whenReady());
    const first = rig.speak(500);
    await within(HANG_MS, "first transcribed", rig.rt.whenIdle());
    await within(HANG_MS, "first delivered", rig.outbox.whenDrained());
    await rig.gateway.stop();
    const during = [rig.speak(530), rig.speak(560), rig.speak(590)];
    await within(HANG_MS, "transcribed while down", rig.rt.whenIdle());
    await until("outbox retrying", () => rig.outbox.stats.retries >= 2);
    assertEquals(rig.outbox.depth, 3);
    await rig.gateway.restart();
    await settle(rig);
    const per = rig.postsPer();
    assertEquals([first, ...during].map((id) => per.get(id)), [1, 1, 1, 1]);
    assertEquals([...rig.gateway.utterances.keys()], [first, ...during]);
  });
});

Deno.test("delivery: bad provider behaviour (errors, garbage, failed, young deaths) loses nothing", async () => {
  await withRig({
    script: SCRIPT,
    faults: [{ type: "drop_on_connect", count: 2 }],
  }, async (rig) => {
    await within(HANG_MS, "ready after two young deaths", rig.rt.whenReady());
    rig.standIn.inject({ type: "garbage" });
    rig.standIn.inject({ type: "error", message: "the stand-in hiccups" });
    rig.standIn.inject({ type: "failed" });
    const ids = [rig.speak(500), rig.speak(530), rig.speak(560)];
    await settle(rig);
    assertEquals(rig.rt.state, "ready");
    assertEquals(rig.rt.stats.invalidFrames > 0, true);
    assertEquals(rig.rt.stats.errorEvents, 1);
    assertEquals(ids.map((id) => rig.postsPer().get(id)), [1, 1, 1]);
    assertEquals(ids.map((id) => rig.gateway.utterances.get(id)?.text), TEXTS.slice(0, 3));
  });
});
