/**
 * @module
 * How an engine acts on a job's record when the job was steered through the store by any
 * gateway process: a requested cancel aborts the worker, a recorded confirmation answer is
 * passed on. `applySteering` (pure apart from the callbacks it is given) runs on every heartbeat;
 * `Steering` runs it when the store announces the job (`watchControl`), so the step is taken at
 * once and a missed announcement only delays it to the next heartbeat.
 */
import type { JobRecord } from "@shared/schemas/mod.ts";

/** The parts of a job running in this engine that steering needs. */
export interface SteerableJob {
  abort(reason: string, kind: "cancel" | "error"): void;
  /** Set while the job waits for a confirmation answer here. */
  confirm?: ((decision: "allow" | "deny") => Promise<boolean>) | undefined;
}

/** Applies what `record` asks of `local`; returns what it did. */
export function applySteering(
  local: SteerableJob,
  record: Pick<JobRecord, "cancel_requested" | "decision"> | null,
  onError: (err: unknown) => void = () => {},
): "cancel" | "allow" | "deny" | null {
  if (!record) return null;
  if (record.cancel_requested) {
    local.abort("cancelled by request", "cancel");
    return "cancel";
  }
  if (record.decision && local.confirm) {
    // `confirm` clears itself first, so an answer seen twice is passed on once.
    local.confirm(record.decision).catch(onError);
    return record.decision;
  }
  return null;
}

/** Where steering reads job records and hears announcements (a `JobQueue`). */
interface SteeringStore {
  get(jobId: string): Promise<Pick<JobRecord, "cancel_requested" | "decision"> | null>;
  watchControl(listener: (jobId: string) => void): () => void;
}

/**
 * An engine's ear for steered jobs: on each announcement of a job running here, reads its
 * record and applies it. A claimed job is `running` in the store before its worker has
 * started, so an announcement in that window is remembered and applied when it starts.
 */
export class Steering {
  readonly #store: SteeringStore;
  readonly #running: (jobId: string) => SteerableJob | undefined;
  readonly #warn: (message: string, jobId: string, err: unknown) => void;
  readonly #early = new Set<string>();
  #unwatch: (() => void) | undefined;

  constructor(
    store: SteeringStore,
    running: (jobId: string) => SteerableJob | undefined,
    warn: (message: string, jobId: string, err: unknown) => void,
  ) {
    this.#store = store;
    this.#running = running;
    this.#warn = warn;
  }

  start(): void {
    this.#unwatch ??= this.#store.watchControl((jobId) => void this.#steer(jobId));
  }

  stop(): void {
    this.#unwatch?.();
    this.#unwatch = undefined;
  }

  /** Call when a job's worker has started here. */
  jobStarted(jobId: string): void {
    if (this.#early.delete(jobId)) void this.#steer(jobId);
  }

  async #steer(jobId: string): Promise<void> {
    if (!this.#running(jobId)) {
      this.#early.add(jobId);
      if (this.#early.size > 1000) this.#early.delete(this.#early.values().next().value!);
      return;
    }
    try {
      const record = await this.#store.get(jobId);
      const local = this.#running(jobId);
      if (local) applySteering(local, record, (err) => this.#warn("Steering failed", jobId, err));
    } catch (err) {
      this.#warn("Reading a steered job failed", jobId, err);
    }
  }
}
