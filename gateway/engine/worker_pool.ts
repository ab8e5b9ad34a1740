/**
 * @module
 * Pools sandboxed Web Workers per skill and permission set: a worker is reused for the next job
 * of the same kind and replaced after a crash, a timeout or a cancel.
 *
 * Starting a worker costs far more CPU than a short job (it compiles the skill's modules). When
 * every worker of a kind is busy, a job waits for one to come back before it starts a new one, as
 * long as the kind's observed job and start times say that a busy one comes back sooner
 * (`reuse_wait.ts`), and at most {@linkcode MAX_STARTING} start at once per kind: under a burst
 * of short jobs (echo) a few workers serve them all; long jobs (coding, browser) still get a
 * worker each, a few milliseconds later.
 */
import { FromWorker } from "@shared/schemas/mod.ts";
import { Durations, reuseWait } from "./reuse_wait.ts";

/** A started worker that said `ready`. */
export interface PooledWorker {
  readonly key: string;
  readonly worker: Worker;
}

export class WorkerStartError extends Error {
  override name = "WorkerStartError";
}

/** Workers of one kind starting at the same time, at most. */
export const MAX_STARTING = 2;

interface Waiter {
  take(pooled: PooledWorker): void;
  /** Waited the reuse wait out: may start a worker of its own. */
  due: boolean;
  start(): void;
  /** Waits longer when what is known of the kind now says a busy worker is back sooner. */
  waitLonger(): boolean;
}

export interface WorkerPoolOptions {
  /** Idle workers kept per key (at least the skill concurrency, or workers churn). @default 32 */
  maxIdlePerKey?: number;
  /** How long a new worker may take to load and say ready. @default 30000 */
  startTimeoutMs?: number;
  /**
   * The shortest wait of a job for a busy worker of its kind before it starts one; it waits up to
   * a start time when the kind's jobs are short. @default 20
   */
  reuseWaitMs?: number;
  /** Milliseconds for the start and job times. @default performance.now */
  clock?: () => number;
}

export class WorkerPool {
  readonly #idle = new Map<string, PooledWorker[]>();
  readonly #maxIdle: number;
  readonly #startTimeout: number;
  readonly #reuseWait: number;
  /** Started workers per key, idle or busy. */
  readonly #live = new Map<string, number>();
  /** Workers starting per key. */
  readonly #starting = new Map<string, number>();
  /** Jobs waiting for a worker of their key, oldest first. */
  readonly #waiting = new Map<string, Waiter[]>();
  /** Start times and job (hold) times per key. */
  readonly #startTimes = new Map<string, Durations>();
  readonly #holdTimes = new Map<string, Durations>();
  /** When each worker handed out was handed out. */
  readonly #handedOut = new Map<Worker, number>();
  readonly #clock: () => number;
  #closed = false;

  constructor(options: WorkerPoolOptions = {}) {
    this.#maxIdle = options.maxIdlePerKey ?? 32;
    this.#startTimeout = options.startTimeoutMs ?? 30_000;
    this.#reuseWait = options.reuseWaitMs ?? 20;
    this.#clock = options.clock ?? (() => performance.now());
  }

  #durations(map: Map<string, Durations>, key: string): Durations {
    let d = map.get(key);
    if (!d) map.set(key, d = new Durations());
    return d;
  }

  /** Hands a worker to a job, noting when (for the kind's job time). */
  #handOut(pooled: PooledWorker): PooledWorker {
    this.#handedOut.set(pooled.worker, this.#clock());
    return pooled;
  }

  /** Notes how long the job that had `pooled` held it. */
  #handedBack(pooled: PooledWorker): void {
    const since = this.#handedOut.get(pooled.worker);
    this.#handedOut.delete(pooled.worker);
    if (since !== undefined) {
      this.#durations(this.#holdTimes, pooled.key).add(this.#clock() - since);
    }
  }

  /** An idle worker for `module` + `permissions`, a busy one once released, or a new one. */
  acquire(module: URL, permissions: Deno.PermissionOptionsObject): Promise<PooledWorker> {
    const key = `${module.href}|${JSON.stringify(permissions)}`;
    const reused = this.#idle.get(key)?.pop();
    if (reused) return Promise.resolve(this.#handOut(reused));
    const busy = (this.#live.get(key) ?? 0) + (this.#starting.get(key) ?? 0);
    if (busy === 0 || this.#reuseWait <= 0) return this.#startFor(key, module, permissions);
    return new Promise<PooledWorker>((resolve, reject) => {
      const queue = this.#waiting.get(key) ?? [];
      this.#waiting.set(key, queue);
      const leave = () => {
        const i = queue.indexOf(waiter);
        if (i >= 0) queue.splice(i, 1);
      };
      const waitFor = () =>
        reuseWait({
          position: Math.max(0, queue.indexOf(waiter)),
          busy: (this.#live.get(key) ?? 0) + (this.#starting.get(key) ?? 0),
          holdMs: this.#holdTimes.get(key)?.value,
          startMs: this.#startTimes.get(key)?.value,
          minWaitMs: this.#reuseWait,
        });
      let armed = 0;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const arm = (ms: number) => {
        armed += ms;
        timer = setTimeout(() => {
          if (waiter.waitLonger()) return;
          waiter.due = true;
          if (!this.#closed && (this.#starting.get(key) ?? 0) < MAX_STARTING) waiter.start();
        }, ms);
      };
      const waiter: Waiter = {
        due: false,
        take: (pooled) => {
          clearTimeout(timer);
          resolve(this.#handOut(pooled));
        },
        start: () => {
          clearTimeout(timer);
          leave();
          this.#startFor(key, module, permissions).then(resolve, reject);
        },
        // The wait grows only (a first start time known since), so this ends.
        waitLonger: () => {
          const wait = waitFor();
          if (this.#closed || wait <= armed) return false;
          waiter.due = false;
          arm(wait - armed);
          return true;
        },
      };
      queue.push(waiter);
      arm(waitFor());
    });
  }

  /** Starts a worker for one job; when done, lets the next overdue waiter start one. */
  async #startFor(
    key: string,
    module: URL,
    permissions: Deno.PermissionOptionsObject,
  ): Promise<PooledWorker> {
    this.#starting.set(key, (this.#starting.get(key) ?? 0) + 1);
    try {
      const started = this.#clock();
      const worker = await this.#start(module, permissions);
      this.#durations(this.#startTimes, key).add(this.#clock() - started);
      this.#live.set(key, (this.#live.get(key) ?? 0) + 1);
      return this.#handOut({ key, worker });
    } finally {
      const n = (this.#starting.get(key) ?? 1) - 1;
      if (n > 0) this.#starting.set(key, n);
      else this.#starting.delete(key);
      const due = this.#waiting.get(key)?.find((w) => w.due);
      if (due && !due.waitLonger()) due.start();
    }
  }

  #forget(key: string): void {
    const n = (this.#live.get(key) ?? 1) - 1;
    if (n > 0) this.#live.set(key, n);
    else this.#live.delete(key);
  }

  async #start(module: URL, permissions: Deno.PermissionOptionsObject): Promise<Worker> {
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
    return worker;
  }

  /** Returns a healthy worker for reuse: to the oldest job waiting for one, else to the idle list. */
  release(pooled: PooledWorker): void {
    this.#handedBack(pooled);
    const next = this.#closed ? undefined : this.#waiting.get(pooled.key)?.shift();
    if (next) {
      next.take(pooled);
      return;
    }
    const idle = this.#idle.get(pooled.key) ?? [];
    if (this.#closed || idle.length >= this.#maxIdle) {
      this.#forget(pooled.key);
      pooled.worker.terminate();
      return;
    }
    idle.push(pooled);
    this.#idle.set(pooled.key, idle);
  }

  /** Ends a worker that crashed, timed out or was cancelled. */
  discard(pooled: PooledWorker): void {
    this.#handedBack(pooled);
    this.#forget(pooled.key);
    pooled.worker.terminate();
    // A waiter that counted on this worker coming back starts one instead.
    const key = pooled.key;
    if ((this.#live.get(key) ?? 0) + (this.#starting.get(key) ?? 0) === 0) {
      this.#waiting.get(key)?.[0]?.start();
    }
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
    this.#live.clear();
    this.#handedOut.clear();
    // No worker will come back to a job still waiting: it starts its own, as it would have
    // without the pool (its worker ends with the job).
    for (const queue of this.#waiting.values()) for (const w of [...queue]) w.start();
    this.#waiting.clear();
  }
}
