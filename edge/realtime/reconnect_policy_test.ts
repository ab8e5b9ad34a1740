import { assertEquals, assertStringIncludes } from "@shared/testing/asserts.ts";
import {
  type ConnectionEnd,
  decideReconnect,
  INITIAL_RECONNECT_STATE,
  isAuthErrorCode,
  isAuthHandshakeError,
  judgeErrorEvent,
  type ReconnectState,
} from "./reconnect_policy.ts";

const mid = () => 0.5; // no jitter
const policy = { baseDelayMs: 100, maxDelayMs: 1000, youngMs: 2000, maxYoungDeaths: 3 };

Deno.test("decideReconnect() follows each kind of connection end", () => {
  type Case = { name: string; state: ReconnectState; end: ConnectionEnd; expect: string };
  const cases: Case[] = [
    {
      name: "network down keeps retrying with growing delays",
      state: { attempt: 6, youngDeaths: 0 },
      end: { kind: "unreachable", detail: "connection refused" },
      expect: "retry 1000 attempt=7 young=0",
    },
    {
      name: "first unreachable",
      state: INITIAL_RECONNECT_STATE,
      end: { kind: "unreachable", detail: "refused" },
      expect: "retry 100 attempt=1 young=0",
    },
    {
      name: "auth gives up at once",
      state: INITIAL_RECONNECT_STATE,
      end: { kind: "auth", detail: "HTTP 401" },
      expect: "give_up",
    },
    {
      name: "a long-lived connection resets the counts",
      state: { attempt: 2, youngDeaths: 2 },
      end: { kind: "closed", livedMs: 60_000, detail: "1006" },
      expect: "retry 100 attempt=1 young=0",
    },
    {
      name: "a young death counts",
      state: { attempt: 1, youngDeaths: 1 },
      end: { kind: "closed", livedMs: 50, detail: "1011" },
      expect: "retry 200 attempt=2 young=2",
    },
    {
      name: "too many young deaths give up",
      state: { attempt: 2, youngDeaths: 2 },
      end: { kind: "closed", livedMs: 50, detail: "1011 bad session" },
      expect: "give_up",
    },
    {
      name: "rotation reconnects at once",
      state: { attempt: 3, youngDeaths: 1 },
      end: { kind: "rotation" },
      expect: "retry 0 attempt=0 young=0",
    },
  ];
  for (const c of cases) {
    const d = decideReconnect(c.state, c.end, policy, mid);
    const got = d.action === "retry"
      ? `retry ${d.delayMs} attempt=${d.state.attempt} young=${d.state.youngDeaths}`
      : "give_up";
    assertEquals(got, c.expect, c.name);
  }
  const auth = decideReconnect(INITIAL_RECONNECT_STATE, { kind: "auth", detail: "HTTP 401" });
  assertEquals(
    auth.action === "give_up" ? auth.reason : "",
    "the Realtime API refused the credentials (HTTP 401): check OPENAI_API_KEY; a bad key is not a network blip, so no retry",
  );
  const young = decideReconnect({ attempt: 2, youngDeaths: 2 }, {
    kind: "closed",
    livedMs: 10,
    detail: "code 1011",
  }, policy);
  assertStringIncludes(
    young.action === "give_up" ? young.reason : "",
    "died within 2000 ms of opening 3 times in a row (last: code 1011)",
  );
});

Deno.test("auth detection reads handshake statuses and error codes", () => {
  const handshake: [string, boolean][] = [
    ["NetworkError: failed to connect to WebSocket: Invalid status code: 401", true],
    ["NetworkError: failed to connect to WebSocket: Invalid status code: 403 Forbidden", true],
    ["NetworkError: failed to connect to WebSocket: Invalid status code: 500", false],
    ["NetworkError: failed to connect to WebSocket: Connection refused (os error 111)", false],
  ];
  for (const [m, expected] of handshake) assertEquals(isAuthHandshakeError(m), expected, m);
  assertEquals(isAuthErrorCode("invalid_api_key"), true);
  assertEquals(isAuthErrorCode(null, "authentication_error"), true);
  assertEquals(isAuthErrorCode("input_audio_buffer_commit_empty", "invalid_request_error"), false);
});

Deno.test("judgeErrorEvent() gives up on refused credentials or settings, fails a refused commit", () => {
  const about = { sessionUpdate: false, commit: false };
  const bad = {
    type: "invalid_request_error",
    message: "Incorrect API key",
    code: "invalid_api_key",
  };
  assertEquals(judgeErrorEvent(bad, { sessionUpdate: true, commit: true }), {
    action: "give_up",
    reason: "the Realtime API refused the credentials: Incorrect API key",
  });
  const settings = { type: "invalid_request_error", message: "Unknown model", code: "bad_model" };
  assertEquals(judgeErrorEvent(settings, { ...about, sessionUpdate: true }), {
    action: "give_up",
    reason: "the Realtime API rejected the session settings: Unknown model (bad_model)",
  });
  const empty = { type: "invalid_request_error", message: "buffer too small", code: null };
  assertEquals(judgeErrorEvent(empty, { ...about, commit: true }), {
    action: "segment_failed",
    reason: "commit refused: buffer too small",
  });
  assertEquals(judgeErrorEvent(empty, about), { action: "log" });
});
