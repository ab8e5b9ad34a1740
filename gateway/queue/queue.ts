/**
 * @module
 * The storage contract every queue backend (memory, Deno KV, Redis) implements. The engine and
 * the HTTP routes see only this interface; one conformance suite runs against every backend.
 *
 * Delivery is at-least-once: a claimed job carries a lease (owner + token + expiry) that the
 * engine renews with heartbeats. A lease that expires puts the job back in the queue. Every
 * operation of a lease holder names the token, so a late or duplicate completion by a holder
 * that lost its lease changes nothing.
 */
import type {
  JobError,
  JobProgress,
  JobRecord,
  JobResult,
  JobState,
  TaskSpec,
  Usage,
  UtteranceRecord,
} from "@shared/schemas/mod.ts";

export type QueueBackend = "memory" | "kv" | "redis";

/** A job to create. */
export interface NewJob {
  spec: TaskSpec;
  /** Attempts allowed before the job is `dead`. */
  max_attempts: number;
}

/** The utterance the jobs belong to. */
export interface NewUtterance {
  utterance_id: string;
  text: string;
  source: "voice" | "api";
  unrouted?: boolean;
  /** Tokens and cost of a model-routed utterance. */
  router_usage?: Usage;
  /** The speaker's session; indexed so that voice commands find the session's utterances. */
  session_id?: string | undefined;
  /** What a voice command did (a command utterance has no jobs). */
  control?: UtteranceRecord["control"] | undefined;
}

export interface EnqueueResult {
  /** False when the utterance existed already: its jobs are returned and none is created. */
  created: boolean;
  utterance: UtteranceRecord;
  jobs: JobRecord[];
}

export interface ClaimOptions {
  /** Who holds the lease (process + slot), for diagnostics. */
  owner: string;
  leaseMs: number;
  /** Only jobs of these intents (skills with free capacity). All when omitted. */
  intents?: readonly string[];
}

export interface JobFilter {
  status?: JobState | undefined;
  intent?: string | undefined;
  utterance_id?: string | undefined;
}

export interface ListOptions extends JobFilter {
  /** Opaque cursor from a previous page. */
  cursor?: string | undefined;
  /** @default 50 */
  limit?: number | undefined;
}

export interface JobPage {
  jobs: JobRecord[];
  next_cursor: string | null;
}

/** Outcome of an operation that needs the lease. */
export type LeaseOutcome =
  | { ok: true; job: JobRecord }
  | { ok: false; reason: "not_found" | "lease_lost" | "already_final"; job?: JobRecord };

export interface FailOptions {
  /** Epoch ms at which to run again (state `delayed`). Omit for a final failure. */
  retryAt?: number;
  /** Final state when not retried: `dead` when attempts are exhausted. @default "failed" */
  finalState?: "failed" | "dead";
}

export interface QueueDepth {
  queued: number;
  delayed: number;
  running: number;
  awaiting_confirmation: number;
}

export interface JobQueue {
  readonly backend: QueueBackend;

  /** Creates the utterance and its jobs atomically; idempotent on `utterance_id`. */
  enqueue(utterance: NewUtterance, jobs: readonly NewJob[]): Promise<EnqueueResult>;

  /**
   * Takes the next runnable job (interactive before background, then oldest first; a `delayed`
   * job whose `run_at` has passed counts as runnable), marks it `running`, increments
   * `attempts` and gives it a lease. Null when there is nothing to run.
   */
  claim(options: ClaimOptions): Promise<JobRecord | null>;

  /** Extends the lease. False when the lease was lost (expired and re-claimed, or job final). */
  heartbeat(jobId: string, token: string, leaseMs: number): Promise<boolean>;

  /** Records progress and/or running usage of a leased job. */
  update(
    jobId: string,
    token: string,
    patch: { progress?: JobProgress; usage?: Usage },
  ): Promise<LeaseOutcome>;

  /** Moves a leased job to `succeeded`. Idempotent: a second completion changes nothing. */
  complete(jobId: string, token: string, result: JobResult, usage?: Usage): Promise<LeaseOutcome>;

  /** Moves a leased job to `delayed` (retry) or to a final failure. */
  fail(jobId: string, token: string, error: JobError, options?: FailOptions): Promise<LeaseOutcome>;

  /** Gives a leased job back unfinished (shutdown): `queued`, the attempt not counted. */
  release(jobId: string, token: string): Promise<LeaseOutcome>;

  /** Ends a leased job as `cancelled` (after a cancel request reached its worker). */
  finishCancelled(jobId: string, token: string, reason: string): Promise<LeaseOutcome>;

  /** Pauses a leased job in `awaiting_confirmation` (the lease keeps being renewed). */
  awaitConfirmation(
    jobId: string,
    token: string,
    confirmation: { prompt: string; action?: unknown },
  ): Promise<LeaseOutcome>;

  /** Returns a job from `awaiting_confirmation` to `running`. */
  resume(jobId: string, token: string): Promise<LeaseOutcome>;

  /**
   * Cancels a job: `queued`/`delayed` become `cancelled` at once; a running or paused job gets
   * `cancel_requested` and is ended by its engine. Null when unknown; final jobs are returned as
   * they are.
   */
  cancel(jobId: string, reason?: string): Promise<JobRecord | null>;

  /**
   * Answers a job paused in `awaiting_confirmation`, from any process: the answer is stored on
   * the record and the engine holding the job passes it on (woken through `watchControl`).
   * Returns the job as it is after the call (unchanged when it was not awaiting an answer, or
   * one was given already); null when unknown.
   */
  decide(jobId: string, decision: "allow" | "deny"): Promise<JobRecord | null>;

  /**
   * Calls `listener` with the id of a job whose cancel was requested or whose confirmation was
   * answered through `cancel()` or `decide()`, in any process that shares the store where the
   * backend can tell (Redis: every process; memory and KV: this process; engines also check
   * the record on every heartbeat). Returns a function that unsubscribes.
   */
  watchControl(listener: (jobId: string) => void): () => void;

  /** Re-queues a `failed` or `dead` job with a fresh attempt budget. */
  retry(jobId: string): Promise<JobRecord | null>;

  /**
   * Returns running jobs whose lease expired before `now` to the queue (or to `dead` when their
   * attempts are used up). Returns the jobs it moved.
   */
  recoverExpired(now?: number): Promise<JobRecord[]>;

  get(jobId: string): Promise<JobRecord | null>;
  getUtterance(utteranceId: string): Promise<UtteranceRecord | null>;
  listByUtterance(utteranceId: string): Promise<JobRecord[]>;
  /** The session's utterances, newest first, at most `limit`. */
  listSessionUtterances(sessionId: string, limit: number): Promise<UtteranceRecord[]>;
  list(options?: ListOptions): Promise<JobPage>;
  depth(): Promise<QueueDepth>;

  /**
   * Resolves when new work may be runnable (an enqueue, a retry, a lease expiry) or after
   * `timeoutMs`, whichever comes first. Lets the engine sleep instead of polling hot.
   */
  waitForWork(timeoutMs: number, signal?: AbortSignal): Promise<void>;

  /** Answers when the store is reachable (for `/healthz`). */
  ping(): Promise<void>;

  /**
   * Whether an error from this store means it is briefly unavailable (restarting, loading its
   * data), so that the request is answered 503 and retried. Without it, or when it says no, the
   * gateway asks {@linkcode ping}, which cannot see an outage that ended a moment before.
   */
  isUnavailable?(err: unknown): boolean;

  close(): Promise<void>;
}

/** Thrown when a store operation cannot be done (connection lost, conflict after retries). */
export class QueueError extends Error {
  override name = "QueueError";
}
