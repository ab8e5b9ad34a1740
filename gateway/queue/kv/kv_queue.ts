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
import { claimJob, createJob, leaseExpired, recoverJob } from "../job_ops.ts";
import {
  type ClaimOptions,
  type EnqueueResult,
  type JobPage,
  type JobQueue,
  type LeaseOutcome,
  type ListOptions,
  type NewJob,
  type NewUtterance,
  type QueueDepth,
  QueueError,
} from "../queue.ts";
import { WorkSignal } from "../work_signal.ts";
import { CasQueue, type Change } from "../cas_queue.ts";
import { Serial } from "../serial.ts";
import {
  BY_INTENT,
  BY_STATUS,
  chunkKey,
  DELAYED,
  INDEX_VERSION,
  indexKeys,
  indexVersionKey,
  JOB,
  jobKey,
  LEASE,
  PAUSED,
  READY,
  READY_BY_INTENT,
  utteranceKey,
} from "./keys.ts";
import { chunkCount, decodeJob, encodeJob, isChunked, type StoredJob } from "./record_codec.ts";

const MAX_ATTEMPTS = 20;

export interface KvQueueOptions {
  now?: () => number;
  /** Closes the KV handle on `close()`. @default true */
  ownsKv?: boolean;
}

function keyId(key: Deno.KvKey): string {
  return JSON.stringify(key);
}

/**
 * Another process holding the SQLite write lock shows as "database is locked": a short wait
 * and a retry, growing, for up to about 5 s in all.
 */
const BUSY_RETRIES = 60;

function isBusy(err: unknown): boolean {
  return err instanceof Error && /database is locked|database is busy/i.test(err.message);
}

function busyPause(attempt: number): Promise<void> {
  const ms = Math.min(100, 1 + attempt * 2) * (0.5 + Math.random());
  return new Promise((r) => setTimeout(r, ms));
}

/** A job as read: the entry at its key (for the versionstamp check) and the whole record. */
interface Loaded {
  entry: Deno.KvEntryMaybe<StoredJob>;
  job: JobRecord | null;
}

export class KvQueue extends CasQueue implements JobQueue {
  readonly backend = "kv" as const;
  readonly #kv: Deno.Kv;
  readonly #clock: () => number;
  readonly #signal = new WorkSignal();
  readonly #ownsKv: boolean;
  readonly #claims = new Serial();

  constructor(kv: Deno.Kv, options: KvQueueOptions = {}) {
    super();
    this.#kv = kv;
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

  /** Adds the per-state and per-intent list indexes (index version 2) to every job. */
  async #migrate(): Promise<void> {
    const version = await this.#kv.get<number>(indexVersionKey);
    if ((version.value ?? 0) >= INDEX_VERSION) return;
    for await (const e of this.#kv.list<StoredJob>({ prefix: [JOB] }, { batchSize: 500 })) {
      const id = e.key[1] as string;
      for (let i = 0;; i++) {
        const { entry, job } = await this.#load(id);
        if (!job) break;
        const op = this.#kv.atomic().check(entry)
          .set([BY_STATUS, job.status, id], null)
          .set([BY_INTENT, job.intent, id], null);
        if ((await this.#commit(op)).ok) break;
        if (i === MAX_ATTEMPTS) {
          throw new QueueError(`Cannot index job '${id}' as it kept changing concurrently`);
        }
      }
    }
    await this.#kv.set(indexVersionKey, INDEX_VERSION);
  }

  /** Commits, turning the store's refusals (a value or an operation too large) into a QueueError. */
  async #commit(op: Deno.AtomicOperation): Promise<Deno.KvCommitResult | Deno.KvCommitError> {
    for (let attempt = 0;; attempt++) {
      try {
        return await op.commit();
      } catch (err) {
        if (isBusy(err) && attempt < BUSY_RETRIES) {
          await busyPause(attempt);
          continue;
        }
        throw new QueueError(
          `Cannot write to the kv queue: ${err instanceof Error ? err.message : err}`,
          { cause: err },
        );
      }
    }
  }

  /**
   * Reads a job. A chunked record is read with its chunks in one `getMany`, a consistent
   * snapshot, so head and chunks always belong together.
   */
  async #load(jobId: string): Promise<Loaded> {
    let entry = await this.#kv.get<StoredJob>(jobKey(jobId));
    for (let i = 0; i < MAX_ATTEMPTS; i++) {
      const n = chunkCount(entry.value);
      if (n === 0) return { entry, job: entry.value as JobRecord | null };
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

  /** Adds the writes that store `next` over `old` (record, chunks, indexes) to `op`. */
  #write(
    op: Deno.AtomicOperation,
    old: { stored: StoredJob | null; job: JobRecord | null },
    next: JobRecord,
  ): void {
    const { head, chunks } = encodeJob(next);
    op.set(jobKey(next.job_id), head);
    chunks.forEach((c, i) => op.set(chunkKey(next.job_id, i), c));
    for (let i = chunks.length; i < chunkCount(old.stored); i++) {
      op.delete(chunkKey(next.job_id, i));
    }
    const before = new Map((old.job ? indexKeys(old.job) : []).map((k) => [keyId(k), k]));
    const after = new Map(indexKeys(next).map((k) => [keyId(k), k]));
    for (const [id, key] of before) if (!after.has(id)) op.delete(key);
    for (const [id, key] of after) if (!before.has(id)) op.set(key, null);
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
    for (let i = 0; i < MAX_ATTEMPTS; i++) {
      const { entry, job } = await this.#load(jobId);
      const next = change(job);
      if ("stop" in next) return next.stop;
      if (job === null) return { ok: false, reason: "not_found" };
      const op = this.#kv.atomic().check(entry);
      this.#write(op, { stored: entry.value, job }, next);
      if ((await this.#commit(op)).ok) {
        if (next.status === "queued" || next.status === "delayed") this.#signal.notify();
        return { ok: true, job: next };
      }
    }
    throw new QueueError(`Cannot update job '${jobId}' as it kept changing concurrently`);
  }

  async enqueue(utterance: NewUtterance, jobs: readonly NewJob[]): Promise<EnqueueResult> {
    const now = this.now();
    const records = jobs.map((j) => createJob(newId(), utterance.utterance_id, j, now));
    const record: UtteranceRecord = {
      utterance_id: utterance.utterance_id,
      text: utterance.text,
      source: utterance.source,
      created_at: new Date(now).toISOString(),
      job_ids: records.map((r) => r.job_id),
      ...(utterance.unrouted ? { unrouted: true } : {}),
    };
    const op = this.#kv.atomic()
      .check({ key: utteranceKey(utterance.utterance_id), versionstamp: null })
      .set(utteranceKey(utterance.utterance_id), record);
    for (const r of records) this.#write(op, { stored: null, job: null }, r);
    if ((await this.#commit(op)).ok) {
      if (records.length > 0) this.#signal.notify();
      return { created: true, utterance: record, jobs: records };
    }
    const existing = await this.getUtterance(utterance.utterance_id);
    if (!existing) {
      throw new QueueError(
        `Cannot enqueue utterance '${utterance.utterance_id}': the store refused the write`,
      );
    }
    return {
      created: false,
      utterance: existing,
      jobs: await this.listByUtterance(existing.utterance_id),
    };
  }

  /** Moves delayed jobs whose time has come back to the ready indexes. */
  async #promoteDue(now: number): Promise<void> {
    const due = this.#kv.list<null>({ start: [DELAYED], end: [DELAYED, now + 1] }, { limit: 100 });
    for await (const entry of due) {
      const id = entry.key[2] as string;
      await this.mutate(
        id,
        (job) =>
          job && job.status === "delayed" && (job.run_at ?? 0) <= now
            ? { ...job, status: "queued" }
            : { stop: { ok: false, reason: "already_final" } },
      );
    }
  }

  async #candidates(intents: readonly string[] | undefined): Promise<string[]> {
    if (!intents) {
      const ids: string[] = [];
      for await (const e of this.#kv.list<null>({ prefix: [READY] }, { limit: 16 })) {
        ids.push(e.key[2] as string);
      }
      return ids;
    }
    const heads: { rank: number; id: string }[] = [];
    for (const intent of intents) {
      for await (
        const e of this.#kv.list<null>({ prefix: [READY_BY_INTENT, intent] }, { limit: 4 })
      ) {
        heads.push({ rank: e.key[2] as number, id: e.key[3] as string });
      }
    }
    return heads.sort((a, b) => a.rank - b.rank || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map((h) => h.id);
  }

  claim(options: ClaimOptions): Promise<JobRecord | null> {
    return this.#claims.run(() => this.#claim(options));
  }

  async #claim(options: ClaimOptions): Promise<JobRecord | null> {
    const now = this.now();
    await this.#promoteDue(now);
    for (let round = 0; round < 5; round++) {
      const ids = await this.#candidates(options.intents);
      if (ids.length === 0) return null;
      for (const id of ids) {
        const outcome = await this.mutate(id, (job) =>
          job && job.status === "queued" &&
            (!options.intents || options.intents.includes(job.intent))
            ? claimJob(job, options.owner, newId(), options.leaseMs, now)
            : { stop: { ok: false, reason: "lease_lost" } });
        if (outcome.ok) return outcome.job;
      }
    }
    return null;
  }

  async recoverExpired(now = this.now()): Promise<JobRecord[]> {
    const moved: JobRecord[] = [];
    const expired = this.#kv.list<null>({ start: [LEASE], end: [LEASE, now + 1] }, { limit: 500 });
    for await (const entry of expired) {
      const id = entry.key[2] as string;
      const outcome = await this.mutate(
        id,
        (job) =>
          job && leaseExpired(job, now)
            ? recoverJob(job, now)
            : { stop: { ok: false, reason: "lease_lost" } },
      );
      if (outcome.ok) moved.push(outcome.job);
    }
    return moved;
  }

  async get(jobId: string): Promise<JobRecord | null> {
    return (await this.#load(jobId)).job;
  }

  async getUtterance(utteranceId: string): Promise<UtteranceRecord | null> {
    return (await this.#kv.get<UtteranceRecord>(utteranceKey(utteranceId))).value;
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

  /** Up to 10 jobs by id in one read (plus one per chunked record), in the order given. */
  async #fetch(ids: readonly string[]): Promise<JobRecord[]> {
    const entries = await this.#kv.getMany<StoredJob[]>(ids.map((id) => jobKey(id)));
    const jobs: JobRecord[] = [];
    for (const e of entries) {
      if (!e.value) continue;
      const job = isChunked(e.value) ? (await this.#load(e.value.job_id)).job : e.value;
      if (job) jobs.push(job);
    }
    return jobs;
  }

  /**
   * Jobs newest first, from the narrowest list index that the filter allows (all jobs, one
   * state, or one intent), starting below `cursor`.
   */
  async *#scan(options: ListOptions): AsyncGenerator<JobRecord> {
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
        if (!isChunked(e.value)) yield e.value;
        else {
          const job = (await this.#load(e.value.job_id)).job;
          if (job) yield job;
        }
      }
      return;
    }
    let ids: string[] = [];
    for await (const e of this.#kv.list<null>(selector, { reverse: true, batchSize: 100 })) {
      ids.push(e.key[2] as string);
      if (ids.length === 10) {
        yield* await this.#fetch(ids);
        ids = [];
      }
    }
    yield* await this.#fetch(ids);
  }

  async list(options: ListOptions = {}): Promise<JobPage> {
    const limit = options.limit ?? 50;
    if (options.utterance_id) {
      // Small and exact: an utterance holds at most 32 jobs.
      const all = (await this.listByUtterance(options.utterance_id))
        .filter((j) => !options.status || j.status === options.status)
        .filter((j) => !options.intent || j.intent === options.intent)
        .filter((j) => !options.cursor || j.job_id < options.cursor)
        .sort((a, b) => (a.job_id < b.job_id ? 1 : -1));
      const jobs = all.slice(0, limit);
      return { jobs, next_cursor: all.length > limit ? jobs[jobs.length - 1]!.job_id : null };
    }
    const jobs: JobRecord[] = [];
    let next: string | null = null;
    // The index and the record are read at different moments: filter on the record itself.
    for await (const job of this.#scan(options)) {
      if (options.status && job.status !== options.status) continue;
      if (options.intent && job.intent !== options.intent) continue;
      if (jobs.length === limit) {
        next = jobs[jobs.length - 1]!.job_id;
        break;
      }
      jobs.push(job);
    }
    return { jobs, next_cursor: next };
  }

  async #count(selector: Deno.KvListSelector): Promise<number> {
    let n = 0;
    for await (const _ of this.#kv.list(selector, { batchSize: 1000 })) n++;
    return n;
  }

  async depth(): Promise<QueueDepth> {
    const [queued, delayed, leased, paused] = await Promise.all([
      this.#count({ prefix: [READY] }),
      this.#count({ prefix: [DELAYED] }),
      this.#count({ prefix: [LEASE] }),
      this.#count({ prefix: [PAUSED] }),
    ]);
    return { queued, delayed, running: leased - paused, awaiting_confirmation: paused };
  }

  async waitForWork(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    // Wake for the next delayed job too, so retries run on time.
    let wait = timeoutMs;
    for await (const e of this.#kv.list<null>({ prefix: [DELAYED] }, { limit: 1 })) {
      wait = Math.max(1, Math.min(wait, (e.key[1] as number) - this.now()));
    }
    return this.#signal.wait(wait, signal);
  }

  async ping(): Promise<void> {
    await this.#kv.get(["ping"]);
  }

  close(): Promise<void> {
    this.#signal.notify();
    if (this.#ownsKv) this.#kv.close();
    return Promise.resolve();
  }
}
