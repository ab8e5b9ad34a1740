/**
 * @module
 * The scale-out queue backend on Redis 7: many gateways and `deno task worker` processes share
 * one queue. Records are hashes `{v, d}` (version + JSON); sorted sets index runnable jobs (per
 * priority and per intent), delayed jobs by time, and leases by expiry. Every change is a
 * compare-and-swap Lua script that also updates the indexes, so a job is claimed by one engine
 * only and a late completion by a lost lease changes nothing. Enqueues publish on a channel so
 * idle engines in other processes wake at once.
 */
import type { JobRecord, UtteranceRecord } from "@shared/schemas/mod.ts";
import { newId } from "../ids.ts";
import { claimJob, priorityRank, promoteJob } from "../job_ops.ts";
import {
  type ClaimOptions,
  type JobQueue,
  type LeaseOutcome,
  type ListOptions,
  type QueueDepth,
  QueueError,
} from "../queue.ts";
import { CasQueue, type Change } from "../cas_queue.ts";
import { CAS, ENQUEUE, INDEX, RESERVE } from "./scripts.ts";
import { type Client, connectClients } from "./redis_clients.ts";
import { type IndexOp, reindex } from "./redis_indexes.ts";
import { isRedisUnavailable } from "./redis_errors.ts";

/** A record as stored: its version (for the compare-and-swap) and the job. */
type Versioned = { version: string; job: JobRecord };

const MAX_ATTEMPTS = 20;
/** Held leases whose last written version this process remembers, at most. */
const KNOWN_MAX = 10_000;
/** Delayed jobs are promoted at most this often (ms) by claims. */
const PROMOTE_EVERY_MS = 20;

/** Version of the index layout; a store with an older one is re-indexed on connect. */
const INDEX_VERSION = 2;

export interface RedisQueueOptions {
  /** Key prefix, so several queues can share a server. @default "orq:" */
  prefix?: string;
  now?: () => number;
}

export class RedisQueue extends CasQueue implements JobQueue {
  readonly backend = "redis" as const;
  readonly #client: Client;
  readonly #sub: Client;
  readonly #p: string;
  readonly #clock: () => number;
  #casSha = "";
  #enqueueSha = "";
  #reserveSha = "";
  /** Claims waiting for the next reservation round trip, grouped by intents filter. */
  readonly #waiting = new Map<
    string,
    { options: ClaimOptions; resolve: (reserved: Versioned | string | null) => void }[]
  >();
  /**
   * Jobs this process holds a lease on, as it last wrote them. The lease holder's next change
   * (heartbeat, completion) starts from this instead of reading: the compare-and-swap still
   * checks the version, and a refusal is always confirmed on a fresh read.
   */
  readonly #known = new Map<string, Versioned>();
  #lastPromote = 0;
  #publishing: "idle" | "sending" | "again" = "idle";
  #flushScheduled = false;

  private constructor(client: Client, sub: Client, options: RedisQueueOptions) {
    super();
    this.#client = client;
    this.#sub = sub;
    this.#p = options.prefix ?? "orq:";
    this.#clock = options.now ?? Date.now;
  }

  /** Connects (and subscribes for wake-ups). Fails with a clear message when Redis is down. */
  static async connect(url: string, options: RedisQueueOptions = {}): Promise<RedisQueue> {
    const [client, sub] = await connectClients(url);
    const queue = new RedisQueue(client, sub, options);
    queue.#casSha = String(await client.sendCommand(["SCRIPT", "LOAD", CAS]));
    queue.#enqueueSha = String(await client.sendCommand(["SCRIPT", "LOAD", ENQUEUE]));
    queue.#reserveSha = String(await client.sendCommand(["SCRIPT", "LOAD", RESERVE]));
    await sub.subscribe(`${queue.#p}signal`, () => queue.signal.notify());
    // Cancels and confirmation answers from any process reach the engine holding the job.
    await sub.subscribe(`${queue.#p}control`, (jobId) => queue.emitControl(jobId));
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
    const key = `${this.#p}index_version`;
    if (Number(await this.#client.sendCommand(["GET", key]) ?? 0) >= INDEX_VERSION) return;
    for (let start = 0;; start += 500) {
      const ids = await this.#client.sendCommand([
        "ZRANGE",
        `${this.#p}jobs`,
        String(start),
        String(start + 499),
      ]) as string[];
      if (ids.length === 0) break;
      await this.#client.sendCommand(["EVAL", INDEX, "0", this.#p, ...ids]);
    }
    await this.#client.sendCommand(["SET", key, String(INDEX_VERSION)]);
  }

  /**
   * Runs a loaded Lua script. After a Redis restart the script cache is empty (NOSCRIPT):
   * load it again and retry once.
   */
  async #evalScript(which: "cas" | "enqueue" | "reserve", args: string[]): Promise<unknown> {
    const source = { cas: CAS, enqueue: ENQUEUE, reserve: RESERVE }[which];
    const sha =
      () => ({ cas: this.#casSha, enqueue: this.#enqueueSha, reserve: this.#reserveSha }[which]);
    try {
      return await this.#client.sendCommand(["EVALSHA", sha(), ...args]);
    } catch (err) {
      if (!String(err instanceof Error ? err.message : err).includes("NOSCRIPT")) throw err;
      const loaded = String(await this.#client.sendCommand(["SCRIPT", "LOAD", source]));
      if (which === "cas") this.#casSha = loaded;
      else if (which === "enqueue") this.#enqueueSha = loaded;
      else this.#reserveSha = loaded;
      return await this.#client.sendCommand(["EVALSHA", loaded, ...args]);
    }
  }

  #jobKey(id: string): string {
    return `${this.#p}job:${id}`;
  }

  async #read(id: string): Promise<Versioned | null> {
    const reply = await this.#client.sendCommand(["HMGET", this.#jobKey(id), "v", "d"]) as (
      | string
      | null
    )[];
    if (!reply[0] || !reply[1]) return null;
    return { version: reply[0], job: JSON.parse(reply[1]) };
  }

  protected now(): number {
    return this.#clock();
  }

  /** Notes what this process just wrote, while the job is leased. */
  #remember(id: string, record: Versioned): void {
    this.#known.delete(id);
    const held = record.job.lease &&
      (record.job.status === "running" || record.job.status === "awaiting_confirmation");
    if (!held) return;
    if (this.#known.size >= KNOWN_MAX) this.#known.delete(this.#known.keys().next().value!);
    this.#known.set(id, record);
  }

  /**
   * Applies `change` with compare-and-swap, retrying on conflicts. Starts from `guess` (a record
   * just reserved) or a remembered one when there is one; only a fresh read may stop it.
   */
  protected override async mutate(
    jobId: string,
    change: Change,
    extraOps: IndexOp[] = [],
    guess?: Versioned,
  ): Promise<LeaseOutcome> {
    let current = guess ?? this.#known.get(jobId) ?? null;
    let fresh = current === null;
    if (fresh) current = await this.#read(jobId);
    for (let i = 0; i < MAX_ATTEMPTS; i++) {
      const next = change(current?.job ?? null);
      if ("stop" in next) {
        if (fresh) {
          this.#known.delete(jobId);
          return next.stop;
        }
        current = await this.#read(jobId);
        fresh = true;
        continue;
      }
      if (!current) return { ok: false, reason: "not_found" };
      const ops = [...reindex(this.#p, current.job, next), ...extraOps];
      const reply = await this.#evalScript("cas", [
        "1",
        this.#jobKey(jobId),
        current.version,
        JSON.stringify(next),
        String(ops.length),
        ...ops.flat(),
      ]);
      if (Number(reply) > 0) {
        this.#remember(jobId, { version: String(reply), job: next });
        if (next.status === "queued" || next.status === "delayed") this.#publish();
        return { ok: true, job: next };
      }
      current = await this.#read(jobId);
      fresh = true;
    }
    throw new QueueError(`Cannot update job '${jobId}' as it kept changing concurrently`);
  }

  /** Broadcasts a steered job to every process (this one hears it through its subscription). */
  protected override async announceControl(jobId: string): Promise<void> {
    try {
      await this.#client.sendCommand(["PUBLISH", `${this.#p}control`, jobId]);
    } catch {
      // The record holds the request: the holding engine still sees it on its next heartbeat.
    }
  }

  /**
   * Wakes idle engines in every process. One message at a time: what comes up while one is on
   * its way is covered by one more after it.
   */
  #publish(): void {
    if (this.#publishing !== "idle") {
      this.#publishing = "again";
      return;
    }
    this.#publishing = "sending";
    void this.#client.sendCommand(["PUBLISH", `${this.#p}signal`, "1"]).catch(() => {})
      .finally(() => {
        const again = this.#publishing === "again";
        this.#publishing = "idle";
        if (again) this.#publish();
      });
  }

  protected async insert(
    record: UtteranceRecord,
    records: readonly JobRecord[],
    now: number,
  ): Promise<boolean> {
    const created = await this.#evalScript("enqueue", [
      "1",
      `${this.#p}utt:${record.utterance_id}`,
      JSON.stringify(record),
      this.#p,
      String(records.length),
      ...records.flatMap((r) => [r.job_id, JSON.stringify(r), r.intent, String(priorityRank(r))]),
      // The session index, after the jobs: key ("" for none), score, member.
      record.session_id !== undefined ? `${this.#p}session:${record.session_id}` : "",
      String(now),
      record.utterance_id,
    ]);
    return Number(created) === 1;
  }

  protected wake(): void {
    this.#publish();
  }

  async #promoteDue(now: number): Promise<void> {
    const due = await this.#client.sendCommand([
      "ZRANGEBYSCORE",
      `${this.#p}delayed`,
      "-inf",
      String(now),
      "LIMIT",
      "0",
      "100",
    ]) as string[];
    for (const id of due) {
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
   * Concurrent claims are batched: one RESERVE round trip pops as many runnable jobs as there
   * are waiting claimers, then each claimer moves its job to `running` with its own CAS.
   */
  async claim(options: ClaimOptions): Promise<JobRecord | null> {
    const now = this.now();
    for (let round = 0; round < 5; round++) {
      const reserved = await this.#reserve(options);
      if (reserved === null) return null;
      const id = typeof reserved === "string" ? reserved : reserved.job.job_id;
      const outcome = await this.mutate(
        id,
        (job) => {
          if (!job || job.status !== "queued") return { stop: { ok: false, reason: "lease_lost" } };
          return claimJob(job, options.owner, newId(), options.leaseMs, now);
        },
        [["zrem", `${this.#p}claiming`, id, "0"]],
        typeof reserved === "string" ? undefined : reserved,
      );
      if (outcome.ok) return outcome.job;
      // Cancelled (or taken by recovery) between the reservation and the claim.
      await this.#client.sendCommand(["ZREM", `${this.#p}claiming`, id]);
    }
    return null;
  }

  /** A reserved job with its record, or its id alone when the record could not be read. */
  #reserve(options: ClaimOptions): Promise<Versioned | string | null> {
    const key = options.intents ? JSON.stringify(options.intents) : "*";
    const { promise, resolve } = Promise.withResolvers<Versioned | string | null>();
    const list = this.#waiting.get(key) ?? [];
    list.push({ options, resolve });
    this.#waiting.set(key, list);
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      queueMicrotask(() => void this.#flushReservations());
    }
    return promise;
  }

  async #flushReservations(): Promise<void> {
    this.#flushScheduled = false;
    this.claimGeneration = this.signal.generation;
    const groups = [...this.#waiting.entries()];
    this.#waiting.clear();
    const now = this.now();
    if (now - this.#lastPromote >= PROMOTE_EVERY_MS) {
      this.#lastPromote = now;
      try {
        await this.#promoteDue(now);
      } catch { /* reported by the reservation below */ }
    }
    await Promise.all(groups.map(async ([, waiters]) => {
      const intents = waiters[0]!.options.intents ?? [];
      try {
        const flat = await this.#evalScript("reserve", [
          "0",
          this.#p,
          String(waiters.length),
          String(now),
          ...intents,
        ]) as string[];
        waiters.forEach((w, i) => {
          const [id, version, json] = flat.slice(i * 3, i * 3 + 3);
          if (!id) return w.resolve(null);
          w.resolve(version && json ? { version, job: JSON.parse(json) } : id);
        });
      } catch {
        for (const w of waiters) w.resolve(null);
      }
    }));
  }

  async recoverExpired(now = this.now()): Promise<JobRecord[]> {
    const expired = await this.#client.sendCommand([
      "ZRANGEBYSCORE",
      `${this.#p}lease`,
      "-inf",
      String(now),
      "LIMIT",
      "0",
      "500",
    ]) as string[];
    // A claimer that died between its reservation and its claim: put the job back.
    const stale = await this.#client.sendCommand([
      "ZRANGEBYSCORE",
      `${this.#p}claiming`,
      "-inf",
      String(now - 10_000),
    ]) as string[];
    for (const id of stale) {
      const current = await this.#read(id);
      if (current?.job.status === "queued") {
        const rank = String(priorityRank(current.job));
        await this.#client.sendCommand(["ZADD", `${this.#p}ready`, rank, id]);
        await this.#client.sendCommand(["ZADD", `${this.#p}ready:${current.job.intent}`, rank, id]);
        this.#publish();
      }
      await this.#client.sendCommand(["ZREM", `${this.#p}claiming`, id]);
    }
    return await this.recoverLeases(expired, now);
  }

  async get(jobId: string): Promise<JobRecord | null> {
    return (await this.#read(jobId))?.job ?? null;
  }

  async getUtterance(utteranceId: string): Promise<UtteranceRecord | null> {
    const raw = await this.#client.sendCommand(["GET", `${this.#p}utt:${utteranceId}`]) as
      | string
      | null;
    return raw ? JSON.parse(raw) : null;
  }

  async listByUtterance(utteranceId: string): Promise<JobRecord[]> {
    const u = await this.getUtterance(utteranceId);
    if (!u) return [];
    const jobs = await Promise.all(u.job_ids.map((id) => this.get(id)));
    return jobs.filter((j): j is JobRecord => j !== null);
  }

  async listSessionUtterances(sessionId: string, limit: number): Promise<UtteranceRecord[]> {
    if (limit <= 0) return [];
    const ids = await this.#client.sendCommand([
      "ZRANGE",
      `${this.#p}session:${sessionId}`,
      "0",
      String(limit - 1),
      "REV",
    ]) as string[];
    if (ids.length === 0) return [];
    const raw = await this.#client.sendCommand([
      "MGET",
      ...ids.map((id) => `${this.#p}utt:${id}`),
    ]) as (string | null)[];
    return raw.flatMap((r) => (r ? [JSON.parse(r) as UtteranceRecord] : []));
  }

  protected async *scan(options: ListOptions): AsyncGenerator<JobRecord> {
    const index = options.status
      ? `${this.#p}status:${options.status}`
      : options.intent
      ? `${this.#p}intent:${options.intent}`
      : `${this.#p}jobs`;
    let max = options.cursor ? `(${options.cursor}` : "+";
    for (;;) {
      const ids = await this.#client.sendCommand([
        "ZREVRANGEBYLEX",
        index,
        max,
        "-",
        "LIMIT",
        "0",
        "200",
      ]) as string[];
      if (ids.length === 0) return;
      for (const job of await Promise.all(ids.map((id) => this.get(id)))) if (job) yield job;
      max = `(${ids[ids.length - 1]}`;
    }
  }

  async depth(): Promise<QueueDepth> {
    const p = this.#p;
    const [queued, delayed, leased, paused] = await Promise.all([
      this.#client.sendCommand(["ZCARD", `${p}ready`]),
      this.#client.sendCommand(["ZCARD", `${p}delayed`]),
      this.#client.sendCommand(["ZCARD", `${p}lease`]),
      this.#client.sendCommand(["SCARD", `${p}paused`]),
    ]).then((r) => r.map(Number) as [number, number, number, number]);
    return { queued, delayed, running: leased - paused, awaiting_confirmation: paused };
  }

  protected async nextDelayedAt(): Promise<number | null> {
    try {
      const next = await this.#client.sendCommand([
        "ZRANGE",
        `${this.#p}delayed`,
        "0",
        "0",
        "WITHSCORES",
      ]) as string[];
      return next[1] ? Number(next[1]) : null;
    } catch {
      return null; // the claim will report the outage
    }
  }

  async ping(): Promise<void> {
    await this.#client.sendCommand(["PING"]);
  }

  isUnavailable(err: unknown): boolean {
    return isRedisUnavailable(err);
  }

  async close(): Promise<void> {
    this.signal.notify();
    await Promise.allSettled([this.#sub.quit(), this.#client.quit()]);
  }
}
