import { assertEquals } from "@shared/testing/asserts.ts";
import { createUtterance } from "./job_ops.ts";

const NOW = Date.UTC(2026, 11, 3, 12, 0, 0);

Deno.test("createUtterance: optional fields only when given, in the record's key order", () => {
  const plain = createUtterance(
    { utterance_id: "u1", text: "echo hi", source: "api", session_id: undefined },
    ["j1"],
    NOW,
  );
  assertEquals(
    JSON.stringify(plain),
    JSON.stringify({
      utterance_id: "u1",
      text: "echo hi",
      source: "api",
      created_at: "2026-12-03T12:00:00.000Z",
      job_ids: ["j1"],
    }),
  );
  const usage = {
    provider: "anthropic",
    model: "m",
    input_tokens: 3,
    output_tokens: 1,
    cost_usd: 0.001,
  };
  const control = { action: "cancel" as const, job_ids: [], say: "Nothing to cancel" };
  const full = createUtterance(
    {
      router_usage: usage,
      control,
      session_id: "s1",
      unrouted: true,
      source: "voice",
      text: "cancel that",
      utterance_id: "u2",
    },
    [],
    NOW,
  );
  assertEquals(Object.keys(full), [
    "utterance_id",
    "text",
    "source",
    "created_at",
    "job_ids",
    "unrouted",
    "session_id",
    "control",
    "router_usage",
  ]);
  assertEquals(full.router_usage, usage);
  assertEquals(full.control, control);
  assertEquals(full.session_id, "s1");
  assertEquals(full.unrouted, true);
});

Deno.test("createUtterance: the record's job ids are its own copy", () => {
  const ids = ["j1", "j2"];
  const record = createUtterance({ utterance_id: "u", text: "t", source: "api" }, ids, NOW);
  ids.push("j3");
  assertEquals(record.job_ids, ["j1", "j2"]);
});
