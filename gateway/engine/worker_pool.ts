/**
 * @module
 * Pools sandboxed Web Workers per skill and permission set: a worker is reused for the next job
 * of the same kind and replaced after a crash, a timeout or a cancel.
 */
import { FromWorker } from "@shared/schemas/mod.ts";

/** A started worker that said `ready`. */
export interface PooledWorker {
  readonly key: string;
  readonly worker: Worker;
}

export class WorkerStartError extends Error {
  override name = "WorkerStartError";
}

export interface WorkerPoolOptions {
  /** Idle workers kept per key (at least the skill concurrency, or workers churn). @default 32 */
  maxIdlePerKey?: number;
  /** How long a new worker may take to load and say ready. @default 30000 */
  startTimeoutMs?: number;
}

export class WorkerPool {
  readonly #idle = new Map<string, PooledWorker[]>();
  readonly #maxIdle: number;
  readonly #startTimeout: number;
  #closed = false;

  constructor(options: WorkerPoolOptions = {}) {
    this.#maxIdle = options.maxIdlePerKey ?? 32;
    this.#startTimeout = options.startTimeoutMs ?? 30_000;
  }

  /** An idle worker for `module` + `permissions`, or a new one once it is ready. */
  async acquire(module: URL, permissions: Deno.PermissionOptionsObject): Promise<PooledWorker> {
    const key = `${module.href}|${JSON.stringify(permissions)}`;
    const idle = this.#idle.get(key);
    const reused = idle?.pop();
    if (reused) return reused;
    const worker = new Worker(module, {
      type: "module",
      name: module.pathname.split("/").pop() ?? "worker",
      deno: { permissions },
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        worker.terminate();
        reject(
          new WorkerStartError(
            `Worker ${module.pathname} did not start within ${this.#startTimeout} ms`,
          ),
        );
      }, this.#startTimeout);
      const onMessage = (e: MessageEvent) => {
        const msg = FromWorker.safeParse(e.data);
        if (msg.success && msg.data.type === "ready") {
          cleanup();
          resolve();
        }
      };
      const onError = (e: ErrorEvent) => {
        e.preventDefault();
        cleanup();
        worker.terminate();
        reject(new WorkerStartError(`Worker ${module.pathname} failed to start: ${e.message}`));
      };
      const cleanup = () => {
        clearTimeout(timer);
        worker.removeEventListener("message", onMessage);
        worker.removeEventListener("error", onError);
      };
      worker.addEventListener("message", onMessage);
      worker.addEventListener("error", onError);
    });
    return { key, worker };
  }

  /** Returns a healthy worker for reuse. */
  release(pooled: PooledWorker): void {
    const idle = this.#idle.get(pooled.key) ?? [];
    if (this.#closed || idle.length >= this.#maxIdle) {
      pooled.worker.terminate();
      return;
    }
    idle.push(pooled);
    this.#idle.set(pooled.key, idle);
  }

  /** Ends a worker that crashed, timed out or was cancelled. */
  discard(pooled: PooledWorker): void {
    pooled.worker.terminate();
  }

  /** Number of idle workers (for tests and metrics). */
  get idleCount(): number {
    let n = 0;
    for (const list of this.#idle.values()) n += list.length;
    return n;
  }

  close(): void {
    this.#closed = true;
    for (const list of this.#idle.values()) for (const p of list) p.worker.terminate();
    this.#idle.clear();
  }
}
