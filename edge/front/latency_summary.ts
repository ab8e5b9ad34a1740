/**
 * @module
 * Summaries of VAD inference times for the trace log: how many windows, median, p99 and worst,
 * in ms rounded to microseconds. Pure.
 */

export interface LatencySummary {
  windows: number;
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
}

/** Nearest-rank percentile of ascending `sorted` values, 0 for none. */
export function nearestRank(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[
    Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  ]!;
}

export function latencySummary(values: readonly number[]): LatencySummary {
  const sorted = [...values].sort((a, b) => a - b);
  const round = (v: number) => Math.round(v * 1000) / 1000;
  return {
    windows: sorted.length,
    p50_ms: round(nearestRank(sorted, 50)),
    p99_ms: round(nearestRank(sorted, 99)),
    max_ms: round(sorted.at(-1) ?? 0),
  };
}
