/**
 * @module
 * When to reconnect the Realtime WebSocket, and when to stop trying: the one place that
 * decides it. Pure: the transcriber reports how each connection ended and gets back a delay
 * or a reason to give up.
 *
 * - A connection that could not be opened at all (refused, DNS, timeout) is a network
 *   problem: retry with exponential backoff and jitter, without limit.
 * - A handshake refused with 401/403, or an auth error event, is a bad key: give up at once.
 * - A connection that opened and then died young, again and again, means the provider keeps
 *   rejecting what we send (a bad key reported in-band, a bad session): give up after a few,
 *   with a message saying so, instead of hammering the provider.
 * - A connection that lived long resets the count: its death was a blip.
 * - A planned rotation reconnects at once.
 *
 * {@linkcode judgeErrorEvent} makes the same call for the provider's in-band `error` events.
 */

import { backoffDelay, type BackoffPolicy } from "../support/backoff.ts";

/** Options of the reconnect policy (the backoff, and the "dying young" rule); all defaulted. */
export interface ReconnectPolicy extends BackoffPolicy {
  /** A connection that dies within this time after opening died young. @default 5000 */
  youngMs?: number;
  /** Give up after this many young deaths in a row. @default 4 */
  maxYoungDeaths?: number;
}

/** How one connection ended. */
export type ConnectionEnd =
  /** The socket never opened (network error, handshake failed without an auth status). */
  | { kind: "unreachable"; detail: string }
  /** The handshake was refused with 401 or 403, or the provider said the key is bad. */
  | { kind: "auth"; detail: string }
  /** It opened, lived `livedMs`, then closed or errored. */
  | { kind: "closed"; livedMs: number; detail: string }
  /** We closed it on purpose to start a fresh session before the provider's limit. */
  | { kind: "rotation" };

/** Counters the policy keeps between connections. */
export interface ReconnectState {
  /** Failed attempts since the last healthy connection. */
  attempt: number;
  /** Young deaths in a row. */
  youngDeaths: number;
}

export type ReconnectDecision =
  | { action: "retry"; delayMs: number; state: ReconnectState }
  | { action: "give_up"; reason: string; state: ReconnectState };

export const INITIAL_RECONNECT_STATE: ReconnectState = { attempt: 0, youngDeaths: 0 };

/** Decides what to do after a connection ended. */
export function decideReconnect(
  state: ReconnectState,
  end: ConnectionEnd,
  policy: ReconnectPolicy = {},
  random: () => number = Math.random,
): ReconnectDecision {
  const youngMs = policy.youngMs ?? 5000;
  const maxYoung = policy.maxYoungDeaths ?? 4;
  switch (end.kind) {
    case "rotation":
      return { action: "retry", delayMs: 0, state: { attempt: 0, youngDeaths: 0 } };
    case "auth":
      return {
        action: "give_up",
        reason:
          `the Realtime API refused the credentials (${end.detail}): check OPENAI_API_KEY; a bad key is not a network blip, so no retry`,
        state,
      };
    case "unreachable": {
      const attempt = state.attempt + 1;
      return {
        action: "retry",
        delayMs: backoffDelay(attempt, policy, random),
        state: { attempt, youngDeaths: state.youngDeaths },
      };
    }
    case "closed": {
      if (end.livedMs >= youngMs) {
        // It was healthy for a while: a blip. Retry soon, with a fresh count.
        return {
          action: "retry",
          delayMs: backoffDelay(1, policy, random),
          state: { attempt: 1, youngDeaths: 0 },
        };
      }
      const youngDeaths = state.youngDeaths + 1;
      const attempt = state.attempt + 1;
      if (youngDeaths >= maxYoung) {
        return {
          action: "give_up",
          reason:
            `the Realtime connection died within ${youngMs} ms of opening ${youngDeaths} times in a row (last: ${end.detail}): the provider keeps rejecting this session, giving up`,
          state: { attempt, youngDeaths },
        };
      }
      return {
        action: "retry",
        delayMs: backoffDelay(attempt, policy, random),
        state: { attempt, youngDeaths },
      };
    }
  }
}

/** True when a Deno WebSocket error message reports a 401 or 403 handshake answer. */
export function isAuthHandshakeError(message: string): boolean {
  return /\b(?:status(?: code)?:?\s*)(401|403)\b/i.test(message);
}

/** True for error codes/types by which the provider says the key or the account is refused. */
export function isAuthErrorCode(code: string | null | undefined, type?: string): boolean {
  return /^(invalid_api_key|invalid_authentication|unauthorized|authentication_error|account_deactivated)$/
    .test(code ?? "") ||
    /^(authentication_error|permission_error)$/.test(type ?? "");
}

/** The provider's `error` event, as far as the verdict needs it. */
export interface ErrorEventDetails {
  type: string;
  message: string;
  code?: string | null | undefined;
}

/** What an `error` event means: stop for good, lose one segment's commit, or just log it. */
export type ErrorEventVerdict =
  | { action: "give_up"; reason: string }
  | { action: "segment_failed"; reason: string }
  | { action: "log" };

/**
 * Judges an `error` event. `about` says what the event's `event_id` names: a `session.update`
 * of this connection (the session settings were refused: no retry helps), or a commit.
 */
export function judgeErrorEvent(
  error: ErrorEventDetails,
  about: { sessionUpdate: boolean; commit: boolean },
): ErrorEventVerdict {
  const code = error.code ?? null;
  if (isAuthErrorCode(code, error.type)) {
    return {
      action: "give_up",
      reason: `the Realtime API refused the credentials: ${error.message}`,
    };
  }
  if (about.sessionUpdate) {
    return {
      action: "give_up",
      reason: `the Realtime API rejected the session settings: ${error.message}${
        code ? ` (${code})` : ""
      }`,
    };
  }
  if (about.commit) return { action: "segment_failed", reason: `commit refused: ${error.message}` };
  return { action: "log" };
}
