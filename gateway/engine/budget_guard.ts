/**
 * @module
 * The cost budgets of a running job (`--max-cost-usd` per job, `--max-cost-usd-per-utterance`
 * for all jobs of one utterance): checked on every usage report, with what the utterance's
 * other jobs have spent read from the store, since they run at the same time. Models without a
 * price are refused before a job starts (`price_guard.ts`), so an unpriced report passes here.
 */
import type { JobError, JobRecord, Usage } from "@shared/schemas/mod.ts";
import type { JobQueue } from "../queue/queue.ts";

export interface BudgetGuardOptions {
  queue: Pick<JobQueue, "listByUtterance">;
  job: Pick<JobRecord, "job_id" | "utterance_id">;
  perJob?: number | undefined;
  perUtterance?: number | undefined;
}

/** What the other jobs of `job`'s utterance have cost so far. */
export async function otherJobsCost(
  queue: Pick<JobQueue, "listByUtterance">,
  job: Pick<JobRecord, "job_id" | "utterance_id">,
): Promise<number> {
  const jobs = await queue.listByUtterance(job.utterance_id);
  return jobs.filter((j) => j.job_id !== job.job_id)
    .reduce((sum, j) => sum + (j.usage?.cost_usd ?? 0), 0);
}

/** The budgets of one job; `exceeded()` is pure, `refresh()` reads the store. */
export class BudgetGuard {
  readonly #o: BudgetGuardOptions;
  #otherCost = 0;

  constructor(options: BudgetGuardOptions) {
    this.#o = options;
  }

  /** Whether the utterance's other jobs count (a per-utterance budget is set). */
  get watchesUtterance(): boolean {
    return this.#o.perUtterance !== undefined;
  }

  /** Reads what the utterance's other jobs have spent (only with a per-utterance budget). */
  async refresh(): Promise<void> {
    if (this.watchesUtterance) this.#otherCost = await otherJobsCost(this.#o.queue, this.#o.job);
  }

  /** The `budget_exceeded` error when `usage` (this job's, all attempts) breaks a budget. */
  exceeded(usage: Usage): JobError | undefined {
    const { perJob, perUtterance } = this.#o;
    if (usage.cost_usd === null) return undefined;
    if (perJob !== undefined && usage.cost_usd > perJob) {
      return {
        code: "budget_exceeded",
        message: `Job cost $${usage.cost_usd.toFixed(4)} exceeds the per-job budget of $${
          perJob.toFixed(4)
        } (--max-cost-usd)`,
        retryable: false,
      };
    }
    if (perUtterance !== undefined && usage.cost_usd + this.#otherCost > perUtterance) {
      return {
        code: "budget_exceeded",
        message: `Utterance cost $${
          (usage.cost_usd + this.#otherCost).toFixed(4)
        } exceeds its budget of $${perUtterance.toFixed(4)} (--max-cost-usd-per-utterance)`,
        retryable: false,
      };
    }
    return undefined;
  }
}
