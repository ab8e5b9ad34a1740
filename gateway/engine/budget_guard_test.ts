import { assertEquals } from "@shared/testing/asserts.ts";
import type { JobRecord, Usage } from "@shared/schemas/mod.ts";
import { BudgetGuard, otherJobsCost } from "./budget_guard.ts";

const usage = (cost_usd: number | null): Usage => ({
  provider: "anthropic",
  model: "m",
  input_tokens: 1,
  output_tokens: 1,
  cost_usd,
});

/** A store holding one utterance's jobs with the given costs (the first is ours). */
function store(costs: (number | null | undefined)[]) {
  const jobs = costs.map((c, i) => ({
    job_id: `j${i}`,
    utterance_id: "u1",
    ...(c === undefined ? {} : { usage: usage(c) }),
  })) as unknown as JobRecord[];
  let reads = 0;
  return {
    queue: {
      listByUtterance: (id: string) => {
        reads++;
        return Promise.resolve(jobs.filter((j) => j.utterance_id === id));
      },
    },
    job: { job_id: "j0", utterance_id: "u1" },
    reads: () => reads,
  };
}

Deno.test("otherJobsCost() sums the utterance's other jobs, unpriced and unbilled as zero", async () => {
  const s = store([5, 0.25, null, undefined, 0.5]);
  assertEquals(await otherJobsCost(s.queue, s.job), 0.75);
});

Deno.test("BudgetGuard: the per-job budget names the cost, the budget and the flag", () => {
  const s = store([]);
  const guard = new BudgetGuard({ ...s, perJob: 0.1 });
  assertEquals(guard.exceeded(usage(0.1)), undefined);
  assertEquals(guard.exceeded(usage(0.12)), {
    code: "budget_exceeded",
    message: "Job cost $0.1200 exceeds the per-job budget of $0.1000 (--max-cost-usd)",
    retryable: false,
  });
});

Deno.test("BudgetGuard: the per-utterance budget counts the other jobs once refreshed", async () => {
  const s = store([undefined, 0.3]);
  const guard = new BudgetGuard({ ...s, perUtterance: 0.5 });
  assertEquals(guard.exceeded(usage(0.25)), undefined, "before reading, others count zero");
  await guard.refresh();
  assertEquals(guard.exceeded(usage(0.25)), {
    code: "budget_exceeded",
    message: "Utterance cost $0.5500 exceeds its budget of $0.5000 (--max-cost-usd-per-utterance)",
    retryable: false,
  });
});

Deno.test("BudgetGuard: an unpriced usage passes, and without an utterance budget nothing is read", async () => {
  const s = store([undefined, 9]);
  const guard = new BudgetGuard({ ...s, perJob: 0.1 });
  assertEquals(guard.exceeded(usage(null)), undefined);
  assertEquals(guard.watchesUtterance, false);
  await guard.refresh();
  assertEquals(s.reads(), 0);
});
