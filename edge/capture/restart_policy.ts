/**
 * @module
 * Whether, and after how long, a live capture that stopped is restarted: exponential backoff
 * (400 ms doubling, at most 5 s) and a give-up after too many restarts in a row. A run that
 * lasted `stableMs` was a working microphone, so its end starts the count again: a long session
 * survives any number of occasional stops, while a device that keeps dying young is given up on.
 */

export interface RestartPolicyOptions {
  /** Restarts in a row before giving up. @default 5 */
  maxRestarts?: number;
  /** A run at least this long resets the count, ms. @default 60000 */
  stableMs?: number;
}

/** The next restart (`restarts` is its number in the current row), or null to give up. */
export type RestartDecision = { restarts: number; delayMs: number } | null;

/** Given the restarts so far in a row and how long the run that just ended lasted. */
export function nextRestart(
  state: { restarts: number; ranMs: number },
  options: RestartPolicyOptions = {},
): RestartDecision {
  const { maxRestarts = 5, stableMs = 60_000 } = options;
  const restarts = (state.ranMs >= stableMs ? 0 : state.restarts) + 1;
  if (restarts > maxRestarts) return null;
  return { restarts, delayMs: Math.min(200 * 2 ** restarts, 5000) };
}
