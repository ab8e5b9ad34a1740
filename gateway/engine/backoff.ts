/**
 * @module
 * The pure backoff function of a retry policy: exponential with jitter, capped, and never
 * shorter than what a provider asked for with `retry-after`.
 */
import type { RetryPolicy } from "../skill_kit/retry_policy.ts";

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
