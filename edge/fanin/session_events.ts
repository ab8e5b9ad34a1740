/**
 * @module
 * Follows the gateway's `GET /events?session_id=` stream (Server-Sent Events, narrowed to
 * this edge's session) and reports each event of the session as it happens (trace events, and
 * the session feed's `job`, `utterance` and `control` items read from the gateway's store), so that
 * results, confirmations and cancellations are heard at once instead of at the next poll.
 * It reconnects by itself with backoff (honouring the server's `retry:`). A gateway that
 * does not know `session_id` (422/400) is asked for its whole stream instead: the follower
 * ignores events of utterances it does not follow. A refused token (or a second refusal) is
 * given up with one warning, and polling carries on alone. Every event's data is parsed with zod;
 * a line that does not parse is logged and skipped.
 */
import { getLogger } from "@logtape/logtape";
import { z } from "zod";
import { backoffDelay } from "../support/backoff.ts";
import { createSseParser } from "@shared/io/sse_parser.ts";

const log = getLogger(["edge", "fanin"]);

/** The part of a trace event the edge uses. */
export const SessionTrace = z.looseObject({
  event: z.string(),
  utterance_id: z.string().optional(),
  job_id: z.string().optional(),
  data: z.unknown().optional(),
});
export type SessionTrace = z.infer<typeof SessionTrace>;

/** What the session feed sends beside trace events: a job's change, a fan-in's end, a command. */
const FEED_EVENTS: ReadonlySet<string> = new Set(["job", "utterance", "control"]);
const FeedItem = z.looseObject({
  utterance_id: z.string(),
  job_id: z.string().optional(),
  status: z.string().optional(),
});

/** Options of {@linkcode SessionEvents}. */
export interface SessionEventsOptions {
  gatewayUrl: string;
  sessionId: string;
  /** Sent as `Authorization: Bearer` (`GATEWAY_TOKEN`). */
  token?: string;
  /**
   * A trace event: of the session when `narrowed`, of any session when the gateway could not
   * narrow the stream.
   */
  onTrace: (e: SessionTrace, narrowed: boolean) => void;
  /** The server dropped events for us (`gap`), or we reconnected: anything may have changed. */
  onResync?: () => void;
  /** The stream went up or down. */
  onLive?: (live: boolean) => void;
  /** @default base 500 ms, cap 10 s */
  retry?: { baseDelayMs?: number; maxDelayMs?: number };
}

/** See the module documentation. */
export class SessionEvents {
  readonly #o: SessionEventsOptions;
  #abort: AbortController | undefined;
  #loop: Promise<void> | undefined;
  #closed = false;
  #live = false;
  #narrowed = true;
  #wake: (() => void) | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  readonly stats = { connects: 0, events: 0, invalid: 0 };
  /** Why the stream was given up for good, if it was. */
  gaveUp: string | undefined;

  constructor(options: SessionEventsOptions) {
    this.#o = options;
  }

  get live(): boolean {
    return this.#live;
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#abort?.abort();
    clearTimeout(this.#timer);
    this.#wake?.();
    await this.#loop;
  }

  #setLive(live: boolean): void {
    if (this.#live === live) return;
    this.#live = live;
    this.#o.onLive?.(live);
  }

  async #run(): Promise<void> {
    const url = new URL("/events", this.#o.gatewayUrl);
    url.searchParams.set("session_id", this.#o.sessionId);
    let failures = 0;
    let serverRetry: number | undefined;
    while (!this.#closed) {
      this.#abort = new AbortController();
      const headers: Record<string, string> = { accept: "text/event-stream" };
      if (this.#o.token) headers.authorization = `Bearer ${this.#o.token}`;
      let why: string;
      try {
        const res = await fetch(url, { headers, signal: this.#abort.signal });
        if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) {
          const body = (await res.text()).slice(0, 200);
          if (this.#narrowed && (res.status === 400 || res.status === 422)) {
            this.#narrowed = false;
            url.searchParams.delete("session_id");
            log.info("The gateway does not narrow /events by session ({status}): reading it all", {
              status: res.status,
            });
            continue;
          }
          this.gaveUp = `HTTP ${res.status}: ${body}`;
          log.warning(
            "The gateway refused the event stream ({why}): results are followed by polling",
            { why: this.gaveUp },
          );
          return;
        }
        if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
        this.stats.connects++;
        failures = 0;
        this.#setLive(true);
        // A reconnect may have missed events: the follower looks again.
        if (this.stats.connects > 1) this.#o.onResync?.();
        const reader = createSseParser((m) => this.#message(m.event, m.data));
        for await (const text of res.body.pipeThrough(new TextDecoderStream())) {
          reader.push(text);
        }
        serverRetry = reader.retryMs();
        why = "the stream ended";
      } catch (error) {
        why = (error as Error).message;
      }
      this.#setLive(false);
      if (this.#closed) return;
      failures++;
      const delay = Math.max(
        serverRetry ?? 0,
        backoffDelay(failures, {
          baseDelayMs: this.#o.retry?.baseDelayMs ?? 500,
          maxDelayMs: this.#o.retry?.maxDelayMs ?? 10_000,
        }),
      );
      if (failures === 1 || failures % 10 === 0) {
        log.info("Event stream lost ({why}); reconnecting in {delay} ms", { why, delay });
      }
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        this.#timer = setTimeout(resolve, delay);
      });
      clearTimeout(this.#timer);
      this.#wake = undefined;
    }
  }

  #message(event: string, data: string): void {
    if (event === "gap") {
      this.#o.onResync?.();
      return;
    }
    const feed = FEED_EVENTS.has(event);
    if (event !== "trace" && !feed) return;
    let parsed: z.ZodSafeParseResult<SessionTrace>;
    try {
      const json = JSON.parse(data);
      // A feed item (`job`, `utterance`, `control`) is read as a trace event named `feed.<kind>`
      // whose data is the item itself.
      if (feed) {
        const item = FeedItem.safeParse(json);
        parsed = SessionTrace.safeParse(
          item.success
            ? {
              event: `feed.${event}`,
              utterance_id: item.data.utterance_id,
              ...(item.data.job_id !== undefined ? { job_id: item.data.job_id } : {}),
              data: item.data,
            }
            : undefined,
        );
      } else parsed = SessionTrace.safeParse(json);
    } catch {
      parsed = SessionTrace.safeParse(undefined);
    }
    if (!parsed.success) {
      this.stats.invalid++;
      log.warning("Skipped an event the edge cannot read: {data}", { data: data.slice(0, 200) });
      return;
    }
    this.stats.events++;
    try {
      this.#o.onTrace(parsed.data, this.#narrowed);
    } catch (error) {
      log.error("An event listener threw: {error}", { error });
    }
  }
}

/**
 * Starts following the session's events for `follower`: each event polls its utterance at
 * once, a gap or a reconnect polls them all, and polling slows down while the stream is live.
 * A job of the session that pauses for confirmation is followed even when this edge did not
 * start it (a request sent another way in the same session), so its question is asked aloud;
 * only on a stream narrowed to the session, never on a gateway's whole stream.
 */
export function followSessionEvents(
  follower: {
    poke(ref?: { utterance_id?: string | undefined; job_id?: string | undefined }): void;
    follow(utteranceId: string): void;
    eventsLive: boolean;
  },
  options: Omit<SessionEventsOptions, "onTrace" | "onResync" | "onLive">,
): SessionEvents {
  const events = new SessionEvents({
    ...options,
    onTrace: (e, narrowed) => {
      const paused = e.event === "job.awaiting_confirmation" ||
        (e.event === "feed.job" &&
          (e.data as { status?: unknown } | undefined)?.status === "awaiting_confirmation");
      if (narrowed && paused && e.utterance_id) {
        follower.follow(e.utterance_id); // no-op when already followed
      }
      follower.poke({ utterance_id: e.utterance_id, job_id: e.job_id });
    },
    onResync: () => follower.poke(),
    onLive: (live) => (follower.eventsLive = live),
  });
  events.start();
  return events;
}
