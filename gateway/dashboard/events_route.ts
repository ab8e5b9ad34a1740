/**
 * @module
 * `GET /events`: Server-Sent Events for the dashboard. On connect, `event: hello` with the
 * charts' history of the last minutes; then every trace event live as `event: trace`, a
 * `event: stats` snapshot (queue depth by state, the current chart bucket) every few seconds,
 * `event: gap` when a slow client made the server drop events (the page reloads its lists), and
 * a `: ping` comment when idle so proxies keep the connection. `?job_id=` or `?utterance_id=`
 * narrow the trace events. `?session_id=` (or `?utterance_id=`) also makes it a speaker's feed
 * (`session_feed.ts`): `job`, `utterance` and `control` events read from the queue store, so
 * that an edge hears about its jobs wherever they run. The subscription ends when the client
 * goes away.
 */
import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import { z } from "zod";
import { Id, SessionId, type TraceEvent } from "@shared/schemas/mod.ts";
import type { AppDeps } from "../app_deps.ts";
import { validationError } from "../http_errors.ts";
import type { LiveStats } from "./live_stats.ts";
import { SessionFeed } from "./session_feed.ts";

export interface EventsRouteOptions {
  stats: LiveStats;
  /** How often a `stats` event is sent. @default 2000 */
  statsIntervalMs?: number;
  /** A `: ping` comment after this long without a write. @default 15000 */
  heartbeatMs?: number;
  /** Trace events held for one slow client before dropping (and sending `gap`). @default 1000 */
  maxBuffered?: number;
  /** The reconnection delay suggested to clients. @default 2000 */
  retryMs?: number;
  /**
   * How often a session or utterance feed reads the store for changes made by other processes
   * (changes traced in this process are read at once). @default 500
   */
  feedPollMs?: number;
}

const EventsQuery = z.object({
  job_id: Id.optional(),
  utterance_id: Id.optional(),
  session_id: SessionId.optional(),
}).strict();

export function eventsRoute(deps: AppDeps, options: EventsRouteOptions): Hono {
  const app = new Hono();
  const statsEvery = options.statsIntervalMs ?? 2000;
  const heartbeatEvery = options.heartbeatMs ?? 15_000;
  const maxBuffered = options.maxBuffered ?? 1000;

  /** Depth of the queue now, also recorded for the depth chart; null while the store is down. */
  const depth = async () => {
    try {
      const d = await deps.queue.depth();
      const total = d.queued + d.delayed + d.running + d.awaiting_confirmation;
      options.stats.sampleDepth(total);
      return { total, ...d };
    } catch {
      return null;
    }
  };

  app.get("/events", (c) => {
    const query = EventsQuery.safeParse(c.req.query());
    if (!query.success) throw validationError(query.error, "query");
    const { job_id, utterance_id, session_id } = query.data;
    const feed = session_id !== undefined || utterance_id !== undefined
      ? new SessionFeed(deps.queue, { session_id, utterance_id })
      : undefined;
    const feedEvery = options.feedPollMs ?? 500;
    const wanted = (e: TraceEvent) =>
      (!job_id || e.job_id === job_id) && (!utterance_id || e.utterance_id === utterance_id) &&
      (!session_id || feed!.follows(e.utterance_id) || e.data?.session_id === session_id);
    c.header("x-accel-buffering", "no");

    return streamSSE(c, async (stream) => {
      const buffer: { event: string; data: string }[] = [];
      let dropped = 0;
      let wake: (() => void) | undefined;
      let stopped = false;
      /** The feed reads the store again at once: something of its session happened here. */
      let feedDirty = feed !== undefined;
      const unsubscribe = deps.tracer.subscribe((e) => {
        const ours = feed && (feed.follows(e.utterance_id) ||
          (utterance_id !== undefined && e.utterance_id === utterance_id) ||
          (session_id !== undefined && e.data?.session_id === session_id));
        if (ours) {
          feedDirty = true;
          wake?.();
        }
        if (!wanted(e)) return;
        if (buffer.length < maxBuffered) buffer.push({ event: "trace", data: JSON.stringify(e) });
        else dropped++;
        wake?.();
      });
      const tick = Math.min(statsEvery, heartbeatEvery, feed ? feedEvery : Infinity);
      const ticker = setInterval(() => wake?.(), tick);
      const stop = () => {
        if (stopped) return;
        stopped = true;
        unsubscribe();
        clearInterval(ticker);
        wake?.();
      };
      stream.onAbort(stop);
      try {
        const now = await depth(); // first, so the history's last bucket has it
        await stream.writeSSE({
          event: "hello",
          data: JSON.stringify({
            bucket_ms: options.stats.bucketMs,
            history: options.stats.history(),
            depth: now,
          }),
          retry: options.retryMs ?? 2000,
        });
        let lastWrite = Date.now();
        let nextStats = Date.now() + statsEvery;
        let nextFeed = 0;
        while (!stopped && !stream.aborted && !stream.closed) {
          if (feed && (feedDirty || Date.now() >= nextFeed)) {
            // After a change traced here, read once more soon: an engine traces some steps
            // just before its store write lands.
            const soon = feedDirty && feedEvery > 50;
            nextFeed = Date.now() + (soon ? 50 : feedEvery);
            if (soon) setTimeout(() => wake?.(), 50);
            feedDirty = false;
            try {
              for (const e of await feed.poll()) {
                buffer.push({ event: e.event, data: JSON.stringify(e.data) });
              }
            } catch { /* the store is briefly unreachable: the next poll catches up */ }
          }
          while (buffer.length) {
            await stream.writeSSE(buffer.shift()!);
            lastWrite = Date.now();
          }
          if (dropped) {
            await stream.writeSSE({ event: "gap", data: JSON.stringify({ dropped }) });
            dropped = 0;
          }
          if (Date.now() >= nextStats) {
            await stream.writeSSE({
              event: "stats",
              data: JSON.stringify({ depth: await depth(), point: options.stats.current() }),
            });
            nextStats = Date.now() + statsEvery;
            lastWrite = Date.now();
          } else if (Date.now() - lastWrite >= heartbeatEvery) {
            await stream.write(": ping\n\n");
            lastWrite = Date.now();
          }
          if (buffer.length === 0 && !stopped && !feedDirty) {
            await new Promise<void>((resolve) => (wake = resolve));
            wake = undefined;
          }
        }
      } finally {
        stop();
      }
    });
  });

  return app;
}
