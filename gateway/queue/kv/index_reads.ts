/**
 * @module
 * Reads of the kv store that go through an index and touch no job record: a session's
 * utterances and the queue's depth per state.
 */
import type { UtteranceRecord } from "@shared/schemas/mod.ts";
import type { QueueDepth } from "../queue.ts";
import {
  DELAYED,
  type IndexValue,
  LEASE,
  PAUSED,
  READY_BY_INTENT,
  SESSION_UTTERANCE,
  utteranceKey,
} from "./keys.ts";
import { fromStored } from "./record_codec.ts";

/** The session's utterances, newest first, at most `limit`. */
export async function sessionUtterances(
  kv: Deno.Kv,
  sessionId: string,
  limit: number,
): Promise<UtteranceRecord[]> {
  if (limit <= 0) return [];
  const keys: Deno.KvKey[] = [];
  const index = kv.list<IndexValue>({ prefix: [SESSION_UTTERANCE, sessionId] }, {
    reverse: true,
    limit,
  });
  for await (const e of index) keys.push(utteranceKey(e.key[3] as string));
  const out: UtteranceRecord[] = [];
  for (let i = 0; i < keys.length; i += 10) {
    const entries = await kv.getMany<(Uint8Array | UtteranceRecord)[]>(keys.slice(i, i + 10));
    for (const e of entries) {
      const record = fromStored(e.value);
      if (record) out.push(record);
    }
  }
  return out;
}

async function count(kv: Deno.Kv, prefix: Deno.KvKey): Promise<number> {
  let n = 0;
  for await (const _ of kv.list({ prefix }, { batchSize: 1000 })) n++;
  return n;
}

/** Jobs per state, counted on the indexes. */
export async function queueDepth(kv: Deno.Kv): Promise<QueueDepth> {
  const [queued, delayed, leased, paused] = await Promise.all([
    count(kv, [READY_BY_INTENT]),
    count(kv, [DELAYED]),
    count(kv, [LEASE]),
    count(kv, [PAUSED]),
  ]);
  return { queued, delayed, running: leased - paused, awaiting_confirmation: paused };
}
