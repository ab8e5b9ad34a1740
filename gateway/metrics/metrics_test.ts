import { assertEquals, assertStringIncludes } from "@shared/testing/asserts.ts";
import { Metrics } from "./metrics.ts";

Deno.test("metrics: cache-read ratio per model, and unpriced jobs counted instead of costed", async () => {
  const m = new Metrics();
  const base = { provider: "anthropic", model: "claude-sonnet-5-5" };
  m.recordUsage({
    ...base,
    input_tokens: 100,
    output_tokens: 50,
    cache_creation_input_tokens: 900,
    cost_usd: 0.01,
  });
  m.recordUsage({
    ...base,
    input_tokens: 100,
    output_tokens: 50,
    cache_read_input_tokens: 900,
    cost_usd: 0.005,
  });
  m.recordUsage({
    provider: "anthropic",
    model: "claude-x",
    input_tokens: 10,
    output_tokens: 1,
    cost_usd: null,
  });
  const text = await m.render();
  // 900 read of 2000 prompt tokens.
  assertStringIncludes(
    text,
    'orchestrator_cache_read_ratio{provider="anthropic",model="claude-sonnet-5-5"} 0.45',
  );
  assertStringIncludes(
    text,
    'orchestrator_tokens_total{provider="anthropic",model="claude-sonnet-5-5",kind="cache_read"} 900',
  );
  assertStringIncludes(
    text,
    'orchestrator_unpriced_jobs_total{provider="anthropic",model="claude-x"} 1',
  );
  assertStringIncludes(
    text,
    'orchestrator_cache_read_ratio{provider="anthropic",model="claude-x"} 0',
  );
  const costLines = text.split("\n").filter((l) => l.startsWith("orchestrator_cost_usd_total{"));
  assertEquals(costLines, [
    'orchestrator_cost_usd_total{provider="anthropic",model="claude-sonnet-5-5"} 0.015',
  ]);
});

Deno.test("metrics: trace sink errors and dropped lines are read from the tracer at each scrape", async () => {
  const counts = { sinkErrors: 0, linesDropped: 0 };
  const m = new Metrics(undefined, counts);
  const text0 = await m.render();
  assertStringIncludes(text0, "\norchestrator_trace_sink_errors_total 0\n");
  assertStringIncludes(text0, "\norchestrator_trace_lines_dropped_total 0\n");
  counts.sinkErrors = 3;
  counts.linesDropped = 10_000;
  const text1 = await m.render();
  assertStringIncludes(text1, "\norchestrator_trace_sink_errors_total 3\n");
  assertStringIncludes(text1, "\norchestrator_trace_lines_dropped_total 10000\n");
  counts.sinkErrors = 4;
  const text2 = await m.render();
  assertStringIncludes(text2, "\norchestrator_trace_sink_errors_total 4\n");
  assertStringIncludes(text2, "\norchestrator_trace_lines_dropped_total 10000\n");
});
