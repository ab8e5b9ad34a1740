/**
 * @module
 * Group commit for Deno KV. A SQLite commit costs far more than the bytes it writes, so writes
 * submitted while a commit is in flight are committed together in the next one: one atomic
 * operation carrying every write's checks and mutations. When any check fails the whole batch
 * fails, and each write is then committed on its own, so every write gets exactly the outcome
 * it would have had alone.
 *
 * A commit starts as soon as the one before it is done, with every write that came in meanwhile.
 * Waiting a turn of the event loop first (`gather`) makes batches a little larger but leaves the
 * store idle for that turn, and under the gateway's closed-loop load (32 connections, each
 * waiting for its answer) the store's commit cycle is what bounds throughput: without the turn,
 * `POST /task` on kv answered about 6 % more requests per second in alternating runs. A write
 * still resolves only once its own commit is done.
 *
 * Two commits are in flight at once (`pipeline`). The store's SQLite thread runs them one after
 * the other, but handing one over costs this thread about 2.5 µs per check and mutation (the op
 * converts them from JS values before the store sees them), some 150–250 µs for a busy batch.
 * With one in flight the store sat idle for that time after every commit; with two, the next
 * batch is converted and waiting while the store commits the current one. Under the gateway
 * benchmark's durable load that answered about a tenth more requests per second (alternating
 * runs). Their order does not matter: every queue write is checked on the versions it read, and
 * two writes in flight together were submitted without either waiting for the other, so either
 * order is one their callers could have met.
 *
 * Two writes that check the same key never share a batch: checks are evaluated before any
 * mutation, so both would pass against the same old version and the second would overwrite the
 * first.
 */
import { QueueError } from "../queue.ts";

/** One compare-and-swap write: its checks and its mutations, applied together or not at all. */
export interface KvWrite {
  checks: readonly Deno.AtomicCheck[];
  mutations: readonly Deno.KvMutation[];
  /** Estimated bytes of keys and values, to stay under the store's per-commit limit. */
  bytes: number;
}

/** Per-commit limits of Deno KV (checks, mutations, total bytes) with a safety margin. */
export interface GroupCommitLimits {
  /** @default 100 */
  checks?: number;
  /** @default 1000 */
  mutations?: number;
  /** @default 600_000 (the store allows 819,200) */
  bytes?: number;
  /** Commits in flight at once; writes wait for a free one and are batched meanwhile. @default 2 */
  pipeline?: number;
  /** Let the event loop turn once before each commit, so that more writes join it. @default false */
  gather?: boolean;
}

/**
 * Another process holding the SQLite write lock shows as "database is locked": wait a little,
 * growing, and retry, for up to about 5 s in all.
 */
const BUSY_RETRIES = 60;

function isBusy(err: unknown): boolean {
  return err instanceof Error && /database is locked|database is busy/i.test(err.message);
}

function busyPause(attempt: number): Promise<void> {
  const ms = Math.min(100, 1 + attempt * 2) * (0.5 + Math.random());
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Commits `op`, retrying while another process holds the write lock, and turns the store's
 * refusals (a value or an operation too large) into a {@linkcode QueueError}. Resolves with the
 * commit's versionstamp (every key the operation set now has it), null when a check failed.
 */
export async function commitAtomic(
  build: () => Deno.AtomicOperation,
): Promise<string | null> {
  for (let attempt = 0;; attempt++) {
    try {
      const result = await build().commit();
      return result.ok ? result.versionstamp : null;
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

interface Pending {
  write: KvWrite;
  resolve: (versionstamp: string | null) => void;
  reject: (err: unknown) => void;
}

const keyId = (key: Deno.KvKey) => JSON.stringify(key);

export class GroupCommit {
  readonly #kv: Deno.Kv;
  readonly #limits: Required<GroupCommitLimits>;
  #pending: Pending[] = [];
  #inFlight = 0;

  constructor(kv: Deno.Kv, limits: GroupCommitLimits = {}) {
    this.#kv = kv;
    this.#limits = {
      checks: 100,
      mutations: 1000,
      bytes: 600_000,
      pipeline: 2,
      gather: false,
      ...limits,
    };
  }

  /** Resolves true when committed, false when a check failed; rejects on a store error. */
  async submit(write: KvWrite): Promise<boolean> {
    return await this.commit(write) !== null;
  }

  /**
   * Like {@linkcode submit}, but resolves with the versionstamp the write's keys got (shared by
   * every write of its batch), null when a check failed. A caller that keeps it can check a
   * later write against it without reading the record again.
   */
  commit(write: KvWrite): Promise<string | null> {
    const { promise, resolve, reject } = Promise.withResolvers<string | null>();
    this.#pending.push({ write, resolve, reject });
    if (this.#inFlight < this.#limits.pipeline) void this.#drain();
    return promise;
  }

  #one(write: KvWrite): Promise<string | null> {
    return commitAtomic(() => this.#kv.atomic().check(...write.checks).mutate(...write.mutations));
  }

  /** Takes the next batch: in order, within the limits, no two writes checking one key. */
  #take(): Pending[] {
    const batch: Pending[] = [];
    const rest: Pending[] = [];
    const keys = new Set<string>();
    let checks = 0, mutations = 0, bytes = 0;
    for (const p of this.#pending) {
      const w = p.write;
      const ids = w.checks.map((c) => keyId(c.key));
      const fits = batch.length === 0 || (
        checks + w.checks.length <= this.#limits.checks &&
        mutations + w.mutations.length <= this.#limits.mutations &&
        bytes + w.bytes <= this.#limits.bytes &&
        ids.every((id) => !keys.has(id))
      );
      if (!fits) {
        rest.push(p);
        continue;
      }
      batch.push(p);
      for (const id of ids) keys.add(id);
      checks += w.checks.length;
      mutations += w.mutations.length;
      bytes += w.bytes;
    }
    this.#pending = rest;
    return batch;
  }

  async #drain(): Promise<void> {
    this.#inFlight++;
    try {
      while (this.#pending.length > 0) {
        if (this.#limits.gather) await new Promise((r) => setTimeout(r, 0));
        const batch = this.#take();
        if (batch.length === 1) {
          await this.#settle(batch[0]!);
          continue;
        }
        let stamp: string | null = null;
        try {
          stamp = await commitAtomic(() => {
            const op = this.#kv.atomic();
            for (const p of batch) op.check(...p.write.checks).mutate(...p.write.mutations);
            return op;
          });
        } catch {
          // One write may be at fault (too large): find out one by one below.
        }
        if (stamp !== null) { for (const p of batch) p.resolve(stamp); }
        else await Promise.all(batch.map((p) => this.#settle(p)));
      }
    } finally {
      this.#inFlight--;
    }
  }

  async #settle(p: Pending): Promise<void> {
    try {
      p.resolve(await this.#one(p.write));
    } catch (err) {
      p.reject(err);
    }
  }
}
