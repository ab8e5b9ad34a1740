/**
 * @module
 * Which Redis errors mean "the store is there but cannot answer yet" rather than a bug: the
 * gateway answers those with 503 so that clients retry. A ping after the error cannot tell: a
 * Redis that restarts answers LOADING to commands while it reads its append-only file, often for
 * a few milliseconds only, and a PING sent just after may already succeed.
 */
import {
  ClientClosedError,
  ClientOfflineError,
  ConnectionTimeoutError,
  DisconnectsClientError,
  ErrorReply,
  ReconnectStrategyError,
  SocketClosedUnexpectedlyError,
  SocketTimeoutError,
} from "redis";

/**
 * Server replies of a Redis that will answer shortly: loading its data, busy with a script,
 * waiting for its primary or its cluster.
 */
const UNAVAILABLE_REPLY = /^(?:LOADING|BUSY|MASTERDOWN|TRYAGAIN|CLUSTERDOWN)\b/;

/** The client's errors while its connection is down or being made again. */
const CONNECTION_ERRORS = [
  ClientClosedError,
  ClientOfflineError,
  ConnectionTimeoutError,
  DisconnectsClientError,
  ReconnectStrategyError,
  SocketClosedUnexpectedlyError,
  SocketTimeoutError,
];

/** Whether `err` (or an error it was caused by) says Redis is briefly unavailable. */
export function isRedisUnavailable(err: unknown): boolean {
  // A few levels of `cause`: the queue wraps some errors in its own.
  for (let e = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof ErrorReply) return UNAVAILABLE_REPLY.test(e.message);
    if (CONNECTION_ERRORS.some((type) => e instanceof type)) return true;
  }
  return false;
}
