import { within } from "@shared/testing/within.ts";
import {
  assert,
  assertEquals,
  assertRejects,
  assertStringIncludes,
} from "@shared/testing/asserts.ts";
import type { TraceEvent } from "@shared/schemas/trace.ts";
import {
  type RealtimeStandIn,
  type RealtimeStandInOptions,
  startRealtimeStandIn,
} from "@shared/standins/openai_realtime/realtime_standin.ts";
import {
  type FinalTranscript,
  RealtimeGiveUpError,
  RealtimeTranscriber,
  type RealtimeTranscriberOptions,
  RealtimeUsageError,
} from "./realtime_transcriber.ts";
import { silenceFrames, toneFrames } from "../_testing/test_audio.ts";

/** A hang deadline, not a speed goal: generous, so that a loaded machine never trips it. */
const HANG_MS = 30_000;

interface Ctx {
  standIn: RealtimeStandIn;
  rt: RealtimeTranscriber;
  finals: FinalTranscript[];
  failed: { utterance_id: string; reason: string }[];
  discarded: { utterance_id: string; reason: string }[];
  partials: string[];
  traces: TraceEvent[];
  /** One spoken segment of `ms` of tone. */
  speak(ms: number): string;
}

async function withTranscriber(
  setup: { standIn?: RealtimeStandInOptions; client?: Partial<RealtimeTranscriberOptions> },
  fn: (ctx: Ctx) => Promise<void>,
): Promise<void> {
  const standIn = await startRealtimeStandIn(setup.standIn ?? {});
  const traces: TraceEvent[] = [];
  const rt = new RealtimeTranscriber({
    apiKey: "sk-test",
    url: standIn.url,
    tracer: (e) => traces.push(e),
    reconnect: { baseDelayMs: 5, maxDelayMs: 50 },
    ...setup.client,
  });
  const ctx: Ctx = {
    standIn,
    rt,
    finals: [],
    failed: [],
    discarded: [],
    partials: [],
    traces,
    speak(ms) {
      const id = rt.beginSegment();
      for (const f of toneFrames(ms, 300 + (ms % 200))) rt.appendAudio(f);
      rt.endSegment();
      return id;
    },
  };
  rt.on("final", (f) => ctx.finals.push(f));
  rt.on("failed", (f) => ctx.failed.push(f));
  rt.on("discarded", (d) => ctx.discarded.push(d));
  rt.on("partial", (p) => ctx.partials.push(p.text));
  try {
    await fn(ctx);
  } finally {
    await rt.close();
    await standIn.close();
  }
}

Deno.test("RealtimeTranscriber turns each segment into one final transcript", async () => {
  await withTranscriber(
    { standIn: { script: ["open the QA dashboard now", "refactor the router"] } },
    async (c) => {
      c.rt.start();
      await within(HANG_MS, "ready", c.rt.whenReady());
      const a = c.speak(400);
      const b = c.speak(600);
      await within(HANG_MS, "idle", c.rt.whenIdle());
      assertEquals(c.finals.map((f) => [f.utterance_id, f.text]), [
        [a, "open the QA dashboard now"],
        [b, "refactor the router"],
      ]);
      assertEquals(c.finals[0]!.usage?.type, "tokens");
      assertEquals(c.finals[0]!.audio_ms, 400);
      assertEquals(c.partials.slice(0, 2), ["open the QA ", "open the QA dashboard now"]);
      // The stand-in got the GA session and 100 ms appends: 400 ms → 4, 600 ms → 6.
      assertEquals(c.standIn.stats.received["session.update"], 1);
      assertEquals(c.standIn.stats.received["input_audio_buffer.append"], 10);
      assertEquals(c.standIn.stats.commits, 2);
      const events = c.traces.map((t) => t.event);
      assertEquals(events.filter((e) => e === "transcript.final").length, 2);
      assertEquals(events.filter((e) => e === "realtime.commit_sent").length, 2);
    },
  );
});

Deno.test("RealtimeTranscriber loses nothing and duplicates nothing when the socket drops 3 times", async () => {
  const texts = ["one", "two", "three", "four", "five", "six"];
  // The stand-in hears the text that belongs to the audio's length, whatever the order.
  const script = (a: { durationMs: number }) =>
    texts[(Math.round(a.durationMs) - 500) / 20] ?? `unexpected ${a.durationMs} ms`;
  await withTranscriber({ standIn: { script, transcriptDelayMs: 5 } }, async (c) => {
    c.rt.start();
    await within(HANG_MS, "ready", c.rt.whenReady());
    const ids: string[] = [];
    // 1: dropped mid-utterance (on the 3rd append of the segment).
    c.standIn.inject({ type: "drop", afterAppends: 2 });
    ids.push(c.speak(500));
    // 2: dropped after the commit, before the transcript.
    c.standIn.inject({ type: "drop_after_commit" });
    ids.push(c.speak(520));
    ids.push(c.speak(540));
    await within(HANG_MS, "first three", c.rt.whenIdle());
    // 3: dropped between utterances, while one is waiting for its (delayed) transcript.
    c.standIn.inject({ type: "delay", ms: 200 });
    ids.push(c.speak(560));
    c.standIn.dropAll();
    ids.push(c.speak(580));
    ids.push(c.speak(600));
    await within(HANG_MS, "all six", c.rt.whenIdle());
    // Exactly one final per utterance. Transcripts may arrive out of speech order (a re-sent
    // segment can finish after a later one), so compare by utterance.
    const byId = new Map(c.finals.map((f) => [f.utterance_id, f.text]));
    assertEquals(c.finals.length, 6);
    assertEquals(ids.map((id) => byId.get(id)), texts);
    assertEquals(c.rt.stats.reconnects, 3);
    assertEquals(c.failed, []);
    assertEquals(c.traces.filter((t) => t.event === "realtime.reconnect").length, 3);
  });
});

Deno.test("RealtimeTranscriber re-sends a failed transcription once, then reports it lost", async () => {
  await withTranscriber({ standIn: { script: ["saved", "lost"] } }, async (c) => {
    c.rt.start();
    c.standIn.inject({ type: "failed" });
    const saved = c.speak(300);
    await within(HANG_MS, "first", c.rt.whenIdle());
    assertEquals(c.finals.map((f) => [f.utterance_id, f.text]), [[saved, "saved"]]);
    c.standIn.inject({ type: "failed" });
    c.standIn.inject({ type: "failed" });
    const lost = c.speak(700);
    await within(HANG_MS, "second", c.rt.whenIdle());
    assertEquals(c.finals.length, 1);
    assertEquals(c.failed.map((f) => f.utterance_id), [lost]);
    assertStringIncludes(
      c.failed[0]!.reason,
      "transcription failed: The stand-in was told to fail",
    );
    assertEquals(c.standIn.stats.failedSent, 3);
  });
});

Deno.test("RealtimeTranscriber survives garbage frames and error events without loss", async () => {
  await withTranscriber({ standIn: { script: ["fine"] } }, async (c) => {
    c.rt.start();
    c.standIn.inject({ type: "garbage" });
    c.standIn.inject({ type: "error", message: "transient trouble" });
    c.speak(300);
    await within(HANG_MS, "idle", c.rt.whenIdle());
    assertEquals(c.finals.map((f) => f.text), ["fine"]);
    assertEquals(c.rt.stats.invalidFrames, 3, "non-JSON, binary, committed without item_id");
    assertEquals(c.rt.stats.unknownEvents, 1);
    assertEquals(c.rt.stats.errorEvents, 1);
    assertEquals(c.rt.state, "ready");
  });
});

Deno.test("RealtimeTranscriber can send the key as the openai-insecure-api-key subprotocol", async () => {
  await withTranscriber({
    standIn: { apiKey: "sk-sub", script: ["via subprotocol"] },
    client: { apiKey: "sk-sub", auth: "subprotocol" },
  }, async (c) => {
    c.rt.start();
    await within(HANG_MS, "ready", c.rt.whenReady());
    c.speak(300);
    await within(HANG_MS, "idle", c.rt.whenIdle());
    assertEquals(c.finals.map((f) => f.text), ["via subprotocol"]);
    assertEquals(c.standIn.stats.authRejected, 0);
  });
});

Deno.test("RealtimeTranscriber gives up at once with a clear message on a 401 handshake", async () => {
  await withTranscriber({ standIn: { apiKey: "sk-right" } }, async (c) => {
    const fatal = new Promise<RealtimeGiveUpError>((r) => c.rt.on("fatal", (f) => r(f.error)));
    c.rt.start();
    c.speak(300);
    const error = await within(HANG_MS, "fatal", fatal);
    assertEquals(
      error.message,
      "Realtime transcription stopped: the Realtime API refused the credentials (NetworkError: failed to connect to WebSocket: Invalid status code: 401): check OPENAI_API_KEY; a bad key is not a network blip, so no retry",
    );
    assertEquals(c.standIn.stats.authRejected, 1, "no retry");
    assertEquals(c.rt.state, "failed");
    await assertRejects(() => c.rt.whenIdle(), RealtimeGiveUpError, "refused the credentials");
  });
});

Deno.test("RealtimeTranscriber gives up on an auth error event and on rejected settings", async () => {
  await withTranscriber({ standIn: { script: ["x"] } }, async (c) => {
    c.rt.start();
    await within(HANG_MS, "ready", c.rt.whenReady());
    c.standIn.inject({ type: "error", code: "invalid_api_key", message: "Incorrect API key" });
    c.speak(300);
    await assertRejects(
      () => within(HANG_MS, "idle", c.rt.whenIdle()),
      RealtimeGiveUpError,
      "Realtime transcription stopped: the Realtime API refused the credentials: Incorrect API key",
    );
  });
  await withTranscriber({ client: { model: "bogus-model" } }, async (c) => {
    c.rt.start();
    await assertRejects(
      () => within(HANG_MS, "ready", c.rt.whenReady()),
      RealtimeGiveUpError,
      "Realtime transcription stopped: the Realtime API rejected the session settings: Invalid value: 'bogus-model'.",
    );
  });
});

Deno.test("RealtimeTranscriber gives up when connections keep dying young", async () => {
  await withTranscriber({
    standIn: { faults: [{ type: "drop_on_connect", count: 100 }] },
    client: { reconnect: { baseDelayMs: 1, maxDelayMs: 5, youngMs: 5000, maxYoungDeaths: 3 } },
  }, async (c) => {
    c.rt.start();
    await assertRejects(
      () => within(HANG_MS, "give up", c.rt.whenReady()),
      RealtimeGiveUpError,
      "died within 5000 ms of opening 3 times in a row",
    );
    assertEquals(c.standIn.stats.connections, 3);
  });
});

Deno.test("RealtimeTranscriber keeps retrying while unreachable and holds a bounded buffer", async () => {
  // A port that nobody listens on, then a stand-in on that same port.
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (probe.addr as Deno.NetAddr).port;
  probe.close();
  const traces: TraceEvent[] = [];
  const rt = new RealtimeTranscriber({
    apiKey: "sk",
    url: `ws://127.0.0.1:${port}/v1/realtime`,
    reconnect: { baseDelayMs: 5, maxDelayMs: 20, maxYoungDeaths: 2 },
    maxHeldSegments: 2,
    tracer: (e) => traces.push(e),
  });
  const finals: string[] = [];
  const failed: string[] = [];
  rt.on("final", (f) => finals.push(f.utterance_id));
  rt.on("failed", (f) => failed.push(f.utterance_id));
  let standIn: RealtimeStandIn | undefined;
  try {
    rt.start();
    const speak = (ms: number) => {
      const id = rt.beginSegment();
      for (const f of toneFrames(ms)) rt.appendAudio(f);
      rt.endSegment();
      return id;
    };
    const dropped = speak(300);
    const kept = [speak(320), speak(340)];
    assertEquals(failed, [dropped], "the oldest segment goes when the buffer is full");
    while (traces.filter((t) => t.event === "realtime.reconnect").length < 4) {
      await new Promise((r) => setTimeout(r, 10));
    }
    assertEquals(rt.state === "waiting" || rt.state === "connecting", true);
    standIn = await startRealtimeStandIn({ port });
    await within(HANG_MS, "idle", rt.whenIdle());
    assertEquals(finals, kept);
  } finally {
    await rt.close();
    await standIn?.close();
  }
});

Deno.test("RealtimeTranscriber rotates its session before the lifetime runs out", async () => {
  await withTranscriber({
    standIn: { script: ["a", "b", "c"] },
    client: { sessionLifetimeMs: 120, rotateBeforeMs: 100, forceRotateBeforeMs: 10 },
  }, async (c) => {
    c.rt.start();
    await within(HANG_MS, "ready", c.rt.whenReady());
    while (c.rt.stats.rotations < 2) await new Promise((r) => setTimeout(r, 10));
    const ids = [c.speak(300), c.speak(320), c.speak(340)];
    await within(HANG_MS, "idle", c.rt.whenIdle());
    assertEquals(c.finals.map((f) => f.utterance_id), ids);
    assertEquals(c.rt.stats.reconnects, 0, "rotations are not reconnects");
    assert(c.traces.some((t) => t.event === "realtime.rotate"));
  });
});

Deno.test("RealtimeTranscriber clears an abandoned segment and discards empty ones", async () => {
  await withTranscriber({ standIn: { script: ["kept"] } }, async (c) => {
    c.rt.start();
    await within(HANG_MS, "ready", c.rt.whenReady());
    const abandoned = c.rt.beginSegment();
    for (const f of toneFrames(300)) c.rt.appendAudio(f);
    c.rt.abandonSegment();
    const empty = c.rt.beginSegment();
    c.rt.endSegment();
    const kept = c.speak(250);
    await within(HANG_MS, "idle", c.rt.whenIdle());
    assertEquals(c.discarded, [
      { utterance_id: abandoned, reason: "abandoned" },
      { utterance_id: empty, reason: "no audio" },
    ]);
    assertEquals(c.finals.map((f) => f.utterance_id), [kept]);
    assertEquals(c.standIn.stats.clears, 1);
  });
});

Deno.test("RealtimeTranscriber with server VAD lets the provider find the turns", async () => {
  await withTranscriber({
    standIn: { script: ["first turn", "second turn"] },
    // A legacy model, named: it still takes server VAD.
    client: {
      model: "gpt-4o-transcribe",
      turnDetection: "server_vad",
      serverVad: { silence_duration_ms: 300 },
    },
  }, async (c) => {
    c.rt.start();
    await within(HANG_MS, "ready", c.rt.whenReady());
    const waitFinals = (n: number) =>
      within(
        5000,
        `${n} finals`,
        (async () => {
          while (c.finals.length < n) await new Promise((r) => setTimeout(r, 10));
        })(),
      );
    for (const f of silenceFrames(300)) c.rt.appendAudio(f);
    for (const f of toneFrames(500)) c.rt.appendAudio(f);
    for (const f of silenceFrames(600)) c.rt.appendAudio(f);
    await waitFinals(1);
    // The provider drops after committing the second turn: it is re-sent and committed by us.
    c.standIn.inject({ type: "drop_after_commit" });
    for (const f of toneFrames(700, 500)) c.rt.appendAudio(f);
    for (const f of silenceFrames(600)) c.rt.appendAudio(f);
    await waitFinals(2);
    assertEquals(c.finals.map((f) => f.text), ["first turn", "second turn"]);
    assertEquals(new Set(c.finals.map((f) => f.utterance_id)).size, 2);
    assertEquals(c.rt.stats.reconnects, 1);
    assertEquals(c.rt.heldSegments, 0);
  });
});

Deno.test("RealtimeTranscriber refuses client segments in server VAD mode", () => {
  const rt = new RealtimeTranscriber({
    apiKey: "k",
    model: "gpt-4o-transcribe",
    turnDetection: "server_vad",
  });
  let error: unknown;
  try {
    rt.beginSegment();
  } catch (e) {
    error = e;
  }
  assert(error instanceof RealtimeUsageError);
  assertEquals(
    error.message,
    "Cannot begin a segment as the session uses server VAD: stream audio with appendAudio() only",
  );
});

Deno.test("RealtimeTranscriber refuses server VAD with a model that refuses turn detection", () => {
  for (const model of [undefined, "gpt-live-transcribe", "gpt-realtime-whisper"]) {
    let error: unknown;
    try {
      new RealtimeTranscriber({
        apiKey: "k",
        turnDetection: "server_vad",
        ...(model ? { model } : {}),
      });
    } catch (e) {
      error = e;
    }
    assert(error instanceof RealtimeUsageError, String(model));
    assertEquals(
      error.message,
      `Cannot use server turn detection with ${
        model ?? "gpt-live-transcribe"
      } as the model refuses it: use client VAD (turnDetection "client") or a model with server VAD such as gpt-4o-transcribe`,
    );
  }
});

Deno.test("RealtimeTranscriber uses gpt-live-transcribe by default, committing every utterance itself", async () => {
  await withTranscriber({ standIn: { script: ["current generation"] } }, async (c) => {
    c.rt.start();
    await within(5000, "ready", c.rt.whenReady());
    const id = c.speak(400);
    await within(5000, "idle", c.rt.whenIdle());
    assertEquals(c.finals.map((f) => [f.utterance_id, f.text, f.model]), [
      [id, "current generation", "gpt-live-transcribe"],
    ]);
    assertEquals(c.standIn.stats.turnDetectionRefused, 0);
    assertEquals(c.standIn.stats.errorsSent, 0);
    assertEquals(c.standIn.stats.commits, 1);
  });
});

Deno.test("RealtimeTranscriber still streams with server VAD for each legacy model named", async () => {
  for (const model of ["gpt-4o-transcribe", "gpt-4o-mini-transcribe", "whisper-1"]) {
    await withTranscriber({
      standIn: { script: [`heard by ${model}`] },
      client: { model, turnDetection: "server_vad", serverVad: { silence_duration_ms: 300 } },
    }, async (c) => {
      c.rt.start();
      await within(5000, "ready", c.rt.whenReady());
      for (const f of silenceFrames(300)) c.rt.appendAudio(f);
      // A prompt set mid-stream changes the transcription settings alone.
      c.rt.setPrompt("Vocabulary: JobQueue.");
      for (const f of toneFrames(500)) c.rt.appendAudio(f);
      for (const f of silenceFrames(600)) c.rt.appendAudio(f);
      await within(
        5000,
        "final",
        (async () => {
          while (c.finals.length < 1) await new Promise((r) => setTimeout(r, 10));
        })(),
      );
      assertEquals(c.finals.map((f) => [f.text, f.model]), [[`heard by ${model}`, model]]);
      assertEquals(c.standIn.stats.received["input_audio_buffer.commit"] ?? 0, 0, model);
      assertEquals(c.standIn.stats.prompts, ["Vocabulary: JobQueue."]);
      assertEquals(c.standIn.stats.turnDetectionRefused, 0);
    });
  }
});

Deno.test("RealtimeTranscriber sends a prompt set after start, and keeps it for later sessions", async () => {
  await withTranscriber({ standIn: { script: ["a", "b"] } }, async (c) => {
    c.rt.start();
    await within(5000, "ready", c.rt.whenReady());
    assertEquals(c.standIn.stats.prompts, []);
    c.rt.setPrompt("Vocabulary: JobQueue, engine.ts.");
    c.speak(300);
    await within(5000, "idle", c.rt.whenIdle());
    assertEquals(c.standIn.stats.prompts, ["Vocabulary: JobQueue, engine.ts."]);
    c.standIn.dropAll();
    while (c.rt.stats.reconnects < 1 || c.rt.state !== "ready") {
      await new Promise((r) => setTimeout(r, 10));
    }
    assertEquals(c.standIn.stats.prompts, [
      "Vocabulary: JobQueue, engine.ts.",
      "Vocabulary: JobQueue, engine.ts.",
    ]);
  });
});

Deno.test("RealtimeTranscriber rotates before the session expires, every utterance exactly once", async () => {
  // The stand-in ends sessions after 4 s; the client rotates from 0.6 s when quiet, and at
  // 1 s whatever is in flight (the 2.6 s utterance always meets that deadline mid-speech). The
  // 3 s between the two keep a loaded machine's late timers from mattering.
  // Speech is paced in real time, one 20 ms frame at a time.
  const durations = [200, 220, 240, 2600, 260, 280, 300, 320, 340, 360];
  const texts = durations.map((ms) => `utterance of ${ms} ms`);
  const script = (a: { durationMs: number }) => {
    const i = durations.indexOf(Math.round(a.durationMs));
    return texts[i] ?? `unexpected ${a.durationMs} ms`;
  };
  await withTranscriber({
    standIn: { script, maxSessionMs: 4000 },
    client: { sessionLifetimeMs: 4000, rotateBeforeMs: 3400, forceRotateBeforeMs: 3000 },
  }, async (c) => {
    c.rt.start();
    await within(5000, "ready", c.rt.whenReady());
    const ids: string[] = [];
    for (const [i, ms] of durations.entries()) {
      ids.push(c.rt.beginSegment());
      for (const f of toneFrames(ms, 300 + i * 40)) {
        c.rt.appendAudio(f);
        await new Promise((r) => setTimeout(r, 20));
      }
      c.rt.endSegment();
      await new Promise((r) => setTimeout(r, 60));
    }
    await within(10_000, "idle", c.rt.whenIdle());
    const byId = new Map<string, string[]>();
    for (const f of c.finals) {
      byId.set(f.utterance_id, [...(byId.get(f.utterance_id) ?? []), f.text]);
    }
    assertEquals(ids.map((id) => byId.get(id)), texts.map((t) => [t]));
    assertEquals(c.finals.length, texts.length);
    assertEquals(c.failed, []);
    assert(c.rt.stats.rotations >= 2, `rotations: ${c.rt.stats.rotations}`);
    assertEquals(c.standIn.stats.expired, 0, "no session reached its limit");
    assertEquals(c.rt.stats.reconnects, 0);
    // The rotation mid-utterance re-sent the held part of it on the next session.
    const spoken = durations.reduce((a, b) => a + b, 0);
    assert(c.standIn.stats.appendedMs > spoken, `appended ${c.standIn.stats.appendedMs} ms`);
  });
});

Deno.test("RealtimeTranscriber loses nothing when the provider expires a session first", async () => {
  // No rotation before the stand-in's 500 ms limit: the expiry closes sessions mid-speech.
  const durations = [200, 220, 700, 240];
  const texts = durations.map((ms) => `said in ${ms} ms`);
  const script = (a: { durationMs: number }) =>
    texts[durations.indexOf(Math.round(a.durationMs))] ?? `unexpected ${a.durationMs} ms`;
  await withTranscriber({
    standIn: { script, maxSessionMs: 500 },
    client: { reconnect: { baseDelayMs: 5, maxDelayMs: 20, youngMs: 50 } },
  }, async (c) => {
    c.rt.start();
    await within(5000, "ready", c.rt.whenReady());
    const ids: string[] = [];
    for (const ms of durations) {
      ids.push(c.rt.beginSegment());
      for (const f of toneFrames(ms, 300 + ms)) {
        c.rt.appendAudio(f);
        await new Promise((r) => setTimeout(r, 20));
      }
      c.rt.endSegment();
    }
    await within(10_000, "idle", c.rt.whenIdle());
    const byId = new Map(c.finals.map((f) => [f.utterance_id, f.text]));
    assertEquals(ids.map((id) => byId.get(id)), texts);
    assertEquals(c.finals.length, texts.length);
    assert(c.standIn.stats.expired >= 1, `expired: ${c.standIn.stats.expired}`);
    assert(c.rt.stats.reconnects >= 1);
    assertEquals(c.rt.state, "ready");
  });
});
