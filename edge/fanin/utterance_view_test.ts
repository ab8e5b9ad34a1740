import { assertEquals } from "@shared/testing/asserts.ts";
import {
  formatJobLine,
  formatUtteranceResult,
  isFinalStatus,
  UtteranceView,
} from "./utterance_view.ts";

Deno.test("isFinalStatus() knows the final statuses and treats unknown ones as not final", () => {
  const cases: [string, boolean][] = [
    ["succeeded", true],
    ["failed", true],
    ["cancelled", true],
    ["command", true],
    // A job can be dead; an utterance cannot (its dead jobs make it failed or partial).
    ["dead", false],
    ["partial", true],
    ["unrouted", true],
    ["running", false],
    ["queued", false],
    ["awaiting_approval", false],
  ];
  for (const [status, final] of cases) assertEquals(isFinalStatus(status), final, status);
});

Deno.test("formatUtteranceResult() prints each job's result or error and the total cost", () => {
  const view = UtteranceView.parse({
    utterance_id: "u1",
    text: "Refactor the router and open the dashboard",
    status: "partial",
    jobs: [
      {
        job_id: "j1",
        intent: "coding",
        status: "succeeded",
        result: { summary: "patch proposed for router.ts", artifacts: [] },
        usage: {
          provider: "anthropic",
          model: "m",
          input_tokens: 10,
          output_tokens: 5,
          cost_usd: 0.0123,
        },
      },
      { job_id: "j2", intent: "browser", status: "failed", error: { message: "page\n timed out" } },
    ],
    usage: {
      provider: "mixed",
      model: "mixed",
      input_tokens: 10,
      output_tokens: 5,
      cost_usd: 0.0123,
    },
    extra_field: true,
  });
  assertEquals(formatUtteranceResult(view), [
    "“Refactor the router and open the dashboard” → partial (2 jobs)",
    "  ✓ coding j1: patch proposed for router.ts ($0.01)",
    "  ✗ browser j2 failed: page timed out",
    "  total cost $0.01 (10 in / 5 out tokens)",
  ]);
  assertEquals(
    formatJobLine({
      job_id: "j3",
      intent: "echo",
      status: "succeeded",
      usage: { cost_usd: 0.0004 },
    }),
    "  ✓ echo j3: done ($0.0004)",
  );
});

Deno.test("formatJobLine() shows where a job's artifacts are", () => {
  assertEquals(
    formatJobLine({
      job_id: "j4",
      intent: "coding",
      status: "succeeded",
      result: {
        summary: "Patch proposal for src/router.ts",
        artifacts: [{ name: "patch.diff", path: "artifacts/j4/patch.diff" }],
      },
    }),
    "  ✓ coding j4: Patch proposal for src/router.ts\n      artifacts: artifacts/j4/patch.diff",
  );
  assertEquals(
    formatJobLine({
      job_id: "j4",
      intent: "coding",
      status: "succeeded",
      result: {
        summary: "Patch",
        artifacts: [{ name: "patch.diff", path: "artifacts/j4/patch.diff" }],
      },
    }, "http://127.0.0.1:8787/"),
    "  ✓ coding j4: Patch\n      artifacts: http://127.0.0.1:8787/artifacts/j4/patch.diff",
  );
});

Deno.test("formatUtteranceResult() says 'unpriced' for a job and a total without a price", () => {
  const job = (id: string, cost: number | null) => ({
    job_id: id,
    intent: "coding",
    status: "succeeded",
    usage: {
      provider: "anthropic",
      model: "m",
      input_tokens: 10,
      output_tokens: 5,
      cost_usd: cost,
    },
  });
  const view = UtteranceView.parse({
    utterance_id: "u1",
    text: "Refactor the router",
    status: "succeeded",
    jobs: [job("j1", null), job("j2", 0.5)],
  });
  assertEquals(formatUtteranceResult(view), [
    "“Refactor the router” → succeeded (2 jobs)",
    "  ✓ coding j1: done (unpriced)",
    "  ✓ coding j2: done ($0.50)",
    "  total cost unpriced",
  ]);
  const summed = UtteranceView.parse({
    ...view,
    usage: {
      provider: "anthropic",
      model: "m",
      input_tokens: 20,
      output_tokens: 10,
      cost_usd: null,
    },
  });
  assertEquals(
    formatUtteranceResult(summed).at(-1),
    "  total cost unpriced (20 in / 10 out tokens)",
  );
});
