import { assertEquals } from "@shared/testing/asserts.ts";
import {
  DEFAULT_TRANSCRIPTION_MODEL,
  refusesServerTurnDetection,
  SERVER_VAD_MODEL,
  serverVadProblem,
  transcriptionModelRules,
} from "./transcription_models.ts";

Deno.test("transcriptionModelRules() knows each supported model and its dated snapshots", () => {
  const cases: [string, string, string, boolean, boolean][] = [
    // model, family, generation, server turn detection, prompt
    ["gpt-live-transcribe", "gpt-live-transcribe", "current", false, true],
    ["gpt-live-transcribe-2026-06-01", "gpt-live-transcribe", "current", false, true],
    ["gpt-realtime-whisper", "gpt-realtime-whisper", "current", false, false],
    ["gpt-4o-transcribe", "gpt-4o-transcribe", "legacy", true, true],
    ["gpt-4o-mini-transcribe-2025-12-15", "gpt-4o-mini-transcribe", "legacy", true, true],
    ["whisper-1", "whisper-1", "legacy", true, true],
    // Unknown names are sent as given: the provider's error is the authority.
    ["gpt-9-hypothetical", "gpt-9-hypothetical", "unknown", true, true],
    // A date suffix on an unknown name does not borrow a known family's rules.
    ["gpt-live-transcriber-2026-01-01", "gpt-live-transcriber-2026-01-01", "unknown", true, true],
  ];
  for (const [model, family, generation, serverTurnDetection, prompt] of cases) {
    assertEquals(
      transcriptionModelRules(model),
      { family, generation, serverTurnDetection, prompt },
      model,
    );
  }
});

Deno.test("the default model is the current generation, which refuses server turn detection", () => {
  assertEquals(DEFAULT_TRANSCRIPTION_MODEL, "gpt-live-transcribe");
  assertEquals(refusesServerTurnDetection(DEFAULT_TRANSCRIPTION_MODEL), true);
  assertEquals(refusesServerTurnDetection(SERVER_VAD_MODEL), false);
});

Deno.test("serverVadProblem() names a model with server VAD, and is silent for legacy ones", () => {
  assertEquals(
    serverVadProblem("gpt-live-transcribe"),
    "Cannot use --vad off with --model gpt-live-transcribe as it refuses server turn detection: keep --vad silero (the default), or name a model with server VAD such as --model gpt-4o-transcribe",
  );
  assertEquals(
    serverVadProblem("gpt-realtime-whisper"),
    "Cannot use --vad off with --model gpt-realtime-whisper as it refuses server turn detection: keep --vad silero (the default), or name a model with server VAD such as --model gpt-4o-transcribe",
  );
  for (const model of ["gpt-4o-transcribe", "gpt-4o-mini-transcribe", "whisper-1", "other"]) {
    assertEquals(serverVadProblem(model), undefined, model);
  }
});
