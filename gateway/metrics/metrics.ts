/**
 * @module
 * Prometheus metrics of the gateway (`prom-client`, own registry, names prefixed
 * `orchestrator_`). Queue depth is read from the queue at scrape time.
 */
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { Usage } from "@shared/schemas/mod.ts";
import type { QueueDepth } from "../queue/queue.ts";
import { type HistogramChild, LabelledHistogram } from "./labelled_histogram.ts";

/** The tracer's running counts that `/metrics` shows (see `gateway/traces/tracer.ts`). */
export interface TraceCounts {
  readonly sinkErrors: number;
  readonly linesDropped: number;
}

/** A counter that follows a running count kept elsewhere, read at each scrape. */
function followingCounter(
  name: string,
  help: string,
  read: () => number,
  registers: Registry[],
): Counter<string> {
  let reported = 0;
  return new Counter({
    name,
    help,
    registers,
    collect() {
      const n = read();
      if (n > reported) {
        this.inc(n - reported);
        reported = n;
      }
    },
  });
}

export class Metrics {
  readonly registry = new Registry();
  readonly jobsEnqueued: Counter<"intent">;
  readonly jobsCompleted: Counter<"intent">;
  readonly jobsFailed: Counter<"intent" | "code">;
  readonly jobsRetried: Counter<"intent">;
  readonly jobDuration: Histogram<"intent" | "status">;
  /** Observed on every request: see {@link LabelledHistogram}. */
  readonly httpDuration: LabelledHistogram<"route" | "method" | "status">;
  readonly tokens: Counter<"provider" | "model" | "kind">;
  readonly cost: Counter<"provider" | "model">;
  readonly unpriced: Counter<"provider" | "model">;
  readonly cacheReadRatio: Gauge<"provider" | "model">;
  readonly unrouted: Counter<string>;
  readonly controlCommands: Counter<"action" | "outcome">;
  readonly queueDepth: Gauge<"state">;
  readonly traceSinkErrors: Counter<string>;
  readonly traceLinesDropped: Counter<string>;
  readonly #httpChildren = new Map<string, HistogramChild>();
  readonly #enqueuedChildren = new Map<string, { inc(value?: number): void }>();

  /**
   * `depth`: the queue's depth, read at scrape time. `traces`: the tracer, whose counts of failed
   * or unanswered sink writes and of dropped lines are read at scrape time too.
   */
  constructor(depth?: () => Promise<QueueDepth>, traces?: TraceCounts) {
    const registers = [this.registry];
    this.jobsEnqueued = new Counter({
      name: "orchestrator_jobs_enqueued_total",
      help: "Jobs accepted into the queue, by intent.",
      labelNames: ["intent"],
      registers,
    });
    this.jobsCompleted = new Counter({
      name: "orchestrator_jobs_completed_total",
      help: "Jobs that succeeded, by intent.",
      labelNames: ["intent"],
      registers,
    });
    this.jobsFailed = new Counter({
      name: "orchestrator_jobs_failed_total",
      help: "Jobs that ended failed, dead or cancelled, by intent and error code.",
      labelNames: ["intent", "code"],
      registers,
    });
    this.jobsRetried = new Counter({
      name: "orchestrator_jobs_retried_total",
      help: "Attempts that failed and were scheduled again, by intent.",
      labelNames: ["intent"],
      registers,
    });
    this.jobDuration = new Histogram({
      name: "orchestrator_job_duration_seconds",
      help: "Duration of job attempts from start to end, by intent and outcome.",
      labelNames: ["intent", "status"],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
      registers,
    });
    this.httpDuration = new LabelledHistogram({
      name: "orchestrator_http_request_duration_seconds",
      help: "HTTP request duration by route pattern, method and status.",
      labelNames: ["route", "method", "status"],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers,
    });
    this.tokens = new Counter({
      name: "orchestrator_tokens_total",
      help:
        "Model tokens used by jobs, by provider, model and kind (input, output, cache_read, cache_creation).",
      labelNames: ["provider", "model", "kind"],
      registers,
    });
    this.cost = new Counter({
      name: "orchestrator_cost_usd_total",
      help: "Estimated model cost of jobs in US dollars, by provider and model.",
      labelNames: ["provider", "model"],
      registers,
    });
    this.unpriced = new Counter({
      name: "orchestrator_unpriced_jobs_total",
      help: "Jobs whose model has no price (cost unknown), by provider and model.",
      labelNames: ["provider", "model"],
      registers,
    });
    const tokens = this.tokens;
    this.cacheReadRatio = new Gauge({
      name: "orchestrator_cache_read_ratio",
      help:
        "Share of prompt tokens read from the provider's prompt cache (cache_read over input + cache_read + cache_creation), by provider and model.",
      labelNames: ["provider", "model"],
      registers,
      async collect() {
        // Derived from the token counters at scrape time, so it never drifts from them.
        const byModel = new Map<
          string,
          { labels: { provider: string; model: string }; k: Record<string, number> }
        >();
        for (const v of (await tokens.get()).values) {
          const provider = String(v.labels.provider);
          const model = String(v.labels.model);
          const key = `${provider}\u0000${model}`;
          const entry = byModel.get(key) ?? { labels: { provider, model }, k: {} };
          entry.k[String(v.labels.kind)] = v.value;
          byModel.set(key, entry);
        }
        for (const { labels, k } of byModel.values()) {
          const read = k.cache_read ?? 0;
          const prompt = (k.input ?? 0) + read + (k.cache_creation ?? 0);
          if (prompt > 0) this.set(labels, read / prompt);
        }
      },
    });
    this.unrouted = new Counter({
      name: "orchestrator_unrouted_utterances_total",
      help: "Utterances no skill matched.",
      registers,
    });
    this.controlCommands = new Counter({
      name: "orchestrator_control_commands_total",
      help:
        "Voice commands by action (cancel, confirm, deny, status, retry) and outcome (acted, nothing, no_session).",
      labelNames: ["action", "outcome"],
      registers,
    });
    this.queueDepth = new Gauge({
      name: "orchestrator_queue_depth",
      help: "Jobs in the queue by state (queued, delayed, running, awaiting_confirmation).",
      labelNames: ["state"],
      registers,
      async collect() {
        if (!depth) return;
        try {
          const d = await depth();
          for (const [state, n] of Object.entries(d)) this.set({ state }, n);
        } catch {
          // A scrape must not fail because the store is briefly unreachable; /healthz says so.
        }
      },
    });
    this.traceSinkErrors = followingCounter(
      "orchestrator_trace_sink_errors_total",
      "Trace sink writes that failed or got no answer in time (the other sinks still got the batch).",
      () => traces?.sinkErrors ?? 0,
      registers,
    );
    this.traceLinesDropped = followingCounter(
      "orchestrator_trace_lines_dropped_total",
      "Trace lines a sink never got: dropped, oldest first, while too many waited for it (the other sinks got them).",
      () => traces?.linesDropped ?? 0,
      registers,
    );
  }

  /** Records one HTTP request. The labelled child is looked up once per route, method and status. */
  observeHttp(route: string, method: string, status: string, seconds: number): void {
    const key = `${method} ${status} ${route}`;
    let child = this.#httpChildren.get(key);
    if (!child) {
      child = this.httpDuration.labels({ route, method, status });
      this.#httpChildren.set(key, child);
    }
    child.observe(seconds);
  }

  /** Counts one enqueued job, with the labelled child kept per intent (see `observeHttp`). */
  countEnqueued(intent: string): void {
    let child = this.#enqueuedChildren.get(intent);
    if (!child) {
      child = this.jobsEnqueued.labels({ intent });
      this.#enqueuedChildren.set(intent, child);
    }
    child.inc();
  }

  /** Adds a finished job's usage to the token and cost counters. */
  recordUsage(usage: Usage): void {
    const base = { provider: usage.provider, model: usage.model };
    this.tokens.inc({ ...base, kind: "input" }, usage.input_tokens);
    this.tokens.inc({ ...base, kind: "output" }, usage.output_tokens);
    if (usage.cache_read_input_tokens) {
      this.tokens.inc({ ...base, kind: "cache_read" }, usage.cache_read_input_tokens);
    }
    if (usage.cache_creation_input_tokens) {
      this.tokens.inc({ ...base, kind: "cache_creation" }, usage.cache_creation_input_tokens);
    }
    if (usage.cost_usd === null) this.unpriced.inc(base);
    else this.cost.inc(base, usage.cost_usd);
  }

  /** Prometheus text exposition. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return "text/plain; version=0.0.4; charset=utf-8";
  }
}
