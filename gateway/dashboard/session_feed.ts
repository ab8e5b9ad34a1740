/**
 * @module
 * What a speaker's edge needs to hear about, for `GET /events?session_id=` (or
 * `?utterance_id=`): every status change of the jobs it follows (`job`, with the question of a
 * job that awaits a confirmation), the end of each utterance's fan-in (`utterance`, the same
 * body as `GET /utterances/{id}`), and the answers to the session's voice commands (`control`).
 *
 * It reads the queue store, not the trace events: jobs run by engines in other processes
 * (`deno task worker` on Redis) write no trace events here, but their records change in the
 * shared store. `diffUtterance` is the pure part; `SessionFeed.poll()` reads and diffs.
 */
import { isFinal, type JobRecord, type UtteranceRecord } from "@shared/schemas/mod.ts";
import type { JobQueue } from "../queue/queue.ts";
import { fanIn } from "../routes/fan_in.ts";

/** One message for the stream: its SSE event name and its data. */
export interface FeedEvent {
  event: "job" | "utterance" | "control";
  data: Record<string, unknown>;
}

/** What was last seen of an utterance. */
export interface FollowState {
  /** Job id → last status sent. */
  jobs: Map<string, string>;
  /** Its end was sent (or it had ended before the stream began). */
  ended: boolean;
}

/** A job as the edge reads it: enough to speak about it. */
export function jobView(job: JobRecord, sessionId: string | undefined): Record<string, unknown> {
  return {
    job_id: job.job_id,
    utterance_id: job.utterance_id,
    ...(sessionId !== undefined ? { session_id: sessionId } : {}),
    intent: job.intent,
    status: job.status,
    clause: job.spec.clause ?? job.spec.instruction,
    attempts: job.attempts,
    ...(job.status === "awaiting_confirmation" && job.confirmation
      ? { confirmation: { prompt: job.confirmation.prompt } }
      : {}),
    ...(job.result?.summary !== undefined ? { summary: job.result.summary } : {}),
    ...(job.error ? { error: { code: job.error.code, message: job.error.message } } : {}),
    ...(job.usage ? { cost_usd: job.usage.cost_usd } : {}),
  };
}

/**
 * The events an utterance's current state calls for, given what was sent before (`prev`;
 * undefined the first time it is seen). `initial` marks the state found when the stream began:
 * sent so that a reconnecting edge learns what it missed, flagged so it can tell it apart.
 */
export function diffUtterance(
  prev: FollowState | undefined,
  utterance: UtteranceRecord,
  jobs: readonly JobRecord[],
  initial: boolean,
): { events: FeedEvent[]; next: FollowState } {
  const next: FollowState = { jobs: new Map(prev?.jobs), ended: prev?.ended ?? false };
  const events: FeedEvent[] = [];
  const mark = initial ? { initial: true } : {};
  if (next.ended) return { events, next };
  if (utterance.control) {
    next.ended = true;
    if (!initial) {
      events.push({
        event: "control",
        data: {
          utterance_id: utterance.utterance_id,
          ...(utterance.session_id !== undefined ? { session_id: utterance.session_id } : {}),
          text: utterance.text,
          ...utterance.control,
        },
      });
    }
    return { events, next };
  }
  for (const job of jobs) {
    if (next.jobs.get(job.job_id) === job.status) continue;
    next.jobs.set(job.job_id, job.status);
    // A finished job found at the start is summed up by its utterance's end; say nothing twice.
    if (initial && isFinal(job.status)) continue;
    events.push({ event: "job", data: { ...jobView(job, utterance.session_id), ...mark } });
  }
  if (jobs.length === utterance.job_ids.length && jobs.every((j) => isFinal(j.status))) {
    next.ended = true;
    events.push({ event: "utterance", data: { ...fanIn(utterance, jobs), ...mark } });
  }
  return { events, next };
}

export interface SessionFeedOptions {
  session_id?: string | undefined;
  utterance_id?: string | undefined;
  /**
   * How many of the session's newest utterances are followed.
   * @default 20
   */
  lookback?: number;
}

/** Follows a session's (or one utterance's) utterances in the store. */
export class SessionFeed {
  readonly #queue: JobQueue;
  readonly #o: SessionFeedOptions;
  readonly #seen = new Map<string, FollowState>();
  #started = false;

  constructor(queue: JobQueue, options: SessionFeedOptions) {
    this.#queue = queue;
    this.#o = options;
  }

  /** Whether `utteranceId` is one this feed follows (for narrowing trace events). */
  follows(utteranceId: string | undefined): boolean {
    return utteranceId !== undefined && this.#seen.has(utteranceId);
  }

  /** Whether some followed utterance has not ended yet. */
  get pending(): boolean {
    for (const s of this.#seen.values()) if (!s.ended) return true;
    return false;
  }

  /** Reads the followed utterances and returns what changed since the last poll. */
  async poll(): Promise<FeedEvent[]> {
    const initial = !this.#started;
    this.#started = true;
    let utterances: UtteranceRecord[];
    if (this.#o.utterance_id !== undefined) {
      const u = await this.#queue.getUtterance(this.#o.utterance_id);
      utterances = u && (this.#o.session_id === undefined || u.session_id === this.#o.session_id)
        ? [u]
        : [];
    } else if (this.#o.session_id !== undefined) {
      utterances = await this.#queue.listSessionUtterances(
        this.#o.session_id,
        this.#o.lookback ?? 20,
      );
    } else return [];
    const events: FeedEvent[] = [];
    // Forget what left the window, so a long session holds a bounded map.
    const current = new Set(utterances.map((u) => u.utterance_id));
    for (const id of this.#seen.keys()) if (!current.has(id)) this.#seen.delete(id);
    // Oldest first, so that events come in the order things happened.
    for (const u of [...utterances].reverse()) {
      const prev = this.#seen.get(u.utterance_id);
      if (prev?.ended) continue;
      const jobs = u.job_ids.length ? await this.#queue.listByUtterance(u.utterance_id) : [];
      const { events: found, next } = diffUtterance(prev, u, jobs, initial);
      this.#seen.set(u.utterance_id, next);
      events.push(...found);
    }
    return events;
  }
}
