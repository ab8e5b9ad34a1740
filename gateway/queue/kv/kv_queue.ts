/**
 * @module
 * The default, durable queue backend on Deno KV (a SQLite file under the data dir). A job record
 * and its secondary indexes change together in one `kv.atomic()` checked on the record's
 * versionstamp, so concurrent engines (in this process or others on the same file) never both
 * claim a job, and a crash at any point leaves either the old or the new state. Retry state
 * lives in the job records, not in KV's own queue (whose backoff takes at most 5 entries).
 */
import type { JobRecord, UtteranceRecord } from "@shared/schemas/mod.ts";
import { newId } from "../ids.ts";
import { claimJob, promoteJob } from "../job_ops.ts";
import {
  type ClaimOptions,
  type JobQueue,
  type LeaseOutcome,
  type ListOptions,
  type QueueDepth,
  QueueError,
} from "../queue.ts";
import { CasQueue, type Change } from "../cas_queue.ts";
import { GroupCommit, type KvWrite } from "./group_commit.ts";
import { HeldRecords } from "./held_records.ts";
import { QueuedRecords } from "./queued_records.ts";
import { DueTracker } from "./due_tracker.ts";
import { migrateIndexes } from "./index_migration.ts";
import { readyHeads, readyIntents } from "./ready_heads.ts";
import { queueDepth, sessionUtterances } from "./index_reads.ts";
import {
  BY_INTENT,
  BY_STATUS,
  chunkKey,
  DELAYED,
  INDEX_VALUE,
  indexKeys,
  type IndexValue,
  JOB,
  jobKey,
  LEASE,
  READY_BY_INTENT,
  SESSION_UTTERANCE,
  utteranceKey,
} from "./keys.ts";
import {
  chunkCount,
  type ChunkedHead,
  decodeJob,
  encodeJob,
  fromStored,
  inlineJob,
  isChunked,
  type StoredJob,
  toStored,
} from "./record_codec.ts";

const MAX_ATTEMPTS = 20;

export interface KvQueueOptions {
  now?: () => number;
  /** Closes the KV handle on `close()`. @default true */
  ownsKv?: boolean;
}

function sameKey(a: Deno.KvKey, b: Deno.KvKey): boolean {
  return a.length === b.length && a.every((part, i) => part === b[i]);
}

/** Jobs one claim round takes at most (a `getMany` reads at most 10 keys). */
const CLAIM_BATCH = 10;

/** A job as read: the entry at its key (for the versionstamp check) and the whole record. */
interface Loaded {
  entry: Deno.KvEntryMaybe<StoredJob>;
  job: JobRecord | null;
}

interface ClaimWaiter {
  options: ClaimOptions;
  resolve: (job: JobRecord | null) => void;
  reject: (err: unknown) => void;
}

export class KvQueue extends CasQueue implements JobQueue {
  readonly backend = "kv" as const;
  readonly #kv: Deno.Kv;
  readonly #clock: () => number;
  readonly #ownsKv: boolean;
  readonly #writes: GroupCommit;
  /** Records of the jobs this process holds leases on, to write them again without a read. */
  readonly #held = new HeldRecords();
  /** Records of the jobs this process enqueued, to lease them without a read. */
  readonly #queued = new QueuedRecords();
  readonly #due = new DueTracker();
  /** Claims waiting for the next claim round, grouped by intents filter. */
  readonly #claimWaiters = new Map<string, ClaimWaiter[]>();
  #claiming = false;

  constructor(kv: Deno.Kv, options: KvQueueOptions = {}) {
    super();
    this.#kv = kv;
    this.#writes = new GroupCommit(kv);
    this.#clock = options.now ?? Date.now;
    this.#ownsKv = options.ownsKv ?? true;
  }

  /**
   * Opens (or creates) the store at `path` (`:memory:` for tests) and brings the indexes of a
   * store written by an older version up to date.
   */
  static async open(path: string, options: KvQueueOptions = {}): Promise<KvQueue> {
    const queue = new KvQueue(await Deno.openKv(path), options);
    try {
      await queue.#migrate();
    } catch (err) {
      await queue.close();
      throw err;
    }
    return queue;
  }

  #migrate(): Promise<void> {
    return migrateIndexes({
      kv: this.#kv,
      load: (id) => this.#load(id),
      submit: (write) => this.#writes.submit(write),
    });
  }

  /**
   * Reads a job. A chunked record is read with its chunks in one `getMany`, a consistent
   * snapshot, so head and chunks always belong together.
   */
  async #load(jobId: string): Promise<Loaded> {
    let entry = await this.#kv.get<StoredJob>(jobKey(jobId));
    for (let i = 0; i < MAX_ATTEMPTS; i++) {
      const n = chunkCount(entry.value);
      if (n === 0) return { entry, job: inlineJob(entry.value as Exclude<StoredJob, ChunkedHead>) };
      const keys = [jobKey(jobId), ...Array.from({ length: n }, (_, k) => chunkKey(jobId, k))];
      const [head, ...chunks] = await this.#kv.getMany<unknown[]>(keys);
      const value = head!.value as StoredJob | null;
      if (value && isChunked(value) && value.$chunks === n) {
        return {
          entry: head as Deno.KvEntryMaybe<StoredJob>,
          job: decodeJob(value, chunks.map((c) => c.value as Uint8Array | null)),
        };
      }
      entry = head as Deno.KvEntryMaybe<StoredJob>; // rewritten meanwhile: read it again
    }
    throw new QueueError(`Cannot read job '${jobId}' as it kept changing concurrently`);
  }

  /** The mutations that store `next` over `old` (record, chunks, indexes), and their size. */
  #write(
    old: { stored: StoredJob | null; job: JobRecord | null },
    next: JobRecord,
  ): { mutations: Deno.KvMutation[]; bytes: number; inline: boolean } {
    const { head, chunks, bytes } = encodeJob(next);
    const id = next.job_id;
    const mutations: Deno.KvMutation[] = [{ type: "set", key: jobKey(id), value: head }];
    chunks.forEach((c, i) => mutations.push({ type: "set", key: chunkKey(id, i), value: c }));
    for (let i = chunks.length; i < chunkCount(old.stored); i++) {
      mutations.push({ type: "delete", key: chunkKey(id, i) });
    }
    // A record has at most five index keys: comparing them pairwise beats keying maps by text.
    const before = old.job ? indexKeys(old.job) : [];
    const after = indexKeys(next);
    for (const key of before) {
      if (!after.some((k) => sameKey(k, key))) mutations.push({ type: "delete", key });
    }
    for (const key of after) {
      if (!before.some((k) => sameKey(k, key))) {
        mutations.push({ type: "set", key, value: INDEX_VALUE });
      }
    }
    return { mutations, bytes: bytes + 100 * mutations.length, inline: chunks.length === 0 };
  }

  /** The compare-and-swap write that moves a loaded job to `next`. */
  #change(loaded: Loaded, next: JobRecord): KvWrite & { inline: boolean } {
    return {
      checks: [loaded.entry],
      ...this.#write({ stored: loaded.entry.value, ...loaded }, next),
    };
  }

  /** Notes a committed job write: wakes engines, tracks delayed jobs and the records held. */
  #wrote(next: JobRecord, versionstamp: string, inline: boolean): void {
    if (next.status === "queued") this.signal.notify();
    if (next.status === "delayed") {
      this.#due.delayed(next.run_at ?? 0);
      this.signal.notify();
    }
    this.#held.wrote(next, versionstamp, inline);
    this.#queued.forget(next.job_id);
  }

  /**
   * Writes a held job's next record checked against the versionstamp this process last wrote
   * it at, with no read. Undefined when the job is not held, the change stops (a refusal is
   * only ever answered from a fresh read) or the job changed meanwhile.
   */
  async #mutateHeld(jobId: string, change: Change): Promise<LeaseOutcome | undefined> {
    const held = this.#held.get(jobId);
    if (!held) return undefined;
    const entry = { key: jobKey(jobId), value: held.job, versionstamp: held.versionstamp };
    const next = change(held.job);
    if (!("stop" in next)) {
      const write = this.#change({ entry, job: held.job }, next);
      const stamp = await this.#writes.commit(write);
      if (stamp !== null) {
        this.#wrote(next, stamp, write.inline);
        return { ok: true, job: next };
      }
    }
    this.#held.forget(jobId);
    return undefined;
  }

  /**
   * Applies `change` to a job with compare-and-swap, retrying on conflicts. `change` returns
   * the next record, or an outcome to stop without writing.
   */
  protected now(): number {
    return this.#clock();
  }

  protected override async mutate(
    jobId: string,
    change: Change,
  ): Promise<LeaseOutcome> {
    const fast = await this.#mutateHeld(jobId, change);
    if (fast) return fast;
    for (let i = 0; i < MAX_ATTEMPTS; i++) {
      const loaded = await this.#load(jobId);
      const next = change(loaded.job);
      if ("stop" in next) return next.stop;
      if (loaded.job === null) return { ok: false, reason: "not_found" };
      const write = this.#change(loaded, next);
      const stamp = await this.#writes.commit(write);
      if (stamp !== null) {
        this.#wrote(next, stamp, write.inline);
        return { ok: true, job: next };
      }
    }
    throw new QueueError(`Cannot update job '${jobId}' as it kept changing concurrently`);
  }

  protected async insert(
    record: UtteranceRecord,
    records: readonly JobRecord[],
    now: number,
  ): Promise<boolean> {
    const key = utteranceKey(record.utterance_id);
    const value = toStored(record);
    const write: KvWrite = {
      checks: [{ key, versionstamp: null }],
      mutations: [{ type: "set", key, value }],
      bytes: value.length + 100,
    };
    if (record.session_id !== undefined) {
      (write.mutations as Deno.KvMutation[]).push({
        type: "set",
        key: [SESSION_UTTERANCE, record.session_id, now, record.utterance_id],
        value: INDEX_VALUE,
      });
      write.bytes += 200;
    }
    const inline: boolean[] = [];
    for (const r of records) {
      const w = this.#write({ stored: null, job: null }, r);
      (write.mutations as Deno.KvMutation[]).push(...w.mutations);
      write.bytes += w.bytes;
      inline.push(w.inline);
    }
    const stamp = await this.#writes.commit(write);
    if (stamp === null) return false;
    records.forEach((r, i) => this.#queued.enqueued(r, stamp, inline[i]!));
    return true;
  }

  protected wake(): void {
    this.signal.notify();
  }

  /**
   * Moves delayed jobs whose time has come back to the ready indexes. The index is read only
   * when a job may be due (see `due_tracker.ts`), not on every claim round.
   */
  async #promoteDue(now: number): Promise<void> {
    if (!this.#due.stale(now)) return;
    const mark = this.#due.mark();
    const ids: string[] = [];
    let next: number | null = null;
    for await (const e of this.#kv.list<IndexValue>({ prefix: [DELAYED] }, { limit: 100 })) {
      const at = e.key[1] as number;
      if (at > now) {
        next = at;
        break;
      }
      ids.push(e.key[2] as string);
    }
    // A hundred due at once: more may follow, so the next round reads again.
    this.#due.read(mark, now, ids.length === 100 ? now : next);
    for (const id of ids) {
      await this.mutate(
        id,
        (job) =>
          job && job.status === "delayed" && (job.run_at ?? 0) <= now
            ? promoteJob(job)
            : { stop: { ok: false, reason: "already_final" } },
      );
    }
  }

  /**
   * Concurrent claims are served in rounds: one round reads the best runnable jobs for up to
   * ten waiting claimers and leases them all in one atomic write.
   */
  claim(options: ClaimOptions): Promise<JobRecord | null> {
    this.#queued.want();
    const { promise, resolve, reject } = Promise.withResolvers<JobRecord | null>();
    const key = options.intents ? JSON.stringify(options.intents) : "*";
    const waiters = this.#claimWaiters.get(key) ?? [];
    waiters.push({ options, resolve, reject });
    this.#claimWaiters.set(key, waiters);
    if (!this.#claiming) void this.#claimRounds();
    return promise;
  }

  async #claimRounds(): Promise<void> {
    this.#claiming = true;
    try {
      // Claims made in the same turn (an engine filling its free slots) share the first round.
      await null;
      for (const [key, waiters] of this.#claimWaiters) {
        const batch = waiters.splice(0, CLAIM_BATCH);
        if (waiters.length === 0) this.#claimWaiters.delete(key);
        try {
          const jobs = await this.#claimMany(batch.map((w) => w.options));
          batch.forEach((w, i) => w.resolve(jobs[i] ?? null));
        } catch (err) {
          for (const w of batch) w.reject(err);
        }
      }
    } finally {
      this.#claiming = false;
    }
    if (this.#claimWaiters.size > 0) void this.#claimRounds();
  }

  /** Leases up to one job per claimer; every claimer of a round has the same intents filter. */
  async #claimMany(claimers: readonly ClaimOptions[]): Promise<JobRecord[]> {
    const intents = claimers[0]!.intents;
    this.claimGeneration = this.signal.generation;
    const now = this.now();
    await this.#promoteDue(now);
    const claimed: JobRecord[] = [];
    const claimable = (job: JobRecord | null): job is JobRecord =>
      job !== null && job.status === "queued" && (!intents || intents.includes(job.intent));
    for (let round = 0; round < 5 && claimed.length < claimers.length; round++) {
      // A couple of spares, in case another process takes some first.
      const want = claimers.length - claimed.length;
      const ids = await readyHeads(this.#kv, intents, Math.min(CLAIM_BATCH, want + 2));
      if (ids.length === 0) break;
      const entries = await this.#entries(ids);
      const picks: { loaded: Loaded; next: JobRecord }[] = [];
      for (const entry of entries) {
        const c = claimers[claimed.length + picks.length];
        if (!c) break;
        const loaded = entry.value && isChunked(entry.value)
          ? await this.#load(entry.value.job_id)
          : { entry, job: inlineJob(entry.value) };
        if (!claimable(loaded.job)) continue;
        picks.push({ loaded, next: claimJob(loaded.job, c.owner, newId(), c.leaseMs, now) });
      }
      if (picks.length === 0) continue;
      const writes = picks.map((p) => this.#change(p.loaded, p.next));
      const together: KvWrite = {
        checks: writes.flatMap((w) => w.checks),
        mutations: writes.flatMap((w) => w.mutations),
        bytes: writes.reduce((n, w) => n + w.bytes, 0),
      };
      const stamp = await this.#writes.commit(together);
      if (stamp !== null) {
        picks.forEach((p, i) => this.#wrote(p.next, stamp, writes[i]!.inline));
        claimed.push(...picks.map((p) => p.next));
        continue;
      }
      // Another process took or changed one of them: lease them one by one.
      for (const p of picks) {
        this.#queued.forget(p.next.job_id);
        const c = claimers[claimed.length]!;
        const outcome = await this.mutate(
          p.next.job_id,
          (job) =>
            claimable(job)
              ? claimJob(job, c.owner, newId(), c.leaseMs, now)
              : { stop: { ok: false, reason: "lease_lost" } },
        );
        if (outcome.ok) claimed.push(outcome.job);
      }
    }
    return claimed;
  }

  /**
   * The stored entries of `ids`, in order: the records this process enqueued as it wrote them,
   * the others read (in one consistent read).
   */
  async #entries(ids: readonly string[]): Promise<Deno.KvEntryMaybe<StoredJob>[]> {
    const kept = ids.map((id) => this.#queued.get(id));
    const missing = ids.filter((_, i) => kept[i] === undefined);
    const read = missing.length > 0
      ? await this.#kv.getMany<StoredJob[]>(missing.map((id) => jobKey(id)))
      : [];
    let r = 0;
    return ids.map((id, i) => {
      const k = kept[i];
      return k ? { key: jobKey(id), value: k.job, versionstamp: k.versionstamp } : read[r++]!;
    });
  }

  recoverExpired(now = this.now()): Promise<JobRecord[]> {
    const expired = this.#kv.list<IndexValue>({ start: [LEASE], end: [LEASE, now + 1] }, {
      limit: 500,
    });
    return this.recoverLeases(
      (async function* () {
        for await (const entry of expired) yield entry.key[2] as string;
      })(),
      now,
    );
  }

  async get(jobId: string): Promise<JobRecord | null> {
    return (await this.#load(jobId)).job;
  }

  async getUtterance(utteranceId: string): Promise<UtteranceRecord | null> {
    const stored = await this.#kv.get<Uint8Array | UtteranceRecord>(utteranceKey(utteranceId));
    return fromStored(stored.value);
  }

  async listByUtterance(utteranceId: string): Promise<JobRecord[]> {
    const u = await this.getUtterance(utteranceId);
    if (!u) return [];
    const jobs: JobRecord[] = [];
    for (let i = 0; i < u.job_ids.length; i += 10) {
      jobs.push(...await this.#fetch(u.job_ids.slice(i, i + 10)));
    }
    return jobs;
  }

  listSessionUtterances(sessionId: string, limit: number): Promise<UtteranceRecord[]> {
    return sessionUtterances(this.#kv, sessionId, limit);
  }

  /** Up to 10 jobs by id in one read (plus one per chunked record), in the order given. */
  async #fetch(ids: readonly string[]): Promise<JobRecord[]> {
    const entries = await this.#kv.getMany<StoredJob[]>(ids.map((id) => jobKey(id)));
    const jobs: JobRecord[] = [];
    for (const e of entries) {
      if (!e.value) continue;
      const job = isChunked(e.value) ? (await this.#load(e.value.job_id)).job : inlineJob(e.value);
      if (job) jobs.push(job);
    }
    return jobs;
  }

  /**
   * Jobs newest first, from the narrowest list index that the filter allows (all jobs, one
   * state, or one intent), starting below `cursor`.
   */
  protected async *scan(options: ListOptions): AsyncGenerator<JobRecord> {
    if (options.status === "running") {
      yield* this.#scanRunning(options.cursor);
      return;
    }
    if (options.status === "queued") {
      yield* this.#scanQueued(options.intent, options.cursor);
      return;
    }
    const prefix: Deno.KvKey = options.status
      ? [BY_STATUS, options.status]
      : options.intent
      ? [BY_INTENT, options.intent]
      : [JOB];
    const selector: Deno.KvListSelector = options.cursor
      ? { prefix, end: [...prefix, options.cursor] }
      : { prefix };
    if (prefix[0] === JOB) {
      for await (const e of this.#kv.list<StoredJob>(selector, { reverse: true, batchSize: 500 })) {
        if (!isChunked(e.value)) yield inlineJob(e.value)!;
        else {
          const job = (await this.#load(e.value.job_id)).job;
          if (job) yield job;
        }
      }
      return;
    }
    let ids: string[] = [];
    for await (const e of this.#kv.list<IndexValue>(selector, { reverse: true, batchSize: 100 })) {
      ids.push(e.key[2] as string);
      if (ids.length === 10) {
        yield* await this.#fetch(ids);
        ids = [];
      }
    }
    yield* await this.#fetch(ids);
  }

  /**
   * Jobs in flight newest first, below `cursor`, from the lease index: running jobs have no
   * `by_status` key (see `keys.ts`), and every one of them holds a lease. The index holds only
   * the jobs engines are working on now, so it is read whole and sorted by id.
   */
  async *#scanRunning(cursor: string | undefined): AsyncGenerator<JobRecord> {
    const ids = new Set<string>();
    for await (const e of this.#kv.list<IndexValue>({ prefix: [LEASE] }, { batchSize: 500 })) {
      const id = e.key[2] as string;
      // A renewed lease moves its key, so one job can show twice across the list's pages.
      if (!cursor || id < cursor) ids.add(id);
    }
    const newest = [...ids].sort((a, b) => (a < b ? 1 : a > b ? -1 : 0));
    for (let i = 0; i < newest.length; i += 10) yield* await this.#fetch(newest.slice(i, i + 10));
  }

  /**
   * Queued jobs newest first, below `cursor`, from the ready index: queued jobs have no
   * `by_status` key (see `keys.ts`). Each intent's run of one rank, `[READY_BY_INTENT, intent,
   * rank]`, holds its jobs in id order, so each run is read backwards and the runs are merged:
   * a page costs a read per run, however long the backlog.
   */
  async *#scanQueued(
    intent: string | undefined,
    cursor: string | undefined,
  ): AsyncGenerator<JobRecord> {
    const runs: AsyncIterator<Deno.KvEntry<IndexValue>>[] = [];
    for (const i of intent !== undefined ? [intent] : await readyIntents(this.#kv)) {
      for (const rank of [0, 1]) {
        const prefix: Deno.KvKey = [READY_BY_INTENT, i, rank];
        const selector = cursor ? { prefix, end: [...prefix, cursor] } : { prefix };
        const run = this.#kv.list<IndexValue>(selector, { reverse: true, batchSize: 100 });
        runs.push(run[Symbol.asyncIterator]());
      }
    }
    const heads = await Promise.all(runs.map((r) => r.next()));
    const idOf = (k: number) => {
      const head = heads[k]!;
      return head.done ? undefined : head.value.key[3] as string;
    };
    let ids: string[] = [];
    for (;;) {
      let newest = -1;
      for (let k = 0; k < heads.length; k++) {
        const id = idOf(k);
        if (id !== undefined && (newest < 0 || id > idOf(newest)!)) newest = k;
      }
      if (newest < 0) break;
      ids.push(idOf(newest)!);
      heads[newest] = await runs[newest]!.next();
      if (ids.length === 10) {
        yield* await this.#fetch(ids);
        ids = [];
      }
    }
    yield* await this.#fetch(ids);
  }

  depth(): Promise<QueueDepth> {
    return queueDepth(this.#kv);
  }

  protected async nextDelayedAt(): Promise<number | null> {
    const now = this.now();
    if (!this.#due.stale(now)) return this.#due.next();
    const mark = this.#due.mark();
    let next: number | null = null;
    for await (const e of this.#kv.list<IndexValue>({ prefix: [DELAYED] }, { limit: 1 })) {
      next = e.key[1] as number;
    }
    this.#due.read(mark, now, next);
    return next;
  }

  async ping(): Promise<void> {
    await this.#kv.get(["ping"]);
  }

  close(): Promise<void> {
    this.signal.notify();
    if (this.#ownsKv) this.#kv.close();
    return Promise.resolve();
  }
}
