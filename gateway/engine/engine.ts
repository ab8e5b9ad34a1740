/**
 * @module
 * The execution engine: claims jobs from the queue within its slots (overall and per skill),
 * runs each attempt (`job_attempt.ts`: a sandboxed Web Worker with exactly the permissions its
 * skill declares, the lease kept, budgets guarded, artifacts written) and settles it
 * (`job_settler.ts`: the result, or the error with retries per the skill's policy). Cancels
 * and confirmation answers reach a running job here, or through the store (`steering.ts`).
 *
 * Construct with a queue, skills and a tracer, then `start()`; `stop()` drains gracefully.
 * `deno task gateway` runs one in the HTTP process; `deno task worker` runs one alone.
 *
 * ```ts
 * const engine = new Engine({ queue, skills: [echoSkill], tracer, dataDir: "data", skillContext });
 * engine.start();
 * ```
 */
import { getLogger } from "@logtape/logtape";
import type { JobRecord } from "@shared/schemas/mod.ts";
import type { JobQueue } from "../queue/queue.ts";
import { WorkSignal } from "../queue/work_signal.ts";
import type { Metrics } from "../metrics/metrics.ts";
import type { Tracer } from "../traces/tracer.ts";
import type { Skill, SkillContext } from "../skill_kit/skill.ts";
import { WorkerPool } from "./worker_pool.ts";
import { Steering } from "./steering.ts";
import type { LocalJob } from "./outcome.ts";
import { type AttemptDeps, runAttempt } from "./job_attempt.ts";
import { type SettleDeps, settleJob } from "./job_settler.ts";
import { claimGroups, type SkillLoad } from "./claim_room.ts";

const log = getLogger(["gateway", "engine"]);

export interface EngineOptions {
  queue: JobQueue;
  skills: readonly Skill[];
  skillContext: SkillContext;
  tracer: Tracer;
  metrics?: Metrics;
  /** Where artifacts go (`<dataDir>/artifacts/<job_id>/`). */
  dataDir: string;
  /** Lease owner prefix. @default "engine-<pid>" */
  owner?: string;
  /** Jobs running at once across all skills. @default 16 */
  concurrency?: number;
  /** @default 15000 */
  leaseMs?: number;
  /** @default leaseMs / 3 */
  heartbeatMs?: number;
  /** Time a worker gets to stop after an abort before it is terminated. @default 2000 */
  cancelGraceMs?: number;
  /** Budget guard per job, in USD. */
  maxCostUsdPerJob?: number;
  /** Budget guard per utterance (all its jobs), in USD. */
  maxCostUsdPerUtterance?: number;
  pool?: WorkerPool;
  random?: () => number;
  /**
   * Whether this engine also takes jobs of intents it has no worker for, to fail them at once
   * with `no_worker`. Right for an engine with every skill; an engine started with a subset
   * (`--skills`) must leave other intents to the processes that run them. @default true
   */
  claimUnknownIntents?: boolean;
  /**
   * How long a job waits in `awaiting_confirmation` before it fails with
   * `confirmation_timeout`: an unanswered question must not hold a skill's slot for ever.
   * @default 600000 (ten minutes)
   */
  confirmationTimeoutMs?: number;
}

/** Thrown by `confirm()` when the job is not waiting for a confirmation here. */
export class NotAwaitingConfirmationError extends Error {
  override name = "NotAwaitingConfirmationError";
}

export class Engine {
  readonly #o: EngineOptions;
  readonly #skills: Map<string, Skill>;
  readonly #pool: WorkerPool;
  readonly #owner: string;
  readonly #leaseMs: number;
  readonly #heartbeatMs: number;
  readonly #concurrency: number;
  readonly #running = new Map<string, number>();
  readonly #local = new Map<string, LocalJob>();
  readonly #slotFreed = new WorkSignal();
  readonly #tasks = new Set<Promise<void>>();
  #total = 0;
  #stopping = false;
  #loop: Promise<void> | undefined;
  #recoveryTimer: ReturnType<typeof setInterval> | undefined;
  readonly #steering = new Steering(
    { get: (id) => this.#o.queue.get(id), watchControl: (fn) => this.#o.queue.watchControl(fn) },
    (id) => this.#local.get(id),
    (message, jobId, err) =>
      log.warn(`${message} for {job_id}: {error}`, { job_id: jobId, error: String(err) }),
  );
  readonly #stopController = new AbortController();
  readonly #attemptDeps: AttemptDeps;
  readonly #settleDeps: SettleDeps;

  constructor(options: EngineOptions) {
    this.#o = options;
    this.#skills = new Map(options.skills.map((s) => [s.intent, s]));
    this.#pool = options.pool ?? new WorkerPool();
    this.#owner = options.owner ?? `engine-${Deno.pid}-${crypto.randomUUID().slice(0, 8)}`;
    this.#leaseMs = options.leaseMs ?? 15_000;
    this.#heartbeatMs = options.heartbeatMs ?? Math.max(10, Math.floor(this.#leaseMs / 3));
    this.#concurrency = options.concurrency ?? 16;
    this.#attemptDeps = {
      queue: options.queue,
      tracer: options.tracer,
      pool: this.#pool,
      skillContext: options.skillContext,
      dataDir: options.dataDir,
      leaseMs: this.#leaseMs,
      heartbeatMs: this.#heartbeatMs,
      cancelGraceMs: options.cancelGraceMs,
      maxCostUsdPerJob: options.maxCostUsdPerJob,
      maxCostUsdPerUtterance: options.maxCostUsdPerUtterance,
      confirmationTimeoutMs: options.confirmationTimeoutMs,
      onRunning: (local) => {
        this.#local.set(local.job.job_id, local);
        this.#steering.jobStarted(local.job.job_id);
      },
    };
    this.#settleDeps = {
      queue: options.queue,
      tracer: options.tracer,
      metrics: options.metrics,
      skillContext: options.skillContext,
      random: options.random,
      stopping: () => this.#stopping,
    };
  }

  /** Jobs running in this engine now. */
  get runningCount(): number {
    return this.#total;
  }

  start(): void {
    if (this.#loop) return;
    this.#loop = this.#claimLoop();
    const every = Math.max(20, Math.floor(this.#leaseMs / 2));
    this.#recoveryTimer = setInterval(() => void this.#recover(), every);
    // Cancels and confirmation answers given through any gateway process, at once.
    this.#steering.start();
  }

  /** Stops claiming, waits up to `graceMs` for running jobs, then aborts the rest. */
  async stop(options: { graceMs?: number } = {}): Promise<void> {
    this.#stopping = true;
    this.#stopController.abort();
    this.#slotFreed.notify();
    if (this.#recoveryTimer !== undefined) clearInterval(this.#recoveryTimer);
    this.#steering.stop();
    await this.#loop;
    const grace = options.graceMs ?? 10_000;
    const all = Promise.all([...this.#tasks]);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = await Promise.race([
      all.then(() => false),
      new Promise<boolean>((r) => (timer = setTimeout(() => r(true), grace))),
    ]);
    clearTimeout(timer);
    if (timedOut) {
      // Unfinished jobs go back to the queue, their attempt not counted, for another engine or
      // this one after a restart. Nothing is marked failed for a shutdown.
      for (const local of this.#local.values()) {
        local.abort("gateway shutting down", "error", {
          code: "shutdown",
          message: "The engine stopped before the job finished; it will run again",
          retryable: true,
        });
      }
      // An aborted worker gets `cancelGraceMs` to stop before it is terminated; only then is its
      // job handed back, so waiting less would leave the job leased until its lease lapses.
      const settleMs = (this.#o.cancelGraceMs ?? 2000) + 1000;
      let settleTimer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([all, new Promise((r) => (settleTimer = setTimeout(r, settleMs)))]);
      clearTimeout(settleTimer);
    }
    this.#pool.close();
  }

  /** Cancels a job: at once when waiting; a running job here gets an abort. */
  async cancel(jobId: string, reason = "cancelled by request"): Promise<JobRecord | null> {
    const job = await this.#o.queue.cancel(jobId, reason);
    if (!job) return null;
    const local = this.#local.get(jobId);
    if (local) local.abort(reason, "cancel");
    if (job.status === "cancelled" && !local) {
      this.#o.tracer.emit({
        source: "gateway.engine",
        event: "job.cancelled",
        job_id: job.job_id,
        utterance_id: job.utterance_id,
        data: { intent: job.intent, reason, attempts: job.attempts },
      });
    }
    return job;
  }

  /** Answers a job paused in `awaiting_confirmation` on this engine. */
  async confirm(jobId: string, decision: "allow" | "deny"): Promise<JobRecord> {
    const local = this.#local.get(jobId);
    if (!local?.confirm) {
      throw new NotAwaitingConfirmationError(
        `Cannot confirm job '${jobId}' as it is not awaiting a confirmation on this gateway`,
      );
    }
    await local.confirm(decision);
    return (await this.#o.queue.get(jobId))!;
  }

  async #recover(): Promise<void> {
    try {
      const moved = await this.#o.queue.recoverExpired();
      for (const job of moved) {
        const ids = { job_id: job.job_id, utterance_id: job.utterance_id };
        this.#o.tracer.emit({
          source: "gateway.engine",
          event: "job.recovered",
          ...ids,
          data: { intent: job.intent, status: job.status, attempts: job.attempts },
        });
        if (job.status === "dead" || job.status === "cancelled") {
          // Its engine is gone and will not report the end: say it here, so that the job
          // shows among finished jobs (job_runs, error rates) with its cost so far.
          this.#o.metrics?.jobsFailed.inc({ intent: job.intent, code: job.error?.code ?? "" });
          this.#o.tracer.emit({
            source: "gateway.engine",
            event: `job.${job.status}`,
            ...ids,
            ...(job.usage ? { usage: job.usage, cost_usd: job.usage.cost_usd } : {}),
            data: {
              intent: job.intent,
              attempts: job.attempts,
              error_code: job.error?.code ?? null,
              error: job.error?.message ?? null,
            },
          });
        }
      }
    } catch (err) {
      log.warn("Lease recovery failed: {error}", { error: String(err) });
    }
  }

  /** Each skill's load, for `claimGroups`. */
  *#loads(): Iterable<SkillLoad> {
    for (const skill of this.#skills.values()) {
      const running = this.#running.get(skill.intent) ?? 0;
      yield { intent: skill.intent, concurrency: skill.concurrency, running };
    }
  }

  /**
   * Claims as many jobs at once as there is room for (the store serves claims made together
   * in one round: one read and one write for the lot), and starts each.
   */
  async #claimLoop(): Promise<void> {
    const signal = this.#stopController.signal;
    while (!this.#stopping) {
      const groups = claimGroups(
        this.#loads(),
        this.#concurrency - this.#total,
        this.#o.claimUnknownIntents !== false,
      );
      if (groups.length === 0) {
        await this.#slotFreed.wait(1000, signal);
        continue;
      }
      const claims = await Promise.allSettled(groups.flatMap((group) => {
        const options = {
          owner: this.#owner,
          leaseMs: this.#leaseMs,
          ...(group.intents ? { intents: group.intents } : {}),
        };
        return Array.from({ length: group.count }, () => this.#o.queue.claim(options));
      }));
      let started = 0;
      let failure: unknown;
      for (const claim of claims) {
        if (claim.status === "rejected") failure ??= claim.reason;
        else if (claim.value) {
          started++;
          this.#start(claim.value);
        }
      }
      if (failure !== undefined) {
        log.error("Claim failed, retrying: {error}", { error: String(failure) });
        if (started === 0) await this.#o.queue.waitForWork(500, signal).catch(() => {});
        continue;
      }
      if (started === 0) await this.#o.queue.waitForWork(1000, signal);
    }
  }

  #start(job: JobRecord): void {
    const task = this.#run(job).catch((err) => {
      log.error("Job {job_id} handling failed: {error}", {
        job_id: job.job_id,
        error: String(err),
      });
    });
    this.#tasks.add(task);
    void task.finally(() => this.#tasks.delete(task));
  }

  async #run(job: JobRecord): Promise<void> {
    const token = job.lease!.token;
    const skill = this.#skills.get(job.intent);
    const tracer = this.#o.tracer;
    const ids = { job_id: job.job_id, utterance_id: job.utterance_id };
    if (!skill) {
      await this.#o.queue.fail(job.job_id, token, {
        code: "no_worker",
        message: `No worker is registered for intent '${job.intent}' (registered: ${
          [...this.#skills.keys()].join(", ") || "none"
        })`,
        retryable: false,
      }, { finalState: "failed" });
      this.#o.metrics?.jobsFailed.inc({ intent: job.intent, code: "no_worker" });
      tracer.emit({
        source: "gateway.engine",
        event: "job.failed",
        ...ids,
        duration_ms: 0,
        data: { intent: job.intent, error_code: "no_worker", attempts: job.attempts },
      });
      return;
    }
    this.#total++;
    this.#running.set(skill.intent, (this.#running.get(skill.intent) ?? 0) + 1);
    const started = performance.now();
    tracer.emit({
      source: "gateway.engine",
      event: "job.started",
      ...ids,
      data: { intent: job.intent, attempt: job.attempts, owner: this.#owner },
    });
    try {
      const run = await runAttempt(this.#attemptDeps, job, token, skill);
      await settleJob(this.#settleDeps, { job, token, skill, ...run, started });
    } finally {
      this.#total--;
      this.#running.set(skill.intent, (this.#running.get(skill.intent) ?? 1) - 1);
      this.#local.delete(job.job_id);
      this.#slotFreed.notify();
      if (skill.cleanup) {
        await skill.cleanup(job, this.#o.skillContext).catch((err) =>
          log.warn("Cleanup of {job_id} failed: {error}", {
            job_id: job.job_id,
            error: String(err),
          })
        );
      }
    }
  }
}
