/**
 * @module
 * Job and utterance ids: ULIDs, so that ids sort by creation time and prefix listing in a
 * key-value store is chronological.
 */
import { monotonicFactory } from "ulid";

const next = monotonicFactory();

/** A new ULID (26 characters, Crockford base32, time-ordered). */
export function newId(): string {
  return next();
}
