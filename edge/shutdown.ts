/**
 * @module
 * How the streaming edge stops: once capture has ended (end of file, Ctrl-C, or a refused
 * gateway token) it waits for what is in flight to settle, and on Ctrl-C or a refusal only
 * for a bounded grace time, after which it says plainly what was left undone. Pure but for
 * the timer (injectable).
 */

/** Time given to in-flight work after the first Ctrl-C (or a refused token). */
export const SHUTDOWN_GRACE_MS = 5000;

/** How the wait for in-flight work ended. */
export type SettleOutcome =
  | { kind: "settled" }
  | { kind: "failed"; error: unknown }
  | { kind: "timed_out" };

/**
 * Waits for `work`; once `stopping` resolves, waits at most `graceMs` more. Never rejects:
 * a failure of `work` is an outcome, and a late one after a time-out is swallowed.
 */
export async function settleWithin(
  work: Promise<unknown>,
  stopping: Promise<unknown>,
  graceMs: number,
  schedule: Schedule = defaultSchedule,
): Promise<SettleOutcome> {
  let cancel: (() => void) | undefined;
  const finished = work.then(
    (): SettleOutcome => ({ kind: "settled" }),
    (error): SettleOutcome => ({ kind: "failed", error }),
  );
  const deadline = stopping.then(() =>
    new Promise<SettleOutcome>((resolve) => {
      cancel = schedule(() => resolve({ kind: "timed_out" }), graceMs);
    })
  );
  try {
    return await Promise.race([finished, deadline]);
  } finally {
    cancel?.();
  }
}

/** Runs `fn` after `ms`; returns what cancels it. Injected by tests in place of a real timer. */
export type Schedule = (fn: () => void, ms: number) => () => void;

const defaultSchedule: Schedule = (fn, ms) => {
  const timer = setTimeout(fn, ms);
  return () => clearTimeout(timer);
};

/** What was still in flight when the edge stopped waiting. */
export interface Pending {
  /** Speech segments the transcriber had not finished (their audio is only in memory). */
  untranscribed: number;
  /** Utterances the gateway has not acknowledged (they are on disk in `outboxDir`). */
  undelivered: number;
  outboxDir: string;
  /** Utterances acknowledged but not final on the gateway. */
  following: number;
}

/** One line per kind of unfinished work; none when nothing was left. */
export function describePending(p: Pending): string[] {
  const lines: string[] = [];
  if (p.untranscribed > 0) {
    lines.push(`${p.untranscribed} speech segment(s) not transcribed: lost`);
  }
  if (p.undelivered > 0) {
    lines.push(
      `${p.undelivered} utterance(s) not delivered: kept in ${p.outboxDir} for the next start`,
    );
  }
  if (p.following > 0) {
    lines.push(
      `${p.following} utterance(s) still running on the gateway: no longer followed here`,
    );
  }
  return lines;
}
