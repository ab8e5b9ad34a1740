/**
 * @module
 * Keeps a job's lease while this engine works on it: renews it every `everyMs`, and says so
 * when the store answers that the lease is no longer ours (another engine took the job over
 * after it expired). A failed renewal is not a lost lease: it is tried again on the next tick.
 */
import type { JobQueue } from "../queue/queue.ts";

export interface LeaseKeeperOptions {
  queue: Pick<JobQueue, "heartbeat">;
  jobId: string;
  token: string;
  leaseMs: number;
  /** Time between renewals (a third of the lease leaves room for two misses). */
  everyMs: number;
  /** The store answered that the lease is gone. */
  onLost(): void;
  /** The lease was renewed (a moment to look at the job's record). */
  onHeld?(): void | Promise<void>;
  /** A renewal (or `onHeld`) failed. @default ignore: the next tick tries again */
  onError?(err: unknown): void;
}

/** Starts renewing; the returned function stops it. */
export function keepLease(options: LeaseKeeperOptions): () => void {
  const timer = setInterval(async () => {
    try {
      const held = await options.queue.heartbeat(options.jobId, options.token, options.leaseMs);
      if (!held) {
        options.onLost();
        return;
      }
      await options.onHeld?.();
    } catch (err) {
      options.onError?.(err);
    }
  }, options.everyMs);
  return () => clearInterval(timer);
}
