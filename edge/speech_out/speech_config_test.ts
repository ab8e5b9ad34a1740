import { assertEquals, assertThrows } from "@shared/testing/asserts.ts";
import {
  NO_VOICE_NOTICE,
  planSpeech,
  SpeechConfigError,
  STANDIN_SPEECH_KEY,
} from "./speech_config.ts";

Deno.test("planSpeech() auto: OpenAI with a key, else espeak-ng, else off with the notice", () => {
  const cases = [
    {
      env: { OPENAI_API_KEY: "sk-1" },
      espeak: true,
      want: {
        engine: "openai",
        baseUrl: "https://api.openai.com/v1",
        apiKey: "sk-1",
        model: "gpt-4o-mini-tts",
        voice: "alloy",
      },
    },
    {
      env: { OPENAI_BASE_URL: "http://127.0.0.1:9/v1/" },
      espeak: false,
      want: {
        engine: "openai",
        baseUrl: "http://127.0.0.1:9/v1",
        apiKey: STANDIN_SPEECH_KEY,
        model: "gpt-4o-mini-tts",
        voice: "alloy",
      },
    },
    { env: { OPENAI_API_KEY: " " }, espeak: true, want: { engine: "espeak", voice: "en-us" } },
    { env: {}, espeak: false, want: { engine: "off", notice: NO_VOICE_NOTICE } },
    // A remote base URL without a key is no voice: it would refuse every sentence.
    {
      env: { OPENAI_BASE_URL: "https://proxy.example/v1" },
      espeak: true,
      want: { engine: "espeak", voice: "en-us" },
    },
  ] as const;
  for (const c of cases) {
    assertEquals(
      planSpeech({ mode: "auto", env: c.env, espeakInstalled: c.espeak }),
      c.want,
      JSON.stringify(c.env),
    );
  }
  assertEquals(planSpeech({ mode: "off", env: { OPENAI_API_KEY: "k" }, espeakInstalled: true }), {
    engine: "off",
  });
  assertEquals(
    planSpeech({
      mode: "espeak",
      voice: "en-gb",
      env: { OPENAI_API_KEY: "k" },
      espeakInstalled: true,
    }),
    { engine: "espeak", voice: "en-gb" },
  );
});

Deno.test("planSpeech() names what is missing for an explicit choice", () => {
  assertEquals(
    assertThrows(
      () => planSpeech({ mode: "openai", env: {}, espeakInstalled: true }),
      SpeechConfigError,
    ).message,
    "Cannot speak with OpenAI as 'OPENAI_API_KEY' is not set: set it, point OPENAI_BASE_URL at a local stand-in, or use --speak espeak",
  );
  assertEquals(
    assertThrows(
      () => planSpeech({ mode: "espeak", env: {}, espeakInstalled: false }),
      SpeechConfigError,
    ).message.startsWith("Cannot speak with espeak-ng as it is not installed: "),
    true,
  );
  assertEquals(
    assertThrows(
      () =>
        planSpeech({ mode: "auto", env: { OPENAI_BASE_URL: "ftp://x" }, espeakInstalled: true }),
      SpeechConfigError,
    ).message,
    "Cannot speak with OpenAI as 'OPENAI_BASE_URL' must be an http:// or https:// URL: current value is 'ftp://x'",
  );
});
