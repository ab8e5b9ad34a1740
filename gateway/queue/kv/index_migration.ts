/**
 * @module
 * Brings the indexes of a kv store written by an older version up to the current layout
 * (`INDEX_VERSION` in `keys.ts`), when the store is opened:
 * - version 2 added the list indexes (`BY_STATUS`, `BY_INTENT`) to every job, each with a
 *   compare-and-swap on the job record, so a job changed meanwhile is indexed as it is now;
 * - version 3 dropped the `OLD_READY` index, which repeated `READY_BY_INTENT`: its keys are
 *   deleted (they are never read any more, so a partial run is harmless and runs again);
 * - version 4 dropped the `BY_STATUS` keys of queued and running jobs (`READY_BY_INTENT` and
 *   `LEASE` list them) and stores records as JSON bytes: those keys are deleted the same way,
 *   and records written as objects before stay readable as they are.
 * The version is written last, so a crash midway re-runs the migration on the next open.
 */
import type { JobRecord } from "@shared/schemas/mod.ts";
import { QueueError } from "../queue.ts";
import { commitAtomic, type KvWrite } from "./group_commit.ts";
import {
  BY_INTENT,
  BY_STATUS,
  INDEX_VALUE,
  INDEX_VERSION,
  indexKeys,
  indexVersionKey,
  JOB,
  OLD_READY,
} from "./keys.ts";
import type { StoredJob } from "./record_codec.ts";

const MAX_ATTEMPTS = 20;
/** Keys deleted per commit (a commit takes at most 1000 mutations). */
const DELETE_BATCH = 500;

export interface MigrationStore {
  kv: Deno.Kv;
  /** Reads a job record and the entry to check a write against. */
  load(id: string): Promise<{ entry: Deno.KvEntryMaybe<StoredJob>; job: JobRecord | null }>;
  /** Commits a checked write; false when a check failed. */
  submit(write: KvWrite): Promise<boolean>;
}

/** Migrates the store's indexes to the current version; nothing when it is current. */
export async function migrateIndexes(store: MigrationStore): Promise<void> {
  const version = (await store.kv.get<number>(indexVersionKey)).value ?? 0;
  if (version >= INDEX_VERSION) return;
  if (version < 2) await addListIndexes(store);
  await deletePrefix(store.kv, [OLD_READY]);
  await deletePrefix(store.kv, [BY_STATUS, "queued"]);
  await deletePrefix(store.kv, [BY_STATUS, "running"]);
  await store.kv.set(indexVersionKey, INDEX_VERSION);
}

async function addListIndexes(store: MigrationStore): Promise<void> {
  for await (const e of store.kv.list<StoredJob>({ prefix: [JOB] }, { batchSize: 500 })) {
    const id = e.key[1] as string;
    for (let i = 0;; i++) {
      const { entry, job } = await store.load(id);
      if (!job) break;
      const committed = await store.submit({
        checks: [entry],
        // Only the list indexes of version 2, as later versions have them.
        mutations: indexKeys(job)
          .filter((key) => key[0] === BY_STATUS || key[0] === BY_INTENT)
          .map((key) => ({ type: "set", key, value: INDEX_VALUE })),
        bytes: 200,
      });
      if (committed) break;
      if (i === MAX_ATTEMPTS) {
        throw new QueueError(`Cannot index job '${id}' as it kept changing concurrently`);
      }
    }
  }
}

/** Deletes every key under `prefix` (keys no version reads any more). */
async function deletePrefix(kv: Deno.Kv, prefix: Deno.KvKey): Promise<void> {
  for (;;) {
    const keys: Deno.KvKey[] = [];
    for await (const e of kv.list({ prefix }, { limit: DELETE_BATCH })) {
      keys.push(e.key);
    }
    if (keys.length === 0) return;
    await commitAtomic(() => {
      const op = kv.atomic();
      for (const key of keys) op.delete(key);
      return op;
    });
  }
}
