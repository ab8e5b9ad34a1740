import { assertEquals } from "@shared/testing/asserts.ts";
import { classifyResponse, parseRetryAfter } from "./delivery_policy.ts";

Deno.test("classifyResponse() maps gateway answers to outbox actions", () => {
  const cases: [number, string | null, unknown][] = [
    [202, null, { kind: "acknowledged" }],
    [200, null, { kind: "acknowledged" }],
    [422, null, { kind: "rejected" }],
    [400, null, { kind: "rejected" }],
    [413, null, { kind: "rejected" }],
    [404, null, { kind: "rejected" }],
    [401, null, { kind: "unauthorized" }],
    [403, null, { kind: "unauthorized" }],
    [408, null, { kind: "retry" }],
    [429, "2", { kind: "retry", retryAfterMs: 2000 }],
    [500, null, { kind: "retry" }],
    [503, "0.5", { kind: "retry", retryAfterMs: 500 }],
    [503, "soon", { kind: "retry" }],
  ];
  for (const [status, retryAfter, expected] of cases) {
    assertEquals(classifyResponse(status, retryAfter), expected, `HTTP ${status}`);
  }
});

Deno.test("parseRetryAfter() reads seconds and HTTP dates, capped at 5 minutes", () => {
  const now = Date.parse("2025-01-01T00:00:00Z");
  assertEquals(parseRetryAfter("3", now), 3000);
  assertEquals(parseRetryAfter("Wed, 01 Jan 2025 00:00:10 GMT", now), 10_000);
  assertEquals(parseRetryAfter("Tue, 31 Dec 2024 23:59:00 GMT", now), 0);
  assertEquals(parseRetryAfter("99999", now), 300_000);
  assertEquals(parseRetryAfter(undefined, now), undefined);
  assertEquals(parseRetryAfter("later", now), undefined);
});
