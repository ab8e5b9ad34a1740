/**
 * @module
 * The edge's outbox: final transcripts go to the gateway's `POST /task` from here, in the
 * background. {@linkcode Outbox.enqueue} is synchronous and never waits on disk or network
 * (it runs on the audio side); the item is written to `<data-dir>/outbox/` and posted by one
 * background loop, oldest first, retried with exponential backoff and jitter while the
 * gateway is down, and deleted once the gateway acknowledges it. The gateway is idempotent on
 * `utterance_id`, so re-posting after a crash or a lost answer cannot create a second
 * utterance: delivery is at-least-once on the wire and exactly-once in effect.
 */
import { getLogger } from "@logtape/logtape";
import { TaskAnswerView as TaskAccepted } from "@shared/schemas/wire.ts";
import { backoffDelay, type BackoffPolicy } from "../support/backoff.ts";
import { type EdgeTracer, emitTrace, logTracer } from "../support/edge_trace.ts";
import { TypedEmitter } from "../support/typed_emitter.ts";
import { classifyResponse } from "./delivery_policy.ts";
import { postTask } from "./task_post.ts";
import { FileOutboxStore, type OutboxItem } from "./outbox_store.ts";

const log = getLogger(["edge", "outbox"]);
const SOURCE = "edge.outbox";

/** The part of the `POST /task` answer the edge uses: see `TaskAnswerView`. */
export { TaskAccepted };

/** Options of {@linkcode Outbox.open}. */
export interface OutboxOptions {
  /** Gateway base URL. @default "http://127.0.0.1:8787" */
  gatewayUrl?: string;
  /** Folder of the edge's data; items live in `<dataDir>/outbox/`. @default "data" */
  dataDir?: string;
  /** Sent as `Authorization: Bearer` (`GATEWAY_TOKEN`). */
  token?: string;
  /** The speaker's session, stored with each new item and sent as `session_id`. */
  sessionId?: string;
  /** Items held at most; past it `enqueue` refuses new ones. @default 1000 */
  maxItems?: number;
  /** Retry backoff. @default base 200 ms, cap 10 s, factor 2, jitter 0.3 */
  retry?: BackoffPolicy;
  /** Time limit of one POST. @default 10_000 */
  requestTimeoutMs?: number;
  /** Trace sink. @default LogTape under ["edge", "trace"] */
  tracer?: EdgeTracer;
  /** Random source for jitter. @default Math.random */
  random?: () => number;
}

/** An utterance to deliver. */
export interface OutboxEntry {
  utterance_id: string;
  text: string;
  /** @default "voice" */
  source?: "voice" | "api";
  /** @default the outbox's `sessionId` */
  session_id?: string;
  meta?: OutboxItem["meta"];
}

export type EnqueueResult =
  | { accepted: true; depth: number }
  | { accepted: false; reason: "full" | "duplicate" | "closed" | "invalid"; depth: number };

/** The events of an {@linkcode Outbox}, one member each. */
export interface OutboxEvents {
  /** The gateway took the utterance. `latency_ms` runs from enqueue to the answer. */
  acknowledged: {
    utterance_id: string;
    /** The text that was posted. */
    text: string;
    status: number;
    response: TaskAccepted | null;
    latency_ms: number;
    attempts: number;
  };
  /** The gateway refused the utterance for good (a 4xx other than 401/403/408/429). */
  rejected: { utterance_id: string; status: number; body: string };
  /** The gateway refused our token: sending stopped, items kept on disk. */
  unauthorized: { status: number; body: string; error: GatewayTokenError };
  /** An utterance could not be taken in (outbox full). */
  dropped: { utterance_id: string; reason: string };
}

interface Pending {
  item: OutboxItem;
  /** Resolves once the file is on disk (or failed to be written, which is logged). */
  persisted: Promise<void>;
  enqueuedAt: number;
  attempts: number;
}

/**
 * The gateway refused the edge's token (HTTP 401/403). Nothing more is sent; the waiting
 * utterances stay in the outbox folder for a start with the right `GATEWAY_TOKEN`.
 */
export class GatewayTokenError extends Error {
  override name = "GatewayTokenError";
  readonly status: number;

  constructor(status: number, options?: ErrorOptions) {
    super(`the gateway refused the token (${status}): check GATEWAY_TOKEN`, options);
    this.status = status;
  }
}

/** See the module documentation. */
export class Outbox {
  readonly #store: FileOutboxStore;
  readonly #opts: OutboxOptions;
  readonly #url: string;
  readonly #tracer: EdgeTracer;
  readonly #queue: Pending[] = [];
  readonly #events = new TypedEmitter<OutboxEvents>((name, error) =>
    log.error("An outbox '{name}' listener threw: {error}", { name, error })
  );
  #running: Promise<void> | null = null;
  #closed = false;
  /** Set once the gateway refused the token: sending has stopped for good. */
  #refused: GatewayTokenError | null = null;
  /** Ends the wait for work (new item, or closing). */
  #wakeWork: (() => void) | null = null;
  /** Ends a backoff sleep early (closing only: new items must not hasten retries). */
  #wakeSleep: (() => void) | null = null;
  #sleepTimer: ReturnType<typeof setTimeout> | undefined;
  #inflight: AbortController | null = null;
  #drainWaiters: { resolve: () => void; reject: (error: Error) => void }[] = [];
  #writes = new Set<Promise<void>>();

  /** Counters. */
  readonly stats = { enqueued: 0, acknowledged: 0, rejected: 0, dropped: 0, retries: 0, posts: 0 };

  private constructor(store: FileOutboxStore, items: OutboxItem[], options: OutboxOptions) {
    this.#store = store;
    this.#opts = options;
    this.#url = new URL("/task", options.gatewayUrl ?? "http://127.0.0.1:8787").toString();
    this.#tracer = options.tracer ?? logTracer;
    for (const item of items) {
      this.#queue.push({
        item,
        persisted: Promise.resolve(),
        enqueuedAt: performance.now(),
        attempts: 0,
      });
    }
  }

  /**
   * Opens the outbox in `<dataDir>/outbox/`, loading what an earlier run left unacknowledged.
   * Call {@linkcode Outbox.start} to begin posting.
   */
  static async open(options: OutboxOptions = {}): Promise<Outbox> {
    const store = new FileOutboxStore(options.dataDir ?? "data");
    const { items, corrupt } = await store.load();
    const outbox = new Outbox(store, items, options);
    if (items.length > 0 || corrupt.length > 0) {
      log.info(
        "Outbox reopened with {n} unacknowledged utterance(s) ({corrupt} corrupt file(s) set aside)",
        {
          n: items.length,
          corrupt: corrupt.length,
        },
      );
    }
    return outbox;
  }

  /** Subscribes to an event; returns the unsubscribe function. */
  /** Subscribes to an event; returns the unsubscribe function. */
  on<K extends keyof OutboxEvents>(
    name: K,
    listener: (payload: OutboxEvents[K]) => void,
  ): () => void {
    return this.#events.on(name, listener);
  }

  /** Items not yet acknowledged. */
  get depth(): number {
    return this.#queue.length;
  }

  /** Utterance ids waiting, oldest first. */
  pendingIds(): string[] {
    return this.#queue.map((p) => p.item.utterance_id);
  }

  /** Starts the background delivery loop. */
  start(): void {
    if (this.#running || this.#closed) return;
    this.#running = this.#run().catch((error) => {
      log.fatal("The outbox loop stopped unexpectedly: {error}", { error });
    });
  }

  /** Takes an utterance in. Synchronous: never waits on disk or network. */
  enqueue(entry: OutboxEntry): EnqueueResult {
    const depth = this.#queue.length;
    if (this.#closed) return { accepted: false, reason: "closed", depth };
    if (this.#queue.some((p) => p.item.utterance_id === entry.utterance_id)) {
      return { accepted: false, reason: "duplicate", depth };
    }
    const max = this.#opts.maxItems ?? 1000;
    if (depth >= max) {
      this.stats.dropped++;
      const reason =
        `the outbox is full (${max} utterances waiting): the gateway at ${this.#url} has not acknowledged for a while`;
      log.error("Utterance {id} dropped: {reason}", { id: entry.utterance_id, reason });
      emitTrace(this.#tracer, {
        source: SOURCE,
        event: "outbox.dropped",
        utterance_id: entry.utterance_id,
        data: { depth, reason: "full" },
      });
      this.#events.emit("dropped", { utterance_id: entry.utterance_id, reason });
      return { accepted: false, reason: "full", depth };
    }
    const item: OutboxItem = {
      version: 1,
      utterance_id: entry.utterance_id,
      text: entry.text,
      source: entry.source ?? "voice",
      enqueued_at: new Date().toISOString(),
    };
    const session = entry.session_id ?? this.#opts.sessionId;
    if (session) item.session_id = session;
    if (entry.meta) item.meta = entry.meta;
    const write = this.#store.put(item).catch((error) => {
      // Delivery still goes on from memory; only crash-safety of this item is lost.
      log.error("Could not persist utterance {id} to the outbox: {error}", {
        id: item.utterance_id,
        error,
      });
    });
    this.#writes.add(write);
    write.finally(() => this.#writes.delete(write));
    this.#queue.push({ item, persisted: write, enqueuedAt: performance.now(), attempts: 0 });
    this.stats.enqueued++;
    emitTrace(this.#tracer, {
      source: SOURCE,
      event: "outbox.enqueued",
      utterance_id: item.utterance_id,
      data: { depth: this.#queue.length },
    });
    this.#wakeWork?.();
    return { accepted: true, depth: this.#queue.length };
  }

  /** Resolves when every item written so far is on disk. */
  async flushWrites(): Promise<void> {
    await Promise.all([...this.#writes]);
  }

  /** Where waiting utterances are kept on disk. */
  get dir(): string {
    return this.#store.dir;
  }

  /** The token refusal that stopped sending, if any. */
  get refused(): GatewayTokenError | null {
    return this.#refused;
  }

  /**
   * Resolves when nothing is waiting (every item acknowledged or rejected); rejects with
   * {@linkcode GatewayTokenError} if the gateway refuses the token, as nothing more would be
   * delivered, and resolves on {@linkcode Outbox.close}.
   */
  whenDrained(): Promise<void> {
    if (this.#queue.length === 0) return Promise.resolve();
    if (this.#refused) return Promise.reject(this.#refused);
    return new Promise((resolve, reject) => this.#drainWaiters.push({ resolve, reject }));
  }

  /** Stops posting (aborting a request in flight) and waits for pending writes. Items stay on disk. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#sleepTimer);
    this.#inflight?.abort();
    this.#wakeWork?.();
    this.#wakeSleep?.();
    await this.#running;
    await this.flushWrites();
    for (const w of this.#drainWaiters.splice(0)) w.resolve();
  }

  async #sleep(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      this.#wakeSleep = resolve;
      this.#sleepTimer = setTimeout(resolve, ms);
    });
    clearTimeout(this.#sleepTimer);
    this.#wakeSleep = null;
  }

  async #waitForWork(): Promise<void> {
    await new Promise<void>((resolve) => this.#wakeWork = resolve);
    this.#wakeWork = null;
  }

  async #run(): Promise<void> {
    while (!this.#closed) {
      const head = this.#queue[0];
      if (!head || this.#refused) {
        await this.#waitForWork();
        continue;
      }
      // The POST does not wait for the disk write (that would put an fsync on the latency
      // path); the delete after the ack does, so that it cannot race ahead of the write.
      const outcome = await this.#post(head);
      if (this.#closed) break;
      if (outcome.kind === "done") {
        this.#queue.shift();
        await head.persisted;
        await this.#store.remove(head.item.utterance_id).catch((error) =>
          log.error("Could not delete delivered utterance {id} from the outbox: {error}", {
            id: head.item.utterance_id,
            error,
          })
        );
        if (this.#queue.length === 0) {
          for (const w of this.#drainWaiters.splice(0)) w.resolve();
        }
        continue;
      }
      if (outcome.kind === "refused") {
        for (const w of this.#drainWaiters.splice(0)) w.reject(outcome.error);
        continue;
      }
      head.attempts++;
      this.stats.retries++;
      const retry = this.#opts.retry ?? {};
      const policy = {
        baseDelayMs: retry.baseDelayMs ?? 200,
        maxDelayMs: retry.maxDelayMs ?? 10_000,
        factor: retry.factor ?? 2,
        jitter: retry.jitter ?? 0.3,
      };
      const delay = Math.max(
        backoffDelay(head.attempts, policy, this.#opts.random),
        outcome.retryAfterMs ?? 0,
      );
      const level = head.attempts === 1 || head.attempts % 10 === 0 ? "warning" : "debug";
      log[level](
        "Gateway not reachable for utterance {id} ({why}); retry {attempt} in {delay} ms, {depth} waiting",
        {
          id: head.item.utterance_id,
          why: outcome.why,
          attempt: head.attempts,
          delay,
          depth: this.#queue.length,
        },
      );
      emitTrace(this.#tracer, {
        source: SOURCE,
        event: "outbox.retry",
        utterance_id: head.item.utterance_id,
        data: {
          why: outcome.why,
          attempt: head.attempts,
          delay_ms: delay,
          depth: this.#queue.length,
        },
      });
      await this.#sleep(delay);
    }
  }

  async #post(
    p: Pending,
  ): Promise<
    | { kind: "done" }
    | { kind: "refused"; error: GatewayTokenError }
    | { kind: "retry"; why: string; retryAfterMs?: number }
  > {
    const controller = new AbortController();
    this.#inflight = controller;
    this.stats.posts++;
    const answer = await postTask(this.#url, p.item, {
      token: this.#opts.token,
      timeoutMs: this.#opts.requestTimeoutMs ?? 10_000,
      controller,
    });
    this.#inflight = null;
    if (answer.kind === "failed") return { kind: "retry", why: answer.why };
    const { status, body, retryAfter } = answer;
    const delivery = classifyResponse(status, retryAfter);
    const id = p.item.utterance_id;
    switch (delivery.kind) {
      case "acknowledged": {
        let response: TaskAccepted | null = null;
        try {
          const parsed = TaskAccepted.safeParse(JSON.parse(body));
          if (parsed.success) response = parsed.data;
        } catch { /* not JSON */ }
        if (!response) {
          log.warning("Gateway acknowledged {id} with HTTP {status} but an unexpected body", {
            id,
            status,
          });
        }
        const latency = performance.now() - p.enqueuedAt;
        this.stats.acknowledged++;
        emitTrace(this.#tracer, {
          source: SOURCE,
          event: "outbox.acknowledged",
          utterance_id: id,
          duration_ms: latency,
          data: {
            status,
            attempts: p.attempts + 1,
            jobs: response?.jobs.length ?? null,
            depth: this.#queue.length - 1,
          },
        });
        this.#events.emit("acknowledged", {
          utterance_id: id,
          text: p.item.text,
          status,
          response,
          latency_ms: latency,
          attempts: p.attempts + 1,
        });
        return { kind: "done" };
      }
      case "rejected":
        this.stats.rejected++;
        log.error("Gateway rejected utterance {id} with HTTP {status}: {body}; dropping it", {
          id,
          status,
          body: body.slice(0, 500),
        });
        emitTrace(this.#tracer, {
          source: SOURCE,
          event: "outbox.rejected",
          utterance_id: id,
          data: { status, body: body.slice(0, 500) },
        });
        this.#events.emit("rejected", { utterance_id: id, status, body });
        return { kind: "done" };
      case "unauthorized": {
        log.error(
          "Gateway refused the edge's token (HTTP {status}): check GATEWAY_TOKEN. Sending stopped; {n} utterance(s) kept in {dir} for the next start",
          { status, n: this.#queue.length, dir: this.#store.dir },
        );
        const error = new GatewayTokenError(status);
        this.#refused = error;
        this.#events.emit("unauthorized", { status, body, error });
        return { kind: "refused", error };
      }
      case "retry":
        return delivery.retryAfterMs === undefined
          ? { kind: "retry", why: `HTTP ${status}` }
          : { kind: "retry", why: `HTTP ${status}`, retryAfterMs: delivery.retryAfterMs };
    }
  }
}
