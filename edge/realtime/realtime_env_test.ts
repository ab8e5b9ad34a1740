import { assertEquals, assertThrows } from "@shared/testing/asserts.ts";
import {
  MissingApiKeyError,
  RealtimeConfigError,
  realtimeEnv,
  STANDIN_PLACEHOLDER_KEY,
} from "./realtime_env.ts";

Deno.test("realtimeEnv() reads the key and URL, and needs no key for a loopback stand-in", () => {
  assertEquals(realtimeEnv({ OPENAI_API_KEY: "sk-1" }), {
    apiKey: "sk-1",
    url: "wss://api.openai.com/v1/realtime",
  });
  assertEquals(realtimeEnv({ OPENAI_REALTIME_URL: "ws://127.0.0.1:9100/v1/realtime" }), {
    apiKey: STANDIN_PLACEHOLDER_KEY,
    url: "ws://127.0.0.1:9100/v1/realtime",
  });
  assertThrows(
    () => realtimeEnv({ OPENAI_API_KEY: "" }),
    MissingApiKeyError,
    "Cannot connect to wss://api.openai.com/v1/realtime as 'OPENAI_API_KEY' is not set: set it, or point OPENAI_REALTIME_URL at a local stand-in",
  );
  const badUrl = assertThrows(
    () => realtimeEnv({ OPENAI_API_KEY: "k", OPENAI_REALTIME_URL: "ftp://x" }),
    RealtimeConfigError,
    "Cannot configure the Realtime client as 'OPENAI_REALTIME_URL' must be a ws:// or wss:// URL: current value is 'ftp://x'",
  );
  // A bad URL is not a missing key: the edge must not run on without transcription for it.
  assertEquals(badUrl instanceof MissingApiKeyError, false);
});
