/**
 * @module
 * A skill's retry policy: how many attempts a job gets, the delays between them and the hard
 * limit of one attempt. The engine's backoff reads it; skills declare it.
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
