import { assertEquals, assertThrows } from "../testing/asserts.ts";
import {
  cacheReadShare,
  costUsd,
  findPrice,
  priceFor,
  UnknownModelPriceError,
  usageWithCost,
} from "./pricing.ts";

const table: [string, Parameters<typeof costUsd>[0], number][] = [
  ["sonnet input and output", {
    provider: "anthropic",
    model: "claude-sonnet-4-5",
    input_tokens: 100_000,
    output_tokens: 10_000,
  }, 0.45],
  ["sonnet cache read and write", {
    provider: "anthropic",
    model: "claude-sonnet-4-5",
    input_tokens: 0,
    output_tokens: 0,
    cache_read_input_tokens: 100_000,
    cache_creation_input_tokens: 100_000,
  }, 0.405],
  ["dated model id priced as its family", {
    provider: "anthropic",
    model: "claude-sonnet-4-5-20250929",
    input_tokens: 1000,
    output_tokens: 1000,
  }, 0.018],
  ["gemini computer use", {
    provider: "google",
    model: "gemini-2.5-computer-use-preview-10-2025",
    input_tokens: 2000,
    output_tokens: 100,
  }, 0.0035],
  ["a sonnet prompt of exactly 200k tokens is still the base rate", {
    provider: "anthropic",
    model: "claude-sonnet-4-5",
    input_tokens: 200_000,
    output_tokens: 1000,
  }, 0.615],
  ["a sonnet prompt over 200k (cache included) is long-context for every token", {
    provider: "anthropic",
    model: "claude-sonnet-4-5",
    input_tokens: 150_000,
    output_tokens: 1000,
    cache_read_input_tokens: 60_000,
  }, 0.9585],
  ["gemini 2.5 pro over 200k", {
    provider: "google",
    model: "gemini-2.5-pro",
    input_tokens: 300_000,
    output_tokens: 2000,
  }, 0.78],
  ["haiku 4.5 has no long-context tier", {
    provider: "anthropic",
    model: "claude-haiku-4-5",
    input_tokens: 300_000,
    output_tokens: 2000,
  }, 0.31],
  ["sonnet 5.5 input and output ($2 / $10)", {
    provider: "anthropic",
    model: "claude-sonnet-5-5",
    input_tokens: 1_000_000,
    output_tokens: 100_000,
  }, 3],
  ["sonnet 5 cache reads at $0.20, 5-minute writes at $2.50", {
    provider: "anthropic",
    model: "claude-sonnet-5",
    input_tokens: 0,
    output_tokens: 0,
    cache_read_input_tokens: 1_000_000,
    cache_creation_input_tokens: 1_000_000,
  }, 2.7],
  ["sonnet 5.5 1-hour writes at $4 when the API splits them", {
    provider: "anthropic",
    model: "claude-sonnet-5-5",
    input_tokens: 0,
    output_tokens: 0,
    cache_creation_input_tokens: 1_000_000,
    cache_creation: { ephemeral_5m_input_tokens: 250_000, ephemeral_1h_input_tokens: 750_000 },
  }, 3.625],
  ["opus 5.5 ($4 / $20)", {
    provider: "anthropic",
    model: "claude-opus-5-5",
    input_tokens: 1_000_000,
    output_tokens: 1_000_000,
  }, 24],
  ["opus 5 ($5 / $25)", {
    provider: "anthropic",
    model: "claude-opus-5",
    input_tokens: 1_000_000,
    output_tokens: 1_000_000,
  }, 30],
  ["haiku 4.5 ($1 / $5)", {
    provider: "anthropic",
    model: "claude-haiku-4-5",
    input_tokens: 1_000_000,
    output_tokens: 1_000_000,
  }, 6],
  ["an older row without a 1-hour rate bills 1-hour writes at twice the input rate", {
    provider: "anthropic",
    model: "claude-sonnet-4-6",
    input_tokens: 0,
    output_tokens: 0,
    cache_creation_input_tokens: 1_000_000,
    cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 1_000_000 },
  }, 6],
  ["zero tokens cost nothing", {
    provider: "google",
    model: "gemini-2.5-flash",
    input_tokens: 0,
    output_tokens: 0,
  }, 0],
];
for (const [name, usage, expected] of table) {
  Deno.test(`costUsd(): ${name}`, () =>
    assertEquals(costUsd(usage, new Date("2026-12-01")), expected));
}

Deno.test("priceFor() picks the row valid at the date", () => {
  const rows = [
    {
      provider: "p",
      model: "m",
      valid_from: "2025-01-01",
      input_per_mtok: 1,
      output_per_mtok: 1,
      cache_write_per_mtok: 1,
      cache_read_per_mtok: 1,
    },
    {
      provider: "p",
      model: "m",
      valid_from: "2025-06-01",
      input_per_mtok: 2,
      output_per_mtok: 2,
      cache_write_per_mtok: 2,
      cache_read_per_mtok: 2,
    },
  ];
  assertEquals(priceFor("p", "m", new Date("2025-03-01"), rows).input_per_mtok, 1);
  assertEquals(priceFor("p", "m", new Date("2025-06-01"), rows).input_per_mtok, 2);
  assertThrows(() => priceFor("p", "m", new Date("2024-12-31"), rows), UnknownModelPriceError);
});

Deno.test("an unknown model costs null, and priceFor() names it exactly", () => {
  const usage = { provider: "anthropic", model: "claude-x", input_tokens: 10, output_tokens: 5 };
  assertEquals(costUsd(usage, new Date("2026-01-01")), null);
  assertEquals(usageWithCost(usage, new Date("2026-01-01")), {
    provider: "anthropic",
    model: "claude-x",
    input_tokens: 10,
    output_tokens: 5,
    cost_usd: null,
  });
  assertThrows(
    () => priceFor("anthropic", "claude-x", new Date("2026-01-01")),
    UnknownModelPriceError,
    "Cannot price model 'claude-x' of provider 'anthropic' as the price table has no row for it on 2026-01-01: add one to shared/pricing/prices.json",
  );
});

Deno.test("the price in force at the usage's date is the one used", () => {
  const rows = [1, 2].map((n) => ({
    provider: "p",
    model: "m",
    valid_from: n === 1 ? "2026-01-01" : "2026-07-01",
    input_per_mtok: n,
    output_per_mtok: 10 * n,
    cache_write_per_mtok: n,
    cache_read_per_mtok: n / 10,
  }));
  const usage = { provider: "p", model: "m", input_tokens: 1_000_000, output_tokens: 100_000 };
  assertEquals(costUsd(usage, new Date("2025-12-31T23:59:59Z"), rows), null);
  assertEquals(costUsd(usage, new Date("2026-06-30T12:00:00Z"), rows), 2);
  assertEquals(costUsd(usage, new Date("2026-07-01T00:00:00Z"), rows), 4);
  // The shipped table too: Sonnet 5 has no price before its row starts.
  assertEquals(findPrice("anthropic", "claude-sonnet-5", new Date("2026-05-31")), undefined);
  assertEquals(
    findPrice("anthropic", "claude-sonnet-5", new Date("2026-06-01"))?.input_per_mtok,
    2,
  );
});

Deno.test("cacheReadShare() is the read part of the whole prompt", () => {
  assertEquals(
    cacheReadShare({
      input_tokens: 100,
      cache_read_input_tokens: 300,
      cache_creation_input_tokens: 0,
    }),
    0.75,
  );
  assertEquals(cacheReadShare({ input_tokens: 0 }), undefined);
});

Deno.test("the table prices every model the workers default to, today", () => {
  const defaults: [string, string][] = [
    ["anthropic", "claude-sonnet-5-5"],
    ["anthropic", "claude-sonnet-5"],
    ["anthropic", "claude-opus-5-5"],
    ["anthropic", "claude-opus-5"],
    ["anthropic", "claude-sonnet-4-6"],
    ["anthropic", "claude-sonnet-4-5"],
    ["anthropic", "claude-haiku-4-5"],
    ["anthropic", "claude-opus-4-1"],
    ["google", "gemini-2.5-computer-use-preview-10-2025"],
    ["google", "gemini-2.5-pro"],
    ["google", "gemini-2.5-flash"],
    ["openai", "gpt-4o-transcribe"],
    ["openai", "gpt-4o-mini-transcribe"],
  ];
  for (const [provider, model] of defaults) {
    const row = priceFor(provider, model);
    assertEquals([row.provider, row.model], [provider, model]);
  }
});
