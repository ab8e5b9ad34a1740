import { assertEquals } from "@shared/testing/asserts.ts";
import {
  appendAudio,
  encodePcm16Base64,
  sessionUpdate,
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
            model: "gpt-4o-transcribe",
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
