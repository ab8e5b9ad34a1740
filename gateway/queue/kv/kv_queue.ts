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
  DELAYED,
  indexKeys,
  JOB,
  jobKey,
  LEASE,
  PAUSED,
  READY,
  READY_BY_INTENT,
  utteranceKey,
} from "./keys.ts";

const MAX_ATTEMPTS = 20;

export interface KvQueueOptions {
  now?: () => number;
  /** Closes the KV handle on `close()`. @default true */
  ownsKv?: boolean;
}

function keyId(key: Deno.KvKey): string {
  return JSON.stringify(key);
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

  /** Opens (or creates) the store at `path` (`:memory:` for tests). */
  static async open(path: string, options: KvQueueOptions = {}): Promise<KvQueue> {
    return new KvQueue(await Deno.openKv(path), options);
  }

  /** Adds the index changes from `old` to `next` to an atomic operation. */
  #reindex(op: Deno.AtomicOperation, old: JobRecord | null, next: JobRecord): void {
    const before = new Map((old ? indexKeys(old) : []).map((k) => [keyId(k), k]));
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
      const entry = await this.#kv.get<JobRecord>(jobKey(jobId));
      const next = change(entry.value);
      if ("stop" in next) return next.stop;
      if (entry.value === null) return { ok: false, reason: "not_found" };
      const op = this.#kv.atomic().check(entry).set(jobKey(jobId), next);
      this.#reindex(op, entry.value, next);
      if ((await op.commit()).ok) {
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
    for (const r of records) {
      op.set(jobKey(r.job_id), r);
      this.#reindex(op, null, r);
    }
    if ((await op.commit()).ok) {
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
    return (await this.#kv.get<JobRecord>(jobKey(jobId))).value;
  }

  async getUtterance(utteranceId: string): Promise<UtteranceRecord | null> {
    return (await this.#kv.get<UtteranceRecord>(utteranceKey(utteranceId))).value;
  }

  async listByUtterance(utteranceId: string): Promise<JobRecord[]> {
    const u = await this.getUtterance(utteranceId);
    if (!u) return [];
    const jobs: JobRecord[] = [];
    for (let i = 0; i < u.job_ids.length; i += 10) {
      const entries = await this.#kv.getMany<JobRecord[]>(
        u.job_ids.slice(i, i + 10).map((id) => jobKey(id)),
      );
      for (const e of entries) if (e.value) jobs.push(e.value);
    }
    return jobs;
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
    const selector: Deno.KvListSelector = options.cursor
      ? { prefix: [JOB], end: [JOB, options.cursor] }
      : { prefix: [JOB] };
    const jobs: JobRecord[] = [];
    let next: string | null = null;
    for await (const e of this.#kv.list<JobRecord>(selector, { reverse: true, batchSize: 500 })) {
      const job = e.value;
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
