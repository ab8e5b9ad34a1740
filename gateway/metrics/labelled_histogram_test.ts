import { assertEquals, assertThrows } from "@shared/testing/asserts.ts";
import { Histogram, Registry } from "prom-client";
import { LabelledHistogram } from "./labelled_histogram.ts";

const OPTIONS = {
  name: "test_request_duration_seconds",
  help: "A duration, by route, method and status.",
  labelNames: ["route", "method", "status"] as const,
  buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
};

Deno.test("LabelledHistogram is exposed exactly as prom-client's Histogram with the same observations", async () => {
  const theirs = new Registry();
  const ours = new Registry();
  const reference = new Histogram({
    ...OPTIONS,
    labelNames: [...OPTIONS.labelNames],
    registers: [theirs],
  });
  const fast = new LabelledHistogram({ ...OPTIONS, registers: [ours] });
  const labels = [
    { route: "/task", method: "POST", status: "202" },
    { route: "/jobs/:job_id", method: "GET", status: "404" },
    { route: '/odd "route"\\', method: "GET", status: "200" },
  ];
  // Values on a bound, between bounds, under the first and over the last, interleaved.
  const values = [0, 0.0005, 0.00051, 0.001, 0.3, 1, 1.0001, 7, 0.1, 1e-9, 0.025];
  const children = labels.map((l) => fast.labels(l));
  for (let i = 0; i < 200; i++) {
    const which = (i * 7) % labels.length;
    const value = values[i % values.length]! * (1 + (i % 3) / 10);
    reference.labels(labels[which]!).observe(value);
    children[which]!.observe(value);
  }
  assertEquals(await ours.metrics(), await theirs.metrics());
  assertEquals(await ours.getMetricsAsJSON(), await theirs.getMetricsAsJSON());
  // The same label values give the same child; a reset forgets every series, as prom-client's.
  assertEquals(fast.labels({ ...labels[0]! }) === children[0], true);
  ours.resetMetrics();
  theirs.resetMetrics();
  assertEquals(await ours.metrics(), await theirs.metrics());
});

Deno.test("LabelledHistogram refuses what prom-client's Histogram refuses", () => {
  const fast = new LabelledHistogram({ ...OPTIONS, registers: [new Registry()] });
  const child = fast.labels({ route: "/task", method: "POST", status: "202" });
  assertThrows(() => child.observe(NaN), TypeError, "Value is not a valid number: NaN");
  assertThrows(() => child.observe(Infinity), TypeError, "Value is not a valid number: Infinity");
  assertThrows(
    () => fast.labels({ route: "/task", method: "POST", status: "202", extra: "x" } as never),
    Error,
    'Added label "extra" is not included in initial labelset',
  );
  const registry = new Registry();
  new LabelledHistogram({ ...OPTIONS, registers: [registry] });
  assertThrows(
    () => new LabelledHistogram({ ...OPTIONS, registers: [registry] }),
    Error,
    `A metric with the name ${OPTIONS.name} has already been registered.`,
  );
});
