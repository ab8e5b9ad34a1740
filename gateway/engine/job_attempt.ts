/**
 * @module
 * One attempt of one job: the skill prepares it, a sandboxed worker from the pool runs it with
 * exactly the skill's permissions, and the worker's messages become job state (progress,
 * usage under the budget guard, artifacts, confirmation pauses) until it answers, fails,
 * crashes, times out, is cancelled or loses its lease. What it returns is settled by
 * `job_settler.ts`; the engine around it holds the slots.
 */
import { getLogger } from "@logtape/logtape";
import {
  type Artifact,
  FromWorker,
  type JobError,
  type JobRecord,
  type JsonValue,
  sumUsage,
  type Usage,
} from "@shared/schemas/mod.ts";
import type { JobQueue } from "../queue/queue.ts";
import type { Tracer } from "../traces/tracer.ts";
import type { Skill, SkillContext } from "../skill_kit/skill.ts";
import { WorkerError } from "../skill_kit/worker_errors.ts";
import type { PooledWorker, WorkerPool } from "./worker_pool.ts";
import { requirePriceForBudgets, unpricedWarning } from "./price_guard.ts";
import { applySteering } from "./steering.ts";
import { keepLease } from "./lease_keeper.ts";
import { BudgetGuard } from "./budget_guard.ts";
import { ArtifactWriter } from "./artifact_writer.ts";
import type { LocalJob, Outcome } from "./outcome.ts";

const log = getLogger(["gateway", "engine"]);

export interface AttemptDeps {
  queue: JobQueue;
  tracer: Tracer;
  pool: WorkerPool;
  skillContext: SkillContext;
  /** Where artifacts go (`<dataDir>/artifacts/<job_id>/`). */
  dataDir: string;
  leaseMs: number;
  heartbeatMs: number;
  /** Time a worker gets to stop after an abort before it is terminated. @default 2000 */
  cancelGraceMs?: number | undefined;
  maxCostUsdPerJob?: number | undefined;
  maxCostUsdPerUtterance?: number | undefined;
  /** @default 600000 */
  confirmationTimeoutMs?: number | undefined;
  /** The job runs in a worker now: cancel, confirm and steering reach it through `local`. */
  onRunning(local: LocalJob): void;
}

export interface AttemptResult {
  outcome: Outcome;
  artifacts: Artifact[];
  /** The job's usage over all its attempts so far. */
  usage: Usage | undefined;
}

/** The error a failed preparation leaves: a skill's own code, or `worker_start_failed`. */
function preparationError(err: unknown): JobError {
  // A skill's preparation may say the job cannot run (no key, no workspace): keep its code.
  return err instanceof WorkerError
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
}

/** Runs one attempt of `job`, whose lease `token` this engine holds. */
export async function runAttempt(
  deps: AttemptDeps,
  job: JobRecord,
  token: string,
  skill: Skill,
): Promise<AttemptResult> {
  const writer = new ArtifactWriter(deps.dataDir, job.job_id);
  const artifacts = writer.artifacts;
  const usages = new Map<string, Usage>();
  // A retried job carries what its earlier attempts spent: the record shows the job's whole
  // cost, and the budget guard counts every attempt, not only this one.
  const earlier = job.usage ? [job.usage] : [];
  const currentUsage = () => sumUsage([...earlier, ...usages.values()]);
  const { queue, tracer, pool, skillContext: ctx } = deps;
  let pooled: PooledWorker;
  let config: Record<string, JsonValue>;
  // Preparing a skill and starting its worker can take seconds on a loaded machine (a Web
  // Worker compiles its modules, a browser driver starts Chromium): keep the lease meanwhile,
  // or another engine would take the job over before it even began.
  let lostWhilePreparing = false;
  const stopPreparingLease = keepLease({
    queue,
    jobId: job.job_id,
    token,
    leaseMs: deps.leaseMs,
    everyMs: deps.heartbeatMs,
    onLost: () => lostWhilePreparing = true,
  });
  try {
    requirePriceForBudgets(skill.pricedModel?.(ctx, job), {
      perJob: deps.maxCostUsdPerJob,
      perUtterance: deps.maxCostUsdPerUtterance,
    });
    const prepared = skill.prepare ? await skill.prepare(job, ctx) : {};
    config = { ...skill.config(ctx, job), ...prepared };
    pooled = await pool.acquire(skill.worker, skill.permissions(ctx, job));
  } catch (err) {
    stopPreparingLease();
    return {
      outcome: { kind: "error", workerHealthy: true, error: preparationError(err) },
      artifacts,
      usage: currentUsage(),
    };
  }
  stopPreparingLease();
  if (lostWhilePreparing) {
    pool.release(pooled);
    return { outcome: { kind: "lease_lost" }, artifacts, usage: currentUsage() };
  }
  // What the utterance's other jobs have spent: read now, and again after each usage report,
  // because they run at the same time (a coding and a browser job from one sentence).
  const budget = new BudgetGuard({
    queue,
    job,
    perJob: deps.maxCostUsdPerJob,
    perUtterance: deps.maxCostUsdPerUtterance,
  });
  await budget.refresh();
  const worker = pooled.worker;
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
    let stopLease = () => {};

    const finish = (o: Outcome) => {
      if (settled) return;
      settled = true;
      stopLease();
      clearTimeout(timeoutTimer);
      clearTimeout(graceTimer);
      worker.removeEventListener("message", onMessage);
      worker.removeEventListener("error", onError);
      worker.removeEventListener("messageerror", onMessageError);
      if (o.kind === "result" || (o.kind === "error" && o.workerHealthy && healthy)) {
        pool.release(pooled);
      } else {
        pool.discard(pooled);
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
      }, deps.cancelGraceMs ?? 2000);
    };

    /** How a worker's last word reads when the job was aborted before it. */
    const afterAbort = (otherwise: Outcome): Outcome =>
      abortedAs?.kind === "cancel"
        ? { kind: "cancelled", reason: abortedAs.reason }
        : abortedAs?.error
        ? { kind: "error", workerHealthy: false, error: abortedAs.error }
        : otherwise;

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
    deps.onRunning(local);

    stopLease = keepLease({
      queue,
      jobId: job.job_id,
      token,
      leaseMs: deps.leaseMs,
      everyMs: deps.heartbeatMs,
      onLost: () => {
        abortedAs = { kind: "error", reason: "lease lost" };
        worker.postMessage({ type: "abort", job_id: job.job_id, reason: "lease lost" });
        finish({ kind: "lease_lost" });
      },
      // A cancel or an answer given through another gateway process is on the record.
      onHeld: async () => void applySteering(local, await queue.get(job.job_id)),
      onError: (err) =>
        log.warn("Heartbeat for {job_id} failed: {error}", {
          job_id: job.job_id,
          error: String(err),
        }),
    });

    const checkBudget = (u: Usage) => {
      const exceeded = budget.exceeded(u);
      if (exceeded) abort("budget exceeded", "error", exceeded);
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
          if (budget.watchesUtterance) {
            // After our own write, so that of two jobs reporting at once, one sees the other.
            // Only this read's failure is let go (the next report checks again); a failed
            // write before it still surfaces where the writes are awaited.
            writes = writes.then(() =>
              budget.refresh().then(() => checkBudget(currentUsage()!), () => {})
            );
          }
          break;
        }
        case "artifact":
          writes = writes.then(writer.record(msg));
          break;
        case "await_confirmation": {
          clearTimeout(timeoutTimer);
          timeoutLeft = Math.max(0, timeoutLeft - (performance.now() - timeoutStarted));
          const waitMs = deps.confirmationTimeoutMs ?? 600_000;
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
          finish(afterAbort({ kind: "result", result: msg.result }));
          break;
        case "error":
          finish(afterAbort({ kind: "error", workerHealthy: true, error: msg.error }));
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
