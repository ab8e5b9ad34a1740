/**
 * @module
 * Errors a worker throws to tell the engine how to treat a failure.
 */

/** A failure with a machine-readable code; `retryable` decides whether another attempt runs. */
export class WorkerError extends Error {
  override name = "WorkerError";
  readonly code: string;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  constructor(
    code: string,
    message: string,
    options: { retryable?: boolean; retryAfterMs?: number; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryable = options.retryable ?? true;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** Ends the job at once: no further attempts (bad request, bad key, policy refusal). */
export class UnrecoverableError extends WorkerError {
  override name = "UnrecoverableError";
  constructor(code: string, message: string, options: { cause?: unknown } = {}) {
    super(code, message, { ...options, retryable: false });
  }
}

/** Thrown inside a worker when its job was aborted (cancel or timeout). */
export class JobAbortedError extends Error {
  override name = "JobAbortedError";
}
