/**
 * @module
 * The best runnable jobs in the kv store, from the one ready index,
 * `[READY_BY_INTENT, intent, rank, job_id]`: interactive (rank 0) first, then oldest (ids are
 * ULIDs). For given intents each intent's head is read; for every intent the index is read in
 * key order, intent after intent, skipping the rest of an intent once `limit` of its jobs are
 * in hand (none of them can be among the best `limit`), so a backlog of one intent costs one
 * more read, not a scan. `readyIntents` skips from intent to intent the same way, for listing
 * queued jobs.
 */
import { type IndexValue, READY_BY_INTENT } from "./keys.ts";

/** Reads at most this many pages for one call; a store with more intents than that is rare. */
const MAX_PAGES = 32;

interface Head {
  rank: number;
  id: string;
}

const byRankThenId = (a: Head, b: Head) =>
  a.rank - b.rank || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * The first ready-index key after every job of `intent`: a boolean sorts after every number, so
 * [.., intent, true] comes after every [.., intent, rank, id].
 */
function pastIntent(intent: string): Deno.KvKey {
  return [READY_BY_INTENT, intent, true];
}

/** The intents with runnable jobs, in key order: one read of one key per intent. */
export async function readyIntents(kv: Deno.Kv): Promise<string[]> {
  const intents: string[] = [];
  let start: Deno.KvKey | undefined;
  for (;;) {
    const selector = start ? { prefix: [READY_BY_INTENT], start } : { prefix: [READY_BY_INTENT] };
    let next: string | undefined;
    for await (const e of kv.list<IndexValue>(selector, { limit: 1 })) next = e.key[1] as string;
    if (next === undefined) return intents;
    intents.push(next);
    start = pastIntent(next);
  }
}

/** Ids of the best `limit` runnable jobs, of `intents` or of every intent when undefined. */
export async function readyHeads(
  kv: Deno.Kv,
  intents: readonly string[] | undefined,
  limit: number,
): Promise<string[]> {
  const heads: Head[] = [];
  const add = (key: Deno.KvKey) => heads.push({ rank: key[2] as number, id: key[3] as string });
  if (intents) {
    for (const intent of intents) {
      for await (const e of kv.list<IndexValue>({ prefix: [READY_BY_INTENT, intent] }, { limit })) {
        add(e.key);
      }
    }
  } else {
    const perIntent = new Map<string, number>();
    let start: Deno.KvKey | undefined;
    let cursor: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const selector = start ? { prefix: [READY_BY_INTENT], start } : { prefix: [READY_BY_INTENT] };
      const entries = kv.list<IndexValue>(selector, { limit, ...(cursor ? { cursor } : {}) });
      let n = 0;
      let last = "";
      for await (const e of entries) {
        n++;
        last = e.key[1] as string;
        const seen = (perIntent.get(last) ?? 0) + 1;
        perIntent.set(last, seen);
        if (seen <= limit) add(e.key);
      }
      if (n < limit) break;
      if ((perIntent.get(last) ?? 0) >= limit) {
        // Enough of this intent: go on from the next one.
        start = pastIntent(last);
        cursor = undefined;
      } else {
        cursor = entries.cursor;
      }
    }
  }
  return heads.sort(byRankThenId).slice(0, limit).map((h) => h.id);
}
