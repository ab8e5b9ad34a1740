import { assert, assertEquals, assertMatch } from "@shared/testing/asserts.ts";
import { startRealtimeStandIn } from "./realtime_standin.ts";
import { fixtureScript, loadFixtures } from "./transcript_script.ts";
import { parseWav } from "./pcm_codec.ts";
import { fileURLToPath } from "node:url";
import { join } from "node:path";

type Ev = { type: string; [k: string]: unknown };

/** A bare WebSocket client that records every event, to test the wire protocol directly. */
class RawClient {
  events: Ev[] = [];
  raw: unknown[] = [];
  closed: Promise<CloseEvent>;
  #waiters: { pred: (e: Ev) => boolean; resolve: (e: Ev) => void }[] = [];
  constructor(readonly ws: WebSocket) {
    ws.onmessage = (m) => {
      this.raw.push(m.data);
      let e: Ev;
      try {
        e = JSON.parse(m.data as string);
      } catch {
        return;
      }
      this.events.push(e);
      this.#waiters = this.#waiters.filter((w) => {
        if (!w.pred(e)) return true;
        w.resolve(e);
        return false;
      });
    };
    this.closed = new Promise((r) => ws.addEventListener("close", (e) => r(e), { once: true }));
  }
  static async open(url: string, init?: string[] | { headers: Record<string, string> }) {
    const ws = new WebSocket(url, init as string[]);
    const client = new RawClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.onopen = () => resolve();
      ws.onerror = (e) => reject(new Error((e as ErrorEvent).message));
    });
    return client;
  }
  /** The next not yet taken event of this type; fails after 5 s instead of hanging. */
  next(type: string, pred: (e: Ev) => boolean = () => true): Promise<Ev> {
    const seen = this.events.find((e) => e.type === type && pred(e) && !this.#taken.has(e));
    if (seen) {
      this.#taken.add(seen);
      return Promise.resolve(seen);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no '${type}' event within 5 s`)), 5000);
      this.#waiters.push({
        pred: (e) => e.type === type && pred(e),
        resolve: (e) => {
          clearTimeout(timer);
          this.#taken.add(e);
          resolve(e);
        },
      });
    });
  }
  #taken = new Set<Ev>();
  send(event: unknown) {
    this.ws.send(typeof event === "string" ? event : JSON.stringify(event));
  }
  async close() {
    if (this.ws.readyState !== WebSocket.CLOSED) {
      this.ws.close();
      await this.closed;
    }
  }
}

function tone(ms: number, rate = 24_000, freq = 300): Int16Array {
  const n = Math.round((rate * ms) / 1000);
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.round(8000 * Math.sin((2 * Math.PI * freq * i) / rate));
  return out;
}

function b64(samples: Int16Array): string {
  return new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength).toBase64();
}

const transcriptionSession = {
  type: "session.update",
  session: {
    type: "transcription",
    audio: {
      input: {
        format: { type: "audio/pcm", rate: 24000 },
        transcription: { model: "gpt-4o-transcribe" },
        turn_detection: null,
      },
    },
  },
};

Deno.test("stand-in transcribes committed audio with deltas, then completed with usage", async () => {
  const standIn = await startRealtimeStandIn({ script: ["open the QA dashboard"] });
  const c = await RawClient.open(`${standIn.url}?intent=transcription`, {
    headers: { Authorization: "Bearer sk-test" },
  });
  try {
    await c.next("session.created");
    c.send(transcriptionSession);
    const updated = await c.next("session.updated");
    assertEquals((updated.session as { type: string }).type, "transcription");
    c.send({ type: "input_audio_buffer.append", audio: b64(tone(300)) });
    c.send({ type: "input_audio_buffer.commit", event_id: "evt_c1" });
    const committed = await c.next("input_audio_buffer.committed");
    const completed = await c.next("conversation.item.input_audio_transcription.completed");
    assertEquals(completed.item_id, committed.item_id);
    assertEquals(completed.transcript, "open the QA dashboard");
    assertEquals((completed.usage as { type: string }).type, "tokens");
    const deltas = c.events.filter((e) =>
      e.type === "conversation.item.input_audio_transcription.delta"
    ).map((e) => e.delta).join("");
    assertEquals(deltas, "open the QA dashboard");
    assertEquals(standIn.stats.transcripts, ["open the QA dashboard"]);
  } finally {
    await c.close();
    await standIn.close();
  }
});

Deno.test("stand-in accepts the key as a subprotocol and echoes 'realtime'", async () => {
  const standIn = await startRealtimeStandIn({ apiKey: "sk-right" });
  const c = await RawClient.open(`${standIn.url}?intent=transcription`, [
    "realtime",
    "openai-insecure-api-key.sk-right",
  ]);
  try {
    assertEquals(c.ws.protocol, "realtime");
    await c.next("session.created");
  } finally {
    await c.close();
    await standIn.close();
  }
});

Deno.test("stand-in rejects a wrong or missing key at the handshake with 401", async () => {
  const standIn = await startRealtimeStandIn({ apiKey: "sk-right" });
  try {
    for (const init of [{ headers: { Authorization: "Bearer sk-wrong" } }, undefined]) {
      const ws = new WebSocket(`${standIn.url}?intent=transcription`, init as unknown as string[]);
      const closed = new Promise((r) => ws.onclose = r);
      const message = await new Promise<string>((resolve) => {
        ws.onerror = (e) => resolve((e as ErrorEvent).message);
      });
      await closed;
      assertMatch(message, /Invalid status code: 401/);
    }
    assertEquals(standIn.stats.authRejected, 2);
  } finally {
    await standIn.close();
  }
});

Deno.test("stand-in answers bad client events with the API's error event", async () => {
  const standIn = await startRealtimeStandIn();
  const c = await RawClient.open(`${standIn.url}?intent=transcription`, {
    headers: { Authorization: "Bearer sk-test" },
  });
  try {
    await c.next("session.created");
    const cases: { send: unknown; code: string; message: RegExp }[] = [
      {
        send: {
          ...transcriptionSession,
          event_id: "evt_rate",
          session: {
            type: "transcription",
            audio: { input: { format: { type: "audio/pcm", rate: 16000 } } },
          },
        },
        code: "invalid_value",
        message: /^Invalid value: 16000\. 'audio\/pcm' supports a rate of 24000 only\.$/,
      },
      {
        send: {
          type: "session.update",
          session: { type: "transcription", audio: { input: { format: { type: "audio/flac" } } } },
        },
        code: "invalid_value",
        message: /^Invalid value: 'audio\/flac'/,
      },
      {
        send: { type: "input_audio_buffer.append", audio: "not*base64" },
        code: "invalid_value",
        message: /^Cannot decode the audio as it is not valid base64/,
      },
      {
        send: { type: "input_audio_buffer.append", audio: "AAAB" },
        code: "invalid_value",
        message:
          /^Cannot decode the audio as PCM16 needs an even number of bytes: current length is 3$/,
      },
      {
        send: { type: "input_audio_buffer.commit", event_id: "evt_empty" },
        code: "input_audio_buffer_commit_empty",
        message: /buffer too small\. Expected at least 100ms of audio, but buffer only has 0\.00ms/,
      },
      { send: "{oops", code: "invalid_json", message: /^Invalid JSON/ },
      {
        send: { type: "response.create" },
        code: "invalid_value",
        message: /^Invalid value: 'response\.create'/,
      },
    ];
    for (const [i, tc] of cases.entries()) {
      c.send(tc.send);
      const err = await c.next("error");
      const detail = err.error as { code: string; message: string };
      assertEquals(detail.code, tc.code, `case ${i}`);
      assertMatch(detail.message, tc.message, `case ${i}`);
    }
    // The error names the client event that caused it.
    const rateError = c.events.find((e) => e.type === "error")!;
    assertEquals((rateError.error as { event_id: string }).event_id, "evt_rate");
    // Still serving after all that.
    c.send({ type: "input_audio_buffer.append", audio: b64(tone(200)) });
    c.send({ type: "input_audio_buffer.clear" });
    await c.next("input_audio_buffer.cleared");
    assertEquals(standIn.stats.clears, 1);
  } finally {
    await c.close();
    await standIn.close();
  }
});

Deno.test("stand-in refuses a transcription update on a connection without the intent", async () => {
  const standIn = await startRealtimeStandIn();
  const c = await RawClient.open(standIn.url, { headers: { Authorization: "Bearer sk" } });
  try {
    c.send(transcriptionSession);
    const err = await c.next("error");
    assertMatch(
      (err.error as { message: string }).message,
      /^Passing a transcription session update event to a realtime session is not allowed/,
    );
  } finally {
    await c.close();
    await standIn.close();
  }
});

Deno.test("stand-in gives re-sent audio the same transcript and injects faults", async () => {
  const standIn = await startRealtimeStandIn({ script: ["first", "second"] });
  const open = async () => {
    const c = await RawClient.open(`${standIn.url}?intent=transcription`, {
      headers: { Authorization: "Bearer sk" },
    });
    await c.next("session.created");
    c.send(transcriptionSession);
    await c.next("session.updated");
    return c;
  };
  let c = await open();
  try {
    const a = tone(400);
    // failed
    standIn.inject({ type: "failed" });
    c.send({ type: "input_audio_buffer.append", audio: b64(a) });
    c.send({ type: "input_audio_buffer.commit" });
    const failed = await c.next("conversation.item.input_audio_transcription.failed");
    assertEquals((failed.error as { code: string }).code, "audio_unintelligible");
    // garbage + error, then a normal transcript of the same audio
    standIn.inject({ type: "garbage" });
    standIn.inject({ type: "error", message: "boom" });
    c.send({ type: "input_audio_buffer.append", audio: b64(a) });
    c.send({ type: "input_audio_buffer.commit" });
    const first = await c.next("conversation.item.input_audio_transcription.completed");
    assertEquals(first.transcript, "first");
    assert(c.raw.includes("this is not JSON {"), "garbage text frame sent");
    assert(c.events.some((e) => e.type === "standin.unknown_event"), "unknown event sent");
    assertEquals(
      (c.events.find((e) => e.type === "error")!.error as { message: string }).message,
      "boom",
    );
    // drop after commit: the transcript never comes on this socket
    standIn.inject({ type: "drop_after_commit" });
    c.send({ type: "input_audio_buffer.append", audio: b64(tone(500)) });
    c.send({ type: "input_audio_buffer.commit" });
    await c.next("input_audio_buffer.committed", (e) => e.previous_item_id !== undefined);
    const closed = await c.closed;
    assertEquals(closed.code, 1011);
    // The same audio re-sent on a new connection is heard the same way: "first" again.
    c = await open();
    c.send({ type: "input_audio_buffer.append", audio: b64(a) });
    c.send({ type: "input_audio_buffer.commit" });
    assertEquals(
      (await c.next("conversation.item.input_audio_transcription.completed")).transcript,
      "first",
    );
    // A drop mid-utterance.
    standIn.inject({ type: "drop", afterAppends: 1 });
    c.send({ type: "input_audio_buffer.append", audio: b64(tone(100)) });
    c.send({ type: "input_audio_buffer.append", audio: b64(tone(100)) });
    assertEquals((await c.closed).code, 1011);
    assertEquals(standIn.stats.transcripts, ["first", "first"]);
  } finally {
    await c.close();
    await standIn.close();
  }
});

Deno.test("stand-in with server_vad commits by itself after the silence", async () => {
  const standIn = await startRealtimeStandIn({ script: ["hello there"] });
  const c = await RawClient.open(`${standIn.url}?intent=transcription`, {
    headers: { Authorization: "Bearer sk" },
  });
  try {
    c.send({
      type: "session.update",
      session: {
        type: "transcription",
        audio: { input: { turn_detection: { type: "server_vad", silence_duration_ms: 300 } } },
      },
    });
    await c.next("session.updated");
    const audio = new Int16Array(24_000 * 2);
    audio.set(tone(600), 24_000 * 0.5);
    for (let at = 0; at < audio.length; at += 2400) {
      c.send({ type: "input_audio_buffer.append", audio: b64(audio.subarray(at, at + 2400)) });
    }
    const started = await c.next("input_audio_buffer.speech_started");
    const stopped = await c.next("input_audio_buffer.speech_stopped");
    const committed = await c.next("input_audio_buffer.committed");
    assertEquals(started.audio_start_ms, 500);
    assertEquals(stopped.audio_end_ms, 1100);
    assertEquals(committed.item_id, started.item_id);
    const completed = await c.next("conversation.item.input_audio_transcription.completed");
    assertEquals(completed.transcript, "hello there");
  } finally {
    await c.close();
    await standIn.close();
  }
});

Deno.test("fixture script matches committed audio to the fixture utterance of its length", async () => {
  const dir = fileURLToPath(new URL("./fixtures/", import.meta.url));
  const utterances = await loadFixtures(dir);
  assertEquals(utterances.map((u) => u.text), [
    "Refactor the orchestrator router and open the QA dashboard to verify deploy status.",
    "Summarize the open pull requests.",
    "Then check the build status of the main branch.",
  ]);
  const script = fixtureScript(utterances);
  // Cut the second utterance of two_requests.wav out (by its sound), upsampled 16→24 kHz.
  const wav = parseWav(await Deno.readFile(join(dir, "two_requests.wav")));
  const second = wav.samples.subarray(Math.round(wav.sampleRate * 3.3));
  const up = new Int16Array(Math.floor((second.length * 3) / 2));
  for (let i = 0; i < up.length; i++) up[i] = second[Math.floor((i * 2) / 3)]!;
  const text = await script({ itemId: "i", samples: up, durationMs: 0, index: 0 });
  assertEquals(text, "Then check the build status of the main branch.");
  const silence = await script({
    itemId: "i",
    samples: new Int16Array(24_000),
    durationMs: 1000,
    index: 0,
  });
  assertEquals(silence, "(stand-in transcript of 1.0 s of audio)");
});

Deno.test("stand-in refuses turn detection for the current models with the API's error", async () => {
  const standIn = await startRealtimeStandIn();
  const c = await RawClient.open(`${standIn.url}?intent=transcription`, {
    headers: { Authorization: "Bearer sk-test" },
  });
  const update = (model: string, turn_detection: unknown, event_id: string) => ({
    type: "session.update",
    event_id,
    session: {
      type: "transcription",
      audio: { input: { transcription: { model }, turn_detection } },
    },
  });
  try {
    await c.next("session.created");
    const refused = [
      update("gpt-live-transcribe", { type: "server_vad" }, "evt_live"),
      update("gpt-realtime-whisper", { type: "semantic_vad" }, "evt_whisper"),
      update("gpt-live-transcribe-2026-06-01", { type: "server_vad" }, "evt_dated"),
    ];
    for (const event of refused) {
      c.send(event);
      const error = await c.next("error");
      assertEquals(error.error, {
        type: "invalid_request_error",
        code: "invalid_value",
        message: "Turn detection is not supported for this transcription model.",
        param: "session.audio.input.turn_detection",
        event_id: event.event_id,
      });
    }
    assertEquals(standIn.stats.turnDetectionRefused, 3);
    // null (or leaving it out) is what these models take; legacy models keep server VAD.
    c.send(update("gpt-live-transcribe", null, "evt_null"));
    const live = await c.next("session.updated");
    assertEquals(
      (live.session as { audio: { input: { turn_detection: unknown } } }).audio.input
        .turn_detection,
      null,
    );
    c.send(update("gpt-4o-transcribe", { type: "server_vad" }, "evt_legacy"));
    const legacy = await c.next("session.updated");
    assertEquals(
      (legacy.session as { audio: { input: { turn_detection: { type: string } } } }).audio.input
        .turn_detection.type,
      "server_vad",
    );
    // Switching to a refusing model while server VAD is on is refused as well.
    c.send({
      type: "session.update",
      event_id: "evt_switch",
      session: {
        type: "transcription",
        audio: { input: { transcription: { model: "gpt-live-transcribe" } } },
      },
    });
    const switched = await c.next("error");
    assertEquals((switched.error as { event_id: string }).event_id, "evt_switch");
    assertEquals(standIn.stats.turnDetectionRefused, 4);
  } finally {
    await c.close();
    await standIn.close();
  }
});

Deno.test("stand-in ends a session at its maximum duration with session_expired", async () => {
  const standIn = await startRealtimeStandIn({ maxSessionMs: 150 });
  const c = await RawClient.open(`${standIn.url}?intent=transcription`, {
    headers: { Authorization: "Bearer sk-test" },
  });
  try {
    await c.next("session.created");
    const error = await c.next("error");
    assertEquals(error.error, {
      type: "invalid_request_error",
      code: "session_expired",
      message: "Your session hit the maximum duration of 150 ms.",
      param: null,
      event_id: null,
    });
    const closed = await c.closed;
    assertEquals(closed.code, 1000);
    assertEquals(standIn.stats.expired, 1);
  } finally {
    await c.close();
    await standIn.close();
  }
});

Deno.test("stand-in records every transcription prompt it receives", async () => {
  const standIn = await startRealtimeStandIn();
  const c = await RawClient.open(`${standIn.url}?intent=transcription`, {
    headers: { Authorization: "Bearer sk-test" },
  });
  try {
    await c.next("session.created");
    for (const prompt of ["Vocabulary: engine.ts, JobQueue.", undefined, "second"]) {
      c.send({
        type: "session.update",
        session: {
          type: "transcription",
          audio: {
            input: {
              transcription: { model: "gpt-live-transcribe", ...(prompt ? { prompt } : {}) },
            },
          },
        },
      });
      await c.next("session.updated");
    }
    assertEquals(standIn.stats.prompts, ["Vocabulary: engine.ts, JobQueue.", "second"]);
  } finally {
    await c.close();
    await standIn.close();
  }
});
