/**
 * @module
 * How many jobs the engine may claim at once, and of which intents: the claims of one batch
 * go out together (one store round serves them all), so the batch must fit every skill it may
 * land on. A job of any intent in the filter may fill any claim, so the batch is capped by the
 * skill with the least room among them, as well as by the engine's free slots.
 */

/** A skill's intent, its concurrency and the jobs of it running now. */
export interface SkillLoad {
  intent: string;
  concurrency: number;
  running: number;
}

export interface ClaimRoom {
  /** Claims to make now (0: wait for a slot). */
  count: number;
  /** The intents to claim; undefined for every intent, known or not. */
  intents?: string[];
}

/** Claims sent at most in one batch (a kv claim round leases up to ten jobs). */
export const MAX_CLAIM_BATCH = 10;

/**
 * The claims to make with `free` engine slots left. When every skill has room and
 * `claimUnknown` is set, the claim is unfiltered, so that jobs of intents with no worker are
 * taken too (to fail at once with `no_worker`) instead of waiting forever.
 */
export function claimRoom(
  skills: Iterable<SkillLoad>,
  free: number,
  claimUnknown: boolean,
): ClaimRoom {
  const intents: string[] = [];
  let all = 0;
  let least = Infinity;
  for (const skill of skills) {
    all++;
    const left = skill.concurrency - skill.running;
    if (left <= 0) continue;
    intents.push(skill.intent);
    least = Math.min(least, left);
  }
  const unfiltered = intents.length === all && claimUnknown;
  if (free <= 0 || (!unfiltered && intents.length === 0)) return { count: 0 };
  const count = Math.max(1, Math.min(free, least, MAX_CLAIM_BATCH));
  return unfiltered ? { count } : { count, intents };
}
