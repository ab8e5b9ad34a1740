/**
 * @module
 * Rolling figures for the dashboard's charts, from trace events in memory: jobs finished per
 * second, failures, job latency (p50, p95) and sampled queue depth, in fixed time buckets over
 * the last minutes. Pure apart from the injected clock, so tests drive it with fake time.
 */
import type { TraceEvent } from "@shared/schemas/mod.ts";

/** One bucket of the charts. */
export interface StatsPoint {
  /** Bucket start, epoch ms. */
  t: number;
  /** Jobs that reached a final state in the bucket. */
  completed: number;
  /** Of those, how many did not succeed (failed, dead). */
  failed: number;
  /** Finished jobs per second over the bucket (so far, for the current one). */
  per_s: number;
  /** Job duration percentiles in ms, null without finished jobs. */
  p50_ms: number | null;
  p95_ms: number | null;
  /** Queue depth (waiting + running) last sampled in the bucket; null when none was taken. */
  depth: number | null;
}

export interface LiveStatsOptions {
  /** @default 5000 */
  bucketMs?: number;
  /** How far back the charts go. @default 600000 (10 minutes) */
  windowMs?: number;
  /** Durations kept per bucket for the percentiles. @default 2000 */
  maxSamplesPerBucket?: number;
  now?: () => number;
}

interface Bucket {
  completed: number;
  failed: number;
  durations: number[];
  depth: number | null;
}

const FINISHED = new Set(["job.succeeded", "job.failed", "job.dead"]);

/** Nearest-rank percentile of sorted values. */
export function percentileOf(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export class LiveStats {
  readonly bucketMs: number;
  readonly windowMs: number;
  readonly #max: number;
  readonly #now: () => number;
  readonly #buckets = new Map<number, Bucket>();

  constructor(options: LiveStatsOptions = {}) {
    this.bucketMs = options.bucketMs ?? 5000;
    this.windowMs = options.windowMs ?? 600_000;
    this.#max = options.maxSamplesPerBucket ?? 2000;
    this.#now = options.now ?? Date.now;
  }

  #bucket(at: number): Bucket | undefined {
    const now = this.#now();
    if (at < now - this.windowMs || at > now + this.bucketMs) return undefined;
    const key = at - (at % this.bucketMs);
    let b = this.#buckets.get(key);
    if (!b) {
      b = { completed: 0, failed: 0, durations: [], depth: null };
      this.#buckets.set(key, b);
      this.#prune(now);
    }
    return b;
  }

  #prune(now: number) {
    const oldest = now - this.windowMs - this.bucketMs;
    for (const key of this.#buckets.keys()) if (key < oldest) this.#buckets.delete(key);
  }

  /** Counts a finished job (`job.succeeded`, `job.failed`, `job.dead`); ignores the rest. */
  record(event: TraceEvent): void {
    if (!FINISHED.has(event.event)) return;
    const at = Date.parse(event.ts);
    const b = Number.isFinite(at) ? this.#bucket(at) : undefined;
    if (!b) return;
    b.completed++;
    if (event.event !== "job.succeeded") b.failed++;
    if (event.duration_ms !== undefined && b.durations.length < this.#max) {
      b.durations.push(event.duration_ms);
    }
  }

  /** Records the queue depth now. */
  sampleDepth(depth: number): void {
    const b = this.#bucket(this.#now());
    if (b) b.depth = depth;
  }

  #point(key: number, now: number): StatsPoint {
    const b = this.#buckets.get(key);
    const sorted = b ? [...b.durations].sort((x, y) => x - y) : [];
    const elapsed = Math.min(this.bucketMs, Math.max(1000, now - key));
    const round = (v: number | null) => (v === null ? null : Math.round(v * 100) / 100);
    return {
      t: key,
      completed: b?.completed ?? 0,
      failed: b?.failed ?? 0,
      per_s: Math.round(((b?.completed ?? 0) / (elapsed / 1000)) * 100) / 100,
      p50_ms: round(percentileOf(sorted, 50)),
      p95_ms: round(percentileOf(sorted, 95)),
      depth: b?.depth ?? null,
    };
  }

  /** Every bucket of the window, oldest first, empty ones included (the charts' x axis). */
  history(): StatsPoint[] {
    const now = this.#now();
    this.#prune(now);
    const last = now - (now % this.bucketMs);
    const count = Math.floor(this.windowMs / this.bucketMs);
    const out: StatsPoint[] = [];
    for (let i = count - 1; i >= 0; i--) out.push(this.#point(last - i * this.bucketMs, now));
    return out;
  }

  /** The current (partial) bucket. */
  current(): StatsPoint {
    const now = this.#now();
    return this.#point(now - (now % this.bucketMs), now);
  }
}
