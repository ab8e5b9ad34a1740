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

Deno.test("metrics: trace sink errors are read from the tracer at each scrape", async () => {
  let errors = 0;
  const m = new Metrics(undefined, () => errors);
  assertStringIncludes(await m.render(), "\norchestrator_trace_sink_errors_total 0\n");
  errors = 3;
  assertStringIncludes(await m.render(), "\norchestrator_trace_sink_errors_total 3\n");
  errors = 4;
  assertStringIncludes(await m.render(), "\norchestrator_trace_sink_errors_total 4\n");
});
