/**
 * @module
 * The execution engine: claims jobs from the queue, runs each in a sandboxed Web Worker with
 * exactly the permissions its skill declares, renews the lease while it runs, and turns the
 * worker's messages into job state: progress, usage (with budget guards), artifacts written
 * under `<data-dir>/artifacts/<job_id>/`, confirmation pauses, and the final result or error
 * with retries per the skill's policy.
 *
 * Construct with a queue, skills and a tracer, then `start()`; `stop()` drains gracefully.
 * `deno task gateway` runs one in the HTTP process; `deno task worker` runs one alone.
 *
 * ```ts
 * const engine = new Engine({ queue, skills: [echoSkill], tracer, dataDir: "data", skillContext });
 * engine.start();
 * ```
 */
import { redactText } from "@shared/logging/redact.ts";
import { getLogger } from "@logtape/logtape";
import { join } from "node:path";
import {
  type Artifact,
  FromWorker,
  type JobError,
  type JobRecord,
  type JobResult,
  sumUsage,
  type Usage,
} from "@shared/schemas/mod.ts";
import type { JobQueue } from "../queue/queue.ts";
import { WorkSignal } from "../queue/work_signal.ts";
import type { Metrics } from "../metrics/metrics.ts";
import type { Tracer } from "../traces/tracer.ts";
import type { JsonValue } from "@shared/schemas/mod.ts";
import type { Skill, SkillContext } from "../skill_kit/skill.ts";
import { backoffDelay } from "./backoff.ts";
import { type PooledWorker, WorkerPool } from "./worker_pool.ts";
import { WorkerError } from "../skill_kit/worker_errors.ts";
import { requirePriceForBudgets, unpricedWarning } from "./price_guard.ts";
import { applySteering, Steering } from "./steering.ts";

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

type Outcome =
  | { kind: "result"; result: JobResult }
  | { kind: "error"; error: JobError; workerHealthy: boolean }
  | { kind: "cancelled"; reason: string }
  | { kind: "lease_lost" };

interface LocalJob {
  job: JobRecord;
  token: string;
  abort(reason: string, kind: "cancel" | "error", error?: JobError): void;
  confirm?: ((decision: "allow" | "deny") => Promise<boolean>) | undefined;
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

  constructor(options: EngineOptions) {
    this.#o = options;
    this.#skills = new Map(options.skills.map((s) => [s.intent, s]));
    this.#pool = options.pool ?? new WorkerPool();
    this.#owner = options.owner ?? `engine-${Deno.pid}-${crypto.randomUUID().slice(0, 8)}`;
    this.#leaseMs = options.leaseMs ?? 15_000;
    this.#heartbeatMs = options.heartbeatMs ?? Math.max(10, Math.floor(this.#leaseMs / 3));
    this.#concurrency = options.concurrency ?? 16;
  }

  /** Jobs running in this engine now. */
  get runningCount(): number {
    return this.#total;
  }

  get skills(): ReadonlyMap<string, Skill> {
    return this.#skills;
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
      await Promise.race([all, new Promise((r) => setTimeout(r, 1000))]);
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

  #freeIntents(): string[] | undefined {
    const free: string[] = [];
    for (const skill of this.#skills.values()) {
      if ((this.#running.get(skill.intent) ?? 0) < skill.concurrency) free.push(skill.intent);
    }
    // When every skill has room, claim unfiltered so that jobs for unknown intents are taken
    // too and fail at once with `no_worker` instead of waiting forever.
    const unfiltered = free.length === this.#skills.size && this.#o.claimUnknownIntents !== false;
    return unfiltered ? undefined : free;
  }

  async #claimLoop(): Promise<void> {
    const signal = this.#stopController.signal;
    while (!this.#stopping) {
      if (this.#total >= this.#concurrency) {
        await this.#slotFreed.wait(1000, signal);
        continue;
      }
      const intents = this.#freeIntents();
      if (intents && intents.length === 0) {
        await this.#slotFreed.wait(1000, signal);
        continue;
      }
      let job: JobRecord | null;
      try {
        job = await this.#o.queue.claim({
          owner: this.#owner,
          leaseMs: this.#leaseMs,
          ...(intents ? { intents } : {}),
        });
      } catch (err) {
        log.error("Claim failed, retrying: {error}", { error: String(err) });
        await this.#o.queue.waitForWork(500, signal).catch(() => {});
        continue;
      }
      if (!job) {
        await this.#o.queue.waitForWork(1000, signal);
        continue;
      }
      const task = this.#run(job).catch((err) => {
        log.error("Job {job_id} handling failed: {error}", {
          job_id: job.job_id,
          error: String(err),
        });
      });
      this.#tasks.add(task);
      void task.finally(() => this.#tasks.delete(task));
    }
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
    let usage: Usage | undefined;
    try {
      const run = await this.#execute(job, token, skill);
      usage = run.usage;
      await this.#settle(job, token, skill, run.outcome, run.artifacts, usage, started);
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

  async #execute(
    job: JobRecord,
    token: string,
    skill: Skill,
  ): Promise<{ outcome: Outcome; artifacts: Artifact[]; usage: Usage | undefined }> {
    const artifacts: Artifact[] = [];
    const usages = new Map<string, Usage>();
    // A retried job carries what its earlier attempts spent: the record shows the job's whole
    // cost, and the budget guard counts every attempt, not only this one.
    const earlier = job.usage ? [job.usage] : [];
    const currentUsage = () => sumUsage([...earlier, ...usages.values()]);
    let pooled: PooledWorker;
    let config: Record<string, JsonValue>;
    // Preparing a skill and starting its worker can take seconds on a loaded machine (a Web
    // Worker compiles its modules, a browser driver starts Chromium): keep the lease meanwhile,
    // or another engine would take the job over before it even began.
    let lostWhilePreparing = false;
    const preparing = setInterval(() => {
      this.#o.queue.heartbeat(job.job_id, token, this.#leaseMs)
        .then((held) => {
          if (!held) lostWhilePreparing = true;
        })
        .catch(() => {/* a failed renewal is retried on the next tick */});
    }, this.#heartbeatMs);
    try {
      requirePriceForBudgets(skill.pricedModel?.(this.#o.skillContext, job), {
        perJob: this.#o.maxCostUsdPerJob,
        perUtterance: this.#o.maxCostUsdPerUtterance,
      });
      const prepared = skill.prepare ? await skill.prepare(job, this.#o.skillContext) : {};
      config = { ...skill.config(this.#o.skillContext, job), ...prepared };
      pooled = await this.#pool.acquire(skill.worker, skill.permissions(this.#o.skillContext, job));
    } catch (err) {
      clearInterval(preparing);
      // A skill's preparation may say the job cannot run (no key, no workspace): keep its code.
      const error = err instanceof WorkerError
        ? {
          code: err.code,
          message: err.message,
          retryable: err.retryable,
          ...(err.retryAfterMs !== undefined ? { retry_after_ms: err.retryAfterMs } : {}),
        }
        : {
          code: "worker_start_failed",
          message: err instanceof Error ? err.message : String(err),
          retryable: true,
        };
      return {
        outcome: { kind: "error", workerHealthy: true, error },
        artifacts,
        usage: currentUsage(),
      };
    }
    clearInterval(preparing);
    if (lostWhilePreparing) {
      this.#pool.release(pooled);
      return { outcome: { kind: "lease_lost" }, artifacts, usage: currentUsage() };
    }
    // What the utterance's other jobs have spent: read now, and again after each usage report,
    // because they run at the same time (a coding and a browser job from one sentence).
    let otherCost = this.#o.maxCostUsdPerUtterance === undefined ? 0 : await this.#otherCost(job);
    const worker = pooled.worker;
    const queue = this.#o.queue;
    const tracer = this.#o.tracer;
    const ids = { job_id: job.job_id, utterance_id: job.utterance_id };
    let warnedUnpriced = false;
    let writes: Promise<void> = Promise.resolve();
    let progressTimer: ReturnType<typeof setTimeout> | undefined;
    let pendingProgress: JobRecord["progress"];

    const outcome = await new Promise<Outcome>((resolve) => {
      let settled = false;
      let abortedAs: { kind: "cancel" | "error"; reason: string; error?: JobError } | undefined;
      let graceTimer: ReturnType<typeof setTimeout> | undefined;
      let timeoutTimer: ReturnType<typeof setTimeout> | undefined;
      let timeoutLeft = skill.retry.timeout_ms;
      let timeoutStarted = performance.now();
      let healthy = true;

      const finish = (o: Outcome) => {
        if (settled) return;
        settled = true;
        clearInterval(heartbeat);
        clearTimeout(timeoutTimer);
        clearTimeout(graceTimer);
        worker.removeEventListener("message", onMessage);
        worker.removeEventListener("error", onError);
        worker.removeEventListener("messageerror", onMessageError);
        if (o.kind === "result" || (o.kind === "error" && o.workerHealthy && healthy)) {
          this.#pool.release(pooled);
        } else {
          this.#pool.discard(pooled);
        }
        resolve(o);
      };

      const abort = (reason: string, kind: "cancel" | "error", error?: JobError) => {
        if (settled || abortedAs) return;
        abortedAs = { kind, reason, ...(error ? { error } : {}) };
        healthy = false;
        worker.postMessage({ type: "abort", job_id: job.job_id, reason });
        graceTimer = setTimeout(() => {
          finish(
            kind === "cancel"
              ? { kind: "cancelled", reason }
              : { kind: "error", workerHealthy: false, error: error! },
          );
        }, this.#o.cancelGraceMs ?? 2000);
      };

      const armTimeout = () => {
        timeoutStarted = performance.now();
        timeoutTimer = setTimeout(() => {
          abort(`timed out after ${skill.retry.timeout_ms} ms`, "error", {
            code: "timeout",
            message: `Job exceeded its timeout of ${skill.retry.timeout_ms} ms`,
            retryable: true,
          });
        }, timeoutLeft);
      };
      armTimeout();

      const local: LocalJob = { job, token, abort };
      this.#local.set(job.job_id, local);
      this.#steering.jobStarted(job.job_id);

      const heartbeat = setInterval(async () => {
        try {
          const held = await queue.heartbeat(job.job_id, token, this.#leaseMs);
          if (!held) {
            abortedAs = { kind: "error", reason: "lease lost" };
            worker.postMessage({ type: "abort", job_id: job.job_id, reason: "lease lost" });
            finish({ kind: "lease_lost" });
            return;
          }
          // A cancel or an answer given through another gateway process is on the record.
          applySteering(local, await queue.get(job.job_id));
        } catch (err) {
          log.warn("Heartbeat for {job_id} failed: {error}", {
            job_id: job.job_id,
            error: String(err),
          });
        }
      }, this.#heartbeatMs);

      const checkBudget = (u: Usage) => {
        const perJob = this.#o.maxCostUsdPerJob;
        const perUtterance = this.#o.maxCostUsdPerUtterance;
        // Unpriced: refused at the start when a budget is set (price_guard.ts).
        if (u.cost_usd === null) return;
        if (perJob !== undefined && u.cost_usd > perJob) {
          abort("budget exceeded", "error", {
            code: "budget_exceeded",
            message: `Job cost $${u.cost_usd.toFixed(4)} exceeds the per-job budget of $${
              perJob.toFixed(4)
            } (--max-cost-usd)`,
            retryable: false,
          });
        } else if (perUtterance !== undefined && u.cost_usd + otherCost > perUtterance) {
          abort("budget exceeded", "error", {
            code: "budget_exceeded",
            message: `Utterance cost $${
              (u.cost_usd + otherCost).toFixed(4)
            } exceeds its budget of $${perUtterance.toFixed(4)} (--max-cost-usd-per-utterance)`,
            retryable: false,
          });
        }
      };

      const flushProgress = () => {
        progressTimer = undefined;
        const progress = pendingProgress;
        pendingProgress = undefined;
        if (!progress) return;
        writes = writes.then(() => queue.update(job.job_id, token, { progress }).then(() => {}));
        tracer.emit({
          source: "gateway.engine",
          event: "job.progress",
          ...ids,
          data: JSON.parse(JSON.stringify(progress)),
        });
      };

      const onMessage = (e: MessageEvent) => {
        const parsed = FromWorker.safeParse(e.data);
        if (!parsed.success) {
          healthy = false;
          abort("protocol violation", "error", {
            code: "worker_protocol",
            message: `Worker sent a malformed message: ${parsed.error.issues[0]?.message ?? ""}`,
            retryable: true,
          });
          return;
        }
        const msg = parsed.data;
        if (msg.type === "ready" || ("job_id" in msg && msg.job_id !== job.job_id)) return;
        switch (msg.type) {
          case "progress":
            // Coalesced: a worker flooding progress costs one store write per 250 ms.
            pendingProgress = msg.progress;
            progressTimer ??= setTimeout(flushProgress, 250);
            break;
          case "log":
            log[msg.level === "warning" ? "warn" : msg.level](
              `[{job_id}] ${msg.message.replaceAll("{", "{{").replaceAll("}", "}}")}`,
              { job_id: job.job_id, ...msg.data },
            );
            break;
          case "usage": {
            usages.set(`${msg.usage.provider}|${msg.usage.model}`, msg.usage);
            const unpriced = unpricedWarning(msg.usage);
            if (unpriced && !warnedUnpriced) {
              warnedUnpriced = true;
              tracer.emit({
                source: "gateway.engine",
                event: "usage.unpriced",
                ...ids,
                data: unpriced,
              });
            }
            const total = currentUsage()!;
            writes = writes.then(() =>
              queue.update(job.job_id, token, { usage: total }).then(() => {})
            );
            checkBudget(total);
            if (this.#o.maxCostUsdPerUtterance !== undefined) {
              // After our own write, so that of two jobs reporting at once, one sees the other.
              // Only this read's failure is let go (the next report checks again); a failed
              // write before it still surfaces where the writes are awaited.
              writes = writes.then(() =>
                this.#otherCost(job).then((cost) => {
                  otherCost = cost;
                  checkBudget(currentUsage()!);
                }, () => {})
              );
            }
            break;
          }
          case "artifact": {
            const dir = join(this.#o.dataDir, "artifacts", job.job_id);
            const path = join(dir, msg.name);
            // Text artifacts are redacted like every other output: a model that quotes a key
            // must not put it on disk or behind /artifacts.
            const data = msg.base64 !== undefined
              ? Uint8Array.from(atob(msg.base64), (c) => c.charCodeAt(0))
              : new TextEncoder().encode(redactText(msg.text ?? ""));
            writes = writes.then(async () => {
              await Deno.mkdir(dir, { recursive: true });
              await Deno.writeFile(path, data);
            });
            const entry = { name: msg.name, path: `artifacts/${job.job_id}/${msg.name}` };
            const at = artifacts.findIndex((a) => a.name === msg.name);
            if (at >= 0) artifacts[at] = entry;
            else artifacts.push(entry);
            break;
          }
          case "await_confirmation": {
            clearTimeout(timeoutTimer);
            timeoutLeft = Math.max(0, timeoutLeft - (performance.now() - timeoutStarted));
            const waitMs = this.#o.confirmationTimeoutMs ?? 600_000;
            timeoutTimer = setTimeout(() => {
              local.confirm = undefined;
              abort("no answer to the confirmation", "error", {
                code: "confirmation_timeout",
                message: `No answer to '${msg.prompt.slice(0, 200)}' within ${
                  waitMs >= 1000 ? `${Math.round(waitMs / 1000)} s` : `${waitMs} ms`
                }: POST /jobs/${job.job_id}/retry to ask again`,
                retryable: false,
              });
            }, waitMs);
            writes = writes.then(() =>
              queue.awaitConfirmation(job.job_id, token, {
                prompt: msg.prompt,
                ...(msg.action !== undefined ? { action: msg.action } : {}),
              }).then(() => {})
            );
            tracer.emit({
              source: "gateway.engine",
              event: "job.awaiting_confirmation",
              ...ids,
              data: { prompt: msg.prompt },
            });
            local.confirm = async (decision) => {
              local.confirm = undefined;
              clearTimeout(timeoutTimer);
              await writes;
              await queue.resume(job.job_id, token);
              tracer.emit({
                source: "gateway.engine",
                event: "job.confirmation",
                ...ids,
                data: { decision },
              });
              worker.postMessage({ type: "confirmation", job_id: job.job_id, decision });
              armTimeout();
              return true;
            };
            break;
          }
          case "result":
            if (abortedAs?.kind === "cancel") {
              finish({ kind: "cancelled", reason: abortedAs.reason });
            } else if (abortedAs?.error) {
              finish({ kind: "error", workerHealthy: false, error: abortedAs.error });
            } else finish({ kind: "result", result: msg.result });
            break;
          case "error":
            if (abortedAs?.kind === "cancel") {
              finish({ kind: "cancelled", reason: abortedAs.reason });
            } else if (abortedAs?.error) {
              finish({ kind: "error", workerHealthy: false, error: abortedAs.error });
            } else finish({ kind: "error", workerHealthy: true, error: msg.error });
            break;
        }
      };
      const onError = (e: ErrorEvent) => {
        e.preventDefault();
        healthy = false;
        finish(
          abortedAs?.kind === "cancel" ? { kind: "cancelled", reason: abortedAs.reason } : {
            kind: "error",
            workerHealthy: false,
            error: {
              code: "worker_crashed",
              message: `Worker crashed: ${e.message}`,
              retryable: true,
            },
          },
        );
      };
      const onMessageError = () => {
        healthy = false;
        finish({
          kind: "error",
          workerHealthy: false,
          error: {
            code: "worker_protocol",
            message: "Worker sent an unreadable message",
            retryable: true,
          },
        });
      };
      worker.addEventListener("message", onMessage);
      worker.addEventListener("error", onError);
      worker.addEventListener("messageerror", onMessageError);
      worker.postMessage({
        type: "start",
        job_id: job.job_id,
        utterance_id: job.utterance_id,
        attempt: job.attempts,
        spec: job.spec,
        config,
      });
    });
    if (progressTimer !== undefined) {
      clearTimeout(progressTimer);
      progressTimer = undefined;
    }
    await writes.catch((err) =>
      log.error("Writing job state failed: {error}", { error: String(err) })
    );
    return { outcome, artifacts, usage: currentUsage() };
  }

  async #otherCost(job: JobRecord): Promise<number> {
    const jobs = await this.#o.queue.listByUtterance(job.utterance_id);
    return jobs.filter((j) => j.job_id !== job.job_id)
      .reduce((sum, j) => sum + (j.usage?.cost_usd ?? 0), 0);
  }

  async #settle(
    job: JobRecord,
    token: string,
    skill: Skill,
    outcome: Outcome,
    artifacts: Artifact[],
    usage: Usage | undefined,
    started: number,
  ): Promise<void> {
    const queue = this.#o.queue;
    const tracer = this.#o.tracer;
    const metrics = this.#o.metrics;
    const ids = { job_id: job.job_id, utterance_id: job.utterance_id };
    const seconds = (performance.now() - started) / 1000;
    const base = {
      source: "gateway.engine",
      ...ids,
      duration_ms: Math.round(seconds * 1000 * 100) / 100,
      ...(usage ? { usage, cost_usd: usage.cost_usd } : {}),
    };
    const data = { intent: job.intent, attempts: job.attempts };
    if (outcome.kind === "lease_lost") {
      tracer.emit({ ...base, event: "job.lease_lost", data });
      return;
    }
    if (outcome.kind === "cancelled") {
      const done = await queue.finishCancelled(job.job_id, token, outcome.reason);
      if (done.ok) {
        metrics?.jobsFailed.inc({ intent: job.intent, code: "cancelled" });
        metrics?.jobDuration.observe({ intent: job.intent, status: "cancelled" }, seconds);
        if (usage) metrics?.recordUsage(usage);
        tracer.emit({ ...base, event: "job.cancelled", data: { ...data, reason: outcome.reason } });
      }
      return;
    }
    if (outcome.kind === "result") {
      let result: JobResult = {
        ...outcome.result,
        ...(artifacts.length > 0
          ? { artifacts: mergeArtifacts(outcome.result.artifacts, artifacts) }
          : {}),
      };
      if (skill.finalize) {
        try {
          result = await skill.finalize({ ...job, result }, result, this.#o.skillContext);
        } catch (err) {
          outcome = {
            kind: "error",
            workerHealthy: true,
            error: {
              code: "finalize_failed",
              message: err instanceof Error ? err.message : String(err),
              retryable: true,
            },
          };
        }
      }
      if (outcome.kind === "result") {
        const done = await queue.complete(job.job_id, token, result, usage);
        if (done.ok) {
          metrics?.jobsCompleted.inc({ intent: job.intent });
          metrics?.jobDuration.observe({ intent: job.intent, status: "succeeded" }, seconds);
          if (usage) metrics?.recordUsage(usage);
          tracer.emit({ ...base, event: "job.succeeded", data });
        } else {
          tracer.emit({
            ...base,
            event: "job.completion_ignored",
            data: { ...data, reason: done.reason },
          });
        }
        return;
      }
    }
    const error = outcome.error;
    if (error.code === "shutdown" && this.#stopping) {
      // Not the job's fault: back to the queue for the next engine, the attempt not counted.
      const done = await queue.release(job.job_id, token);
      if (done.ok) tracer.emit({ ...base, event: "job.released", data });
      return;
    }
    const retryable = error.retryable !== false;
    if (retryable && job.attempts < job.max_attempts) {
      const delay = backoffDelay(job.attempts, skill.retry, {
        ...(error.retry_after_ms !== undefined ? { retryAfterMs: error.retry_after_ms } : {}),
        ...(this.#o.random ? { random: this.#o.random } : {}),
      });
      const done = await queue.fail(job.job_id, token, error, { retryAt: Date.now() + delay });
      if (done.ok) {
        metrics?.jobsRetried.inc({ intent: job.intent });
        metrics?.jobDuration.observe({ intent: job.intent, status: "retry" }, seconds);
        tracer.emit({
          ...base,
          event: "job.retry_scheduled",
          data: { ...data, error_code: error.code, error: error.message, delay_ms: delay },
        });
      }
      return;
    }
    const finalState = retryable ? "dead" : "failed";
    const done = await queue.fail(job.job_id, token, error, { finalState });
    if (done.ok) {
      metrics?.jobsFailed.inc({ intent: job.intent, code: error.code });
      metrics?.jobDuration.observe({ intent: job.intent, status: finalState }, seconds);
      if (usage) metrics?.recordUsage(usage);
      tracer.emit({
        ...base,
        event: `job.${finalState}`,
        data: { ...data, error_code: error.code, error: error.message },
      });
    }
  }
}

function mergeArtifacts(own: Artifact[] | undefined, written: Artifact[]): Artifact[] {
  const byName = new Map<string, Artifact>();
  for (const a of own ?? []) byName.set(a.name, a);
  for (const a of written) byName.set(a.name, a);
  return [...byName.values()];
}
