/**
 * @module
 * Which claims the engine sends at once. Claims sent together are served by the store in one
 * round (one read and one write for the lot), so an engine with free slots fills them in one
 * go; but a batch must never give a skill more jobs than it has room for, whichever jobs the
 * store hands out. A claim of a batch may land on any intent of its filter, so:
 * - the first group may take any intent with room (every intent, unknown ones too, when every
 *   skill has room), as many claims as the tightest of those skills has room for;
 * - the second group fills the rest of the free slots, with only the skills that have room for
 *   the whole batch (a skill in both groups then gets at most the whole batch).
 */

/** A skill's intent, its concurrency and the jobs of it running now. */
export interface SkillLoad {
  intent: string;
  concurrency: number;
  running: number;
}

export interface ClaimGroup {
  /** Claims to make (at least 1). */
  count: number;
  /** The intents to claim; undefined for every intent, known or not. */
  intents?: string[];
}

/** Claims sent at most in one batch (a kv claim round leases up to ten jobs). */
export const MAX_CLAIM_BATCH = 10;

/**
 * The claims to make with `free` engine slots left: none to wait for a slot. When every skill
 * has room and `claimUnknown` is set, the first group is unfiltered, so that jobs of intents
 * with no worker are taken too (to fail at once with `no_worker`) instead of waiting forever.
 */
export function claimGroups(
  skills: Iterable<SkillLoad>,
  free: number,
  claimUnknown: boolean,
): ClaimGroup[] {
  const rooms = [...skills].map((s) => ({ intent: s.intent, room: s.concurrency - s.running }));
  const open = rooms.filter((s) => s.room > 0);
  const unfiltered = open.length === rooms.length && claimUnknown;
  const batch = Math.min(free, MAX_CLAIM_BATCH);
  if (batch <= 0 || (!unfiltered && open.length === 0)) return [];
  const first = Math.min(batch, ...open.map((s) => s.room));
  const groups: ClaimGroup[] = [
    unfiltered ? { count: first } : { count: first, intents: open.map((s) => s.intent) },
  ];
  const wide = open.filter((s) => s.room >= batch).map((s) => s.intent);
  if (first < batch && wide.length > 0) groups.push({ count: batch - first, intents: wide });
  return groups;
}
