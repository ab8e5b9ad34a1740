/**
 * @module
 * `LabelledHistogram`: a Prometheus histogram for the request path, exposed by prom-client's
 * registry exactly as its own `Histogram` (same series, labels, order and values). prom-client
 * checks and hashes a child's labels on every `observe`, which costs more than the observation;
 * here a child is looked up once and then only adds to its own bucket counts.
 */
import type { Metric, Registry } from "prom-client";

/** One set of label values: what `labels()` returns. */
export interface HistogramChild {
  /** Counts `value` in its bucket and adds it to the sum. */
  observe(value: number): void;
}

export interface LabelledHistogramOptions<L extends string> {
  name: string;
  help: string;
  labelNames: readonly L[];
  /** Upper bounds, ascending; `+Inf` is implied. */
  buckets: readonly number[];
  registers: Registry[];
}

/** A series as prom-client's registry reads it from a metric's `getForPromString()`. */
interface SeriesValue {
  labels: Record<string, string | number>;
  sharedLabels: Record<string, string>;
  value: number;
  metricName: string;
  exemplar: null | undefined;
}

class Child implements HistogramChild {
  /** Observations per bucket (not cumulative), one per upper bound. */
  readonly counts: number[];
  sum = 0;
  count = 0;

  constructor(readonly labels: Record<string, string>, readonly bounds: readonly number[]) {
    this.counts = bounds.map(() => 0);
  }

  observe(value: number): void {
    if (!Number.isFinite(value)) throw new TypeError(`Value is not a valid number: ${value}`);
    const bounds = this.bounds;
    for (let i = 0; i < bounds.length; i++) {
      if (value <= bounds[i]!) {
        this.counts[i]!++;
        break;
      }
    }
    this.sum += value;
    this.count += 1;
  }
}

export class LabelledHistogram<L extends string> {
  readonly name: string;
  readonly help: string;
  readonly type = "histogram";
  readonly aggregator = "sum";
  readonly labelNames: readonly L[];
  readonly #bounds: readonly number[];
  /** In the order first observed, as prom-client lists its series. */
  readonly #children = new Map<string, Child>();

  constructor(options: LabelledHistogramOptions<L>) {
    this.name = options.name;
    this.help = options.help;
    this.labelNames = options.labelNames;
    this.#bounds = [...options.buckets];
    for (const registry of options.registers) {
      registry.registerMetric(this as unknown as Metric);
    }
  }

  /** The child for these label values: the same one for the same values. Keep it. */
  labels(labels: Record<L, string>): HistogramChild {
    for (const name of Object.keys(labels)) {
      if (!this.labelNames.includes(name as L)) {
        throw new Error(`Added label "${name}" is not included in initial labelset`);
      }
    }
    const key = this.labelNames.map((name) => labels[name]).join("\u0000");
    let child = this.#children.get(key);
    if (!child) this.#children.set(key, child = new Child(labels, this.#bounds));
    return child;
  }

  reset(): void {
    this.#children.clear();
  }

  /** The series as prom-client's `Histogram.getForPromString()` gives them. */
  getForPromString() {
    const values: SeriesValue[] = [];
    const bucket = `${this.name}_bucket`;
    for (const child of this.#children.values()) {
      let cumulative = 0;
      this.#bounds.forEach((le, i) => {
        cumulative += child.counts[i]!;
        values.push(series({ le }, cumulative, bucket, null, child.labels));
      });
      values.push(series({ le: "+Inf" }, child.count, bucket, null, child.labels));
      values.push(series({}, child.sum, `${this.name}_sum`, undefined, child.labels));
      values.push(series({}, child.count, `${this.name}_count`, undefined, child.labels));
    }
    return {
      name: this.name,
      help: this.help,
      type: this.type,
      values,
      aggregator: this.aggregator,
    };
  }

  /** The series as prom-client's `Histogram.get()` gives them (label values merged). */
  get() {
    const data = this.getForPromString();
    return Promise.resolve({
      ...data,
      values: data.values.map(({ sharedLabels, labels, ...rest }) => ({
        ...rest,
        labels: { ...labels, ...sharedLabels },
      })),
    });
  }
}

function series(
  labels: Record<string, string | number>,
  value: number,
  metricName: string,
  exemplar: null | undefined,
  sharedLabels: Record<string, string>,
): SeriesValue {
  return { labels, sharedLabels, value, metricName, exemplar };
}
