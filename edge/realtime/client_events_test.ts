import { assertEquals, assertThrows } from "@shared/testing/asserts.ts";
import {
  appendAudio,
  encodePcm16Base64,
  SessionSettingsError,
  sessionUpdate,
  transcriptionUpdate,
  transcriptionUrl,
} from "./client_events.ts";

Deno.test("sessionUpdate() builds a GA transcription session for each turn detection mode", () => {
  assertEquals(sessionUpdate({ language: "en", prompt: "deploy, dashboard" }, "evt_1"), {
    type: "session.update",
    event_id: "evt_1",
    session: {
      type: "transcription",
      audio: {
        input: {
          format: { type: "audio/pcm", rate: 24000 },
          transcription: {
            model: "gpt-live-transcribe",
            language: "en",
            prompt: "deploy, dashboard",
          },
          turn_detection: null,
        },
      },
    },
  });
  const serverVad = sessionUpdate({
    model: "gpt-4o-mini-transcribe",
    turnDetection: "server_vad",
    serverVad: { silence_duration_ms: 400 },
  });
  assertEquals(serverVad.session.audio?.input, {
    format: { type: "audio/pcm", rate: 24000 },
    transcription: { model: "gpt-4o-mini-transcribe" },
    turn_detection: { type: "server_vad", silence_duration_ms: 400 },
  });
});

Deno.test("sessionUpdate() follows each model's rules for turn detection and the prompt", () => {
  const input = (settings: Parameters<typeof sessionUpdate>[0]) =>
    sessionUpdate(settings).session.audio?.input as Record<string, unknown>;
  const cases: [string, "client" | "server_vad", unknown, string | undefined][] = [
    // model, mode, turn_detection sent, prompt sent
    ["gpt-live-transcribe", "client", null, "Vocabulary: engine.ts."],
    ["gpt-live-transcribe-2026-06-01", "client", null, "Vocabulary: engine.ts."],
    ["gpt-realtime-whisper", "client", null, undefined],
    ["gpt-4o-transcribe", "client", null, "Vocabulary: engine.ts."],
    ["gpt-4o-transcribe", "server_vad", { type: "server_vad" }, "Vocabulary: engine.ts."],
    [
      "gpt-4o-mini-transcribe-2025-12-15",
      "server_vad",
      { type: "server_vad" },
      "Vocabulary: engine.ts.",
    ],
    ["whisper-1", "server_vad", { type: "server_vad" }, "Vocabulary: engine.ts."],
  ];
  for (const [model, mode, turnDetection, prompt] of cases) {
    const got = input({ model, turnDetection: mode, prompt: "Vocabulary: engine.ts." });
    assertEquals(got.turn_detection, turnDetection, `${model} ${mode}`);
    assertEquals(
      (got.transcription as { prompt?: string }).prompt,
      prompt,
      `${model} prompt`,
    );
  }
  // Models that refuse server turn detection are never sent one, not even by a replay override.
  for (const model of ["gpt-live-transcribe", "gpt-realtime-whisper"]) {
    assertThrows(
      () => sessionUpdate({ model, turnDetection: "server_vad" }),
      SessionSettingsError,
      `Cannot use server turn detection with ${model} as the model refuses it: use client VAD (turnDetection "client") or a model with server VAD such as gpt-4o-transcribe`,
    );
    assertThrows(
      () => sessionUpdate({ model }, undefined, "server_vad"),
      SessionSettingsError,
      "refuses it",
    );
  }
});

Deno.test("transcriptionUpdate() changes the prompt alone, leaving format and turn detection", () => {
  assertEquals(
    transcriptionUpdate(
      { model: "gpt-4o-transcribe", turnDetection: "server_vad", prompt: "Vocabulary: x_y." },
      "evt_p",
    ),
    {
      type: "session.update",
      event_id: "evt_p",
      session: {
        type: "transcription",
        audio: {
          input: { transcription: { model: "gpt-4o-transcribe", prompt: "Vocabulary: x_y." } },
        },
      },
    },
  );
  // A model that takes no prompt gets none here either.
  assertEquals(
    transcriptionUpdate({ model: "gpt-realtime-whisper", prompt: "p" }).session.audio?.input,
    { transcription: { model: "gpt-realtime-whisper" } },
  );
});

Deno.test("encodePcm16Base64() writes little-endian PCM16", () => {
  const samples = new Int16Array([1, -1, 256, 0x7fff]);
  const bytes = Uint8Array.fromBase64(encodePcm16Base64(samples));
  assertEquals([...bytes], [1, 0, 0xff, 0xff, 0, 1, 0xff, 0x7f]);
  // A view into a larger buffer encodes only its own samples.
  const view = new Int16Array([9, 9, 1, 2, 9]).subarray(2, 4);
  assertEquals(appendAudio(view).audio, encodePcm16Base64(new Int16Array([1, 2])));
});

Deno.test("transcriptionUrl() asks for a transcription session without a model", () => {
  const cases: [string, string][] = [
    ["wss://api.openai.com/v1/realtime", "wss://api.openai.com/v1/realtime?intent=transcription"],
    [
      "wss://api.openai.com/v1/realtime?model=gpt-realtime",
      "wss://api.openai.com/v1/realtime?intent=transcription",
    ],
    ["http://127.0.0.1:9000/v1/realtime", "ws://127.0.0.1:9000/v1/realtime?intent=transcription"],
  ];
  for (const [input, expected] of cases) assertEquals(transcriptionUrl(input), expected, input);
});
