/**
 * @module
 * Job and utterance ids: ULIDs, so that ids sort by creation time and prefix listing in a
 * key-value store is chronological.
 */
import { monotonicFactory } from "ulid";

/**
 * The library's own generator asks the system for one random byte per character (16 calls per
 * id). The same bytes come from a pool refilled 4 KiB at a time: the same source and the same
 * distribution (a byte / 256), without a system call for each character.
 */
const pool = new Uint8Array(4096);
let used = pool.length;
function pooledRandom(): number {
  if (used === pool.length) {
    crypto.getRandomValues(pool);
    used = 0;
  }
  return pool[used++]! / 256;
}

const next = monotonicFactory(pooledRandom);

/** A new ULID (26 characters, Crockford base32, time-ordered). */
export function newId(): string {
  return next();
}
