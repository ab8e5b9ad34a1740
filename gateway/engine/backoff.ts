/**
 * @module
 * Retry policy and the pure backoff function: exponential with jitter, capped, and never
 * shorter than what a provider asked for with `retry-after`.
 */

export interface RetryPolicy {
  /** Attempts in total, the first included. */
  attempts: number;
  /** Delay before the 2nd attempt. */
  base_delay_ms: number;
  /** Upper bound of any delay. */
  max_delay_ms: number;
  /** Hard limit of one attempt. */
  timeout_ms: number;
  /** Multiplier per attempt. @default 2 */
  factor?: number;
  /** Fraction of the delay randomised either way. @default 0.2 */
  jitter?: number;
}

/** Thrown for a policy that cannot work. */
export class InvalidRetryPolicyError extends Error {
  override name = "InvalidRetryPolicyError";
}

export function validateRetryPolicy(policy: RetryPolicy): RetryPolicy {
  if (!Number.isInteger(policy.attempts) || policy.attempts < 1) {
    throw new InvalidRetryPolicyError(
      `Cannot retry as 'attempts' must be a positive integer: current value is ${policy.attempts}`,
    );
  }
  if (policy.base_delay_ms < 0 || policy.max_delay_ms < policy.base_delay_ms) {
    throw new InvalidRetryPolicyError(
      `Cannot retry as 'max_delay_ms' must be at least 'base_delay_ms' (${policy.base_delay_ms}): current value is ${policy.max_delay_ms}`,
    );
  }
  return policy;
}

/**
 * Delay before the next attempt, after `attempt` attempts have run (1 = the first failed).
 * `random` returns [0, 1); the jitter spreads retries of many jobs apart.
 */
export function backoffDelay(
  attempt: number,
  policy: RetryPolicy,
  options: { retryAfterMs?: number; random?: () => number } = {},
): number {
  const factor = policy.factor ?? 2;
  const jitter = policy.jitter ?? 0.2;
  const random = options.random ?? Math.random;
  const raw = policy.base_delay_ms * factor ** Math.max(0, attempt - 1);
  const spread = raw * jitter * (random() * 2 - 1);
  const delay = Math.min(policy.max_delay_ms, Math.max(0, raw + spread));
  return Math.round(Math.max(delay, options.retryAfterMs ?? 0));
}
