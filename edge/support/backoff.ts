/**
 * @module
 * Exponential backoff with jitter: the one delay rule of the edge's retries (the Realtime
 * reconnect, the outbox's POSTs, the follower's polls, the session event stream). Pure.
 */

/** Shape of a backoff; every field has a default. */
export interface BackoffPolicy {
  /** Delay before the first retry. @default 250 */
  baseDelayMs?: number;
  /** Cap of any delay. @default 10000 */
  maxDelayMs?: number;
  /** Multiplier per failed attempt. @default 2 */
  factor?: number;
  /** Fraction of each delay randomised either way. @default 0.3 */
  jitter?: number;
}

/** The delay before retry number `attempt` (1 is the first retry), in ms. */
export function backoffDelay(
  attempt: number,
  policy: BackoffPolicy = {},
  random: () => number = Math.random,
): number {
  const base = policy.baseDelayMs ?? 250;
  const max = policy.maxDelayMs ?? 10_000;
  const raw = Math.min(max, base * (policy.factor ?? 2) ** Math.max(0, attempt - 1));
  const spread = raw * (policy.jitter ?? 0.3) * (random() * 2 - 1);
  return Math.round(Math.min(max, Math.max(0, raw + spread)));
}
