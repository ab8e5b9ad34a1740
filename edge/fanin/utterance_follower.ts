/**
 * @module
 * Follows acknowledged utterances on the gateway (`GET /utterances/:id`, polling) and reports
 * their jobs as they finish, then the utterance's overall result and cost. One background
 * loop serves every followed utterance, so following never touches the audio path.
 */
import { getLogger } from "@logtape/logtape";
import { backoffDelay } from "../support/backoff.ts";
import { type EdgeTracer, emitTrace, logTracer } from "../support/edge_trace.ts";
import { TypedEmitter } from "../support/typed_emitter.ts";
import {
  FINAL_JOB_STATUSES,
  formatJobLine,
  formatUtteranceResult,
  isFinalStatus,
  type JobView,
  UtteranceView,
} from "./utterance_view.ts";

const log = getLogger(["edge", "fanin"]);
const SOURCE = "edge.fanin";

/** Options of {@linkcode UtteranceFollower}. */
export interface UtteranceFollowerOptions {
  /** Gateway base URL. @default "http://127.0.0.1:8787" */
  gatewayUrl?: string;
  /** Sent as `Authorization: Bearer` (`GATEWAY_TOKEN`). */
  token?: string;
  /** Time between two polls of one utterance. @default 500 */
  pollIntervalMs?: number;
  /** Time between two polls while the event stream is live. @default 3000 */
  livePollIntervalMs?: number;
  /** Cap of the backoff after failed polls. @default 5000 */
  maxPollIntervalMs?: number;
  /** Stop following an utterance that is not final after this long. @default 900_000 */
  timeoutMs?: number;
  /** Utterances followed at once at most; older ones are let go past it. @default 200 */
  maxFollowed?: number;
  /** Time limit of one GET. @default 10_000 */
  requestTimeoutMs?: number;
  /** Where result lines go. @default none (use the events) */
  print?: (line: string) => void;
  /** Trace sink. @default LogTape under ["edge", "trace"] */
  tracer?: EdgeTracer;
}

/** The events of an {@linkcode UtteranceFollower}, one member each. */
export interface FollowerEvents {
  /** A job changed status. */
  job: { utterance_id: string; job: JobView; previous: string | null };
  /** The utterance reached a final status. */
  final: { utterance_id: string; view: UtteranceView; elapsed_ms: number };
  /** The utterance is no longer followed without a final status. */
  gave_up: { utterance_id: string; reason: string };
}

interface Followed {
  id: string;
  startedAt: number;
  nextAt: number;
  failures: number;
  notFound: number;
  jobs: Map<string, string>;
  /** Poked while a poll was in flight: that poll's answer may predate the change. */
  poked: boolean;
}

/** See the module documentation. */
export class UtteranceFollower {
  readonly #opts: UtteranceFollowerOptions;
  readonly #base: string;
  readonly #tracer: EdgeTracer;
  readonly #followed = new Map<string, Followed>();
  readonly #events = new TypedEmitter<FollowerEvents>((name, error) =>
    log.error("A follower '{name}' listener threw: {error}", { name, error })
  );
  #loop: Promise<void> | null = null;
  #closed = false;
  #wake: (() => void) | null = null;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #inflight: AbortController | null = null;
  #allFinalWaiters: (() => void)[] = [];
  #live = false;

  readonly stats = { followed: 0, final: 0, gaveUp: 0, polls: 0, pollErrors: 0 };

  constructor(options: UtteranceFollowerOptions = {}) {
    this.#opts = options;
    this.#base = options.gatewayUrl ?? "http://127.0.0.1:8787";
    this.#tracer = options.tracer ?? logTracer;
  }

  /** Subscribes to an event; returns the unsubscribe function. */
  on<K extends keyof FollowerEvents>(
    name: K,
    listener: (payload: FollowerEvents[K]) => void,
  ): () => void {
    return this.#events.on(name, listener);
  }

  #print(line: string): void {
    try {
      this.#opts.print?.(line);
    } catch { /* printing must not stop following */ }
  }

  /** Utterances being followed. */
  get following(): number {
    return this.#followed.size;
  }

  /** Starts following an acknowledged utterance; `jobs` are those of the acknowledgement. */
  follow(utteranceId: string, jobs: readonly { job_id: string; status: string }[] = []): void {
    if (this.#closed || this.#followed.has(utteranceId)) return;
    const max = this.#opts.maxFollowed ?? 200;
    if (this.#followed.size >= max) {
      const oldest = this.#followed.keys().next().value!;
      this.#letGo(oldest, `more than ${max} utterances followed at once`);
    }
    const now = performance.now();
    this.#followed.set(utteranceId, {
      id: utteranceId,
      startedAt: now,
      nextAt: now,
      failures: 0,
      notFound: 0,
      poked: false,
      jobs: new Map(jobs.map((j) => [j.job_id, j.status])),
    });
    this.stats.followed++;
    if (!this.#loop) this.#loop = this.#run();
    this.#wake?.();
  }

  /**
   * Polls at once the followed utterance `utterance_id`, or the one holding `job_id`, or every
   * one when neither is given (the event stream saw a change, or may have missed some).
   */
  poke(ref: { utterance_id?: string | undefined; job_id?: string | undefined } = {}): void {
    const now = performance.now();
    let hit = false;
    for (const f of this.#followed.values()) {
      const all = ref.utterance_id === undefined && ref.job_id === undefined;
      if (
        all || f.id === ref.utterance_id || (ref.job_id !== undefined && f.jobs.has(ref.job_id))
      ) {
        f.nextAt = now;
        f.poked = true;
        hit = true;
      }
    }
    if (hit) this.#wake?.();
  }

  /**
   * While an event stream reports changes as they happen, polling is only the safety net and
   * slows down to {@linkcode UtteranceFollowerOptions.livePollIntervalMs}.
   */
  set eventsLive(live: boolean) {
    this.#live = live;
  }

  #interval(): number {
    const base = this.#opts.pollIntervalMs ?? 500;
    return this.#live ? Math.max(base, this.#opts.livePollIntervalMs ?? 3000) : base;
  }

  /** Resolves when nothing is followed any more (all final or given up). */
  whenAllFinal(): Promise<void> {
    if (this.#followed.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#allFinalWaiters.push(resolve));
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#inflight?.abort();
    this.#wake?.();
    await this.#loop;
    for (const w of this.#allFinalWaiters.splice(0)) w();
  }

  #letGo(id: string, reason: string): void {
    if (!this.#followed.delete(id)) return;
    this.stats.gaveUp++;
    log.warning("No longer following utterance {id}: {reason}", { id, reason });
    emitTrace(this.#tracer, {
      source: SOURCE,
      event: "fanin.gave_up",
      utterance_id: id,
      data: { reason },
    });
    this.#events.emit("gave_up", { utterance_id: id, reason });
    this.#checkAllFinal();
  }

  #checkAllFinal(): void {
    if (this.#followed.size === 0) { for (const w of this.#allFinalWaiters.splice(0)) w(); }
  }

  async #run(): Promise<void> {
    try {
      while (!this.#closed && this.#followed.size > 0) {
        const now = performance.now();
        const due = [...this.#followed.values()].filter((f) => f.nextAt <= now);
        for (const f of due) {
          if (this.#closed) return;
          if (this.#followed.has(f.id)) await this.#poll(f);
        }
        if (this.#closed || this.#followed.size === 0) break;
        const next = Math.min(...[...this.#followed.values()].map((f) => f.nextAt));
        await this.#sleep(Math.max(0, next - performance.now()));
      }
    } finally {
      this.#loop = null;
      // Something followed while the loop was finishing gets a new loop.
      if (!this.#closed && this.#followed.size > 0) this.#loop = this.#run();
    }
  }

  async #sleep(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      this.#wake = resolve;
      this.#timer = setTimeout(resolve, ms);
    });
    clearTimeout(this.#timer);
    this.#wake = null;
  }

  async #poll(f: Followed): Promise<void> {
    const interval = this.#interval();
    f.poked = false;
    const elapsed = performance.now() - f.startedAt;
    if (elapsed > (this.#opts.timeoutMs ?? 900_000)) {
      this.#letGo(f.id, `not final after ${Math.round(elapsed / 1000)} s`);
      return;
    }
    const headers: Record<string, string> = { accept: "application/json" };
    if (this.#opts.token) headers.authorization = `Bearer ${this.#opts.token}`;
    const controller = new AbortController();
    this.#inflight = controller;
    const timer = setTimeout(() => controller.abort(), this.#opts.requestTimeoutMs ?? 10_000);
    this.stats.polls++;
    let status = 0;
    let body = "";
    try {
      const res = await fetch(new URL(`/utterances/${encodeURIComponent(f.id)}`, this.#base), {
        headers,
        signal: controller.signal,
      });
      status = res.status;
      body = await res.text();
    } catch (error) {
      if (this.#closed) return;
      this.#failed(f, (error as Error).message);
      return;
    } finally {
      clearTimeout(timer);
      this.#inflight = null;
    }
    if (status === 401 || status === 403) {
      this.#letGo(f.id, `the gateway refused the token (HTTP ${status}): check GATEWAY_TOKEN`);
      return;
    }
    if (status === 404) {
      // Acknowledged utterances exist; a 404 right after the ack can only be a passing state.
      if (++f.notFound >= 5) this.#letGo(f.id, "the gateway does not know it (HTTP 404)");
      else f.nextAt = performance.now() + interval;
      return;
    }
    if (status < 200 || status >= 300) {
      this.#failed(f, `HTTP ${status}`);
      return;
    }
    let view: UtteranceView;
    try {
      const parsed = UtteranceView.safeParse(JSON.parse(body));
      if (!parsed.success) {
        this.#failed(
          f,
          `unexpected answer: ${parsed.error.issues[0]?.path.join(".")}: ${
            parsed.error.issues[0]?.message
          }`,
        );
        return;
      }
      view = parsed.data;
    } catch {
      this.#failed(f, "answer is not JSON");
      return;
    }
    f.failures = 0;
    for (const job of view.jobs) {
      const previous = f.jobs.get(job.job_id) ?? null;
      if (previous === job.status) continue;
      f.jobs.set(job.job_id, job.status);
      this.#events.emit("job", { utterance_id: f.id, job, previous });
      if (FINAL_JOB_STATUSES.has(job.status)) {
        emitTrace(this.#tracer, {
          source: SOURCE,
          event: "fanin.job_finished",
          utterance_id: f.id,
          job_id: job.job_id,
          ...(job.usage?.cost_usd !== undefined ? { cost_usd: job.usage.cost_usd } : {}),
          data: { intent: job.intent, status: job.status },
        });
        if (!isFinalStatus(view.status)) this.#print(formatJobLine(job, this.#base));
      }
    }
    if (!isFinalStatus(view.status)) {
      f.nextAt = performance.now() + (f.poked ? 0 : interval);
      return;
    }
    this.#followed.delete(f.id);
    this.stats.final++;
    const total = performance.now() - f.startedAt;
    emitTrace(this.#tracer, {
      source: SOURCE,
      event: "fanin.final",
      utterance_id: f.id,
      duration_ms: total,
      ...(view.usage?.cost_usd !== undefined ? { cost_usd: view.usage.cost_usd } : {}),
      data: { status: view.status, jobs: view.jobs.length },
    });
    for (const line of formatUtteranceResult(view, this.#base)) this.#print(line);
    this.#events.emit("final", { utterance_id: f.id, view, elapsed_ms: total });
    this.#checkAllFinal();
  }

  #failed(f: Followed, why: string): void {
    f.failures++;
    this.stats.pollErrors++;
    const delay = backoffDelay(f.failures, {
      baseDelayMs: this.#opts.pollIntervalMs ?? 500,
      maxDelayMs: this.#opts.maxPollIntervalMs ?? 5000,
    });
    if (f.failures === 1 || f.failures % 10 === 0) {
      log.warning("Polling utterance {id} failed ({why}); next try in {delay} ms", {
        id: f.id,
        why,
        delay,
      });
    }
    f.nextAt = performance.now() + delay;
  }
}
