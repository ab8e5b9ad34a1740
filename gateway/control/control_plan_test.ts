import { assertEquals } from "@shared/testing/asserts.ts";
import { type JobRecord, TaskSpec } from "@shared/schemas/mod.ts";
import { listIntents, planControl, sayFor, type SessionUtterance } from "./control_plan.ts";

let seq = 0;
const job = (utterance: string, intent: string, status: JobRecord["status"]): JobRecord => {
  const n = String(++seq).padStart(3, "0");
  return {
    job_id: `j${n}`,
    utterance_id: utterance,
    intent,
    spec: TaskSpec.parse({ intent, instruction: "x" }),
    priority: "interactive",
    status,
    attempts: 1,
    max_attempts: 3,
    created_at: `2026-01-01T00:00:00.${n}Z`,
  };
};

// Oldest utterance first as built; the plan takes them newest first.
const u1 = [job("u1", "coding", "running"), job("u1", "browser", "awaiting_confirmation")];
const u2 = [job("u2", "echo", "failed"), job("u2", "browser", "awaiting_confirmation")];
const u3 = [job("u3", "coding", "succeeded"), job("u3", "echo", "dead")];
const u4 = [job("u4", "echo", "succeeded")];
const session: SessionUtterance[] = [
  { utterance_id: "u4", jobs: u4 },
  { utterance_id: "u3", jobs: u3 },
  { utterance_id: "u2", jobs: u2 },
  { utterance_id: "u1", jobs: u1 },
];
const ids = (jobs: JobRecord[]) => jobs.map((j) => j.job_id);

Deno.test("planControl() picks by action, recency, age and named skill", () => {
  const table: [string, Parameters<typeof planControl>[0], JobRecord[]][] = [
    ["cancel: newest utterance with unfinished jobs", { action: "cancel" }, [u2[1]!]],
    [
      "cancel coding: newest with an unfinished coding job",
      { action: "cancel", intent: "coding" },
      [
        u1[0]!,
      ],
    ],
    ["confirm: the oldest paused job", { action: "confirm" }, [u1[1]!]],
    ["deny: the same rule", { action: "deny" }, [u1[1]!]],
    ["confirm echo: none paused", { action: "confirm", intent: "echo" }, []],
    ["retry: newest utterance with failed or dead jobs", { action: "retry" }, [u3[1]!]],
    ["retry coding: none failed", { action: "retry", intent: "coding" }, []],
    ["status: every unfinished job, oldest first", { action: "status" }, [u1[0]!, u1[1]!, u2[1]!]],
    ["status browser", { action: "status", intent: "browser" }, [u1[1]!, u2[1]!]],
  ];
  for (const [name, command, want] of table) {
    assertEquals(ids(planControl(command, session).targets), ids(want), name);
  }
  assertEquals(planControl({ action: "cancel" }, []).targets, [], "an empty session");
});

Deno.test("sayFor() answers in one short sentence", () => {
  const c = (intent: string, status: JobRecord["status"] = "cancelled") => ({ intent, status });
  const table: [Parameters<typeof sayFor>, string][] = [
    [
      ["cancel", [c("coding"), c("browser")], { hasSession: true }],
      "Cancelled 2 jobs: coding and browser.",
    ],
    [["cancel", [c("coding")], { hasSession: true }], "Cancelled the coding job."],
    [["cancel", [], { hasSession: true }], "Nothing to cancel."],
    [["cancel", [], { hasSession: true, intent: "coding" }], "No coding job to cancel."],
    [["cancel", [], { hasSession: false }], "Nothing to cancel: this request has no session."],
    [["confirm", [c("browser")], { hasSession: true }], "Approved the browser job."],
    [["deny", [c("browser")], { hasSession: true }], "Denied the browser job."],
    [["deny", [], { hasSession: true }], "Nothing is waiting for a confirmation."],
    [
      ["retry", [c("echo"), c("echo"), c("coding")], { hasSession: true }],
      "Retrying 3 jobs: 2 echo and coding.",
    ],
    [["retry", [], { hasSession: true }], "Nothing to retry."],
    [["status", [], { hasSession: true }], "Nothing is running."],
    [
      ["status", [c("coding", "running"), c("browser", "awaiting_confirmation")], {
        hasSession: true,
      }],
      "2 jobs: coding running and browser waiting for your yes or no.",
    ],
  ];
  for (const [args, want] of table) assertEquals(sayFor(...args), want);
  const many = Array.from({ length: 7 }, () => c("echo", "queued"));
  assertEquals(
    sayFor("status", many, { hasSession: true }),
    "7 jobs: echo queued, echo queued, echo queued, echo queued and 3 more.",
  );
  assertEquals(listIntents([{ intent: "a" }, { intent: "b" }, { intent: "c" }]), "a, b and c");
});
