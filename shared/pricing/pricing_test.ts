import { assertEquals, assertThrows } from "../testing/asserts.ts";
import { costUsd, priceFor, UnknownModelPriceError } from "./pricing.ts";

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
  ["zero tokens cost nothing", {
    provider: "google",
    model: "gemini-2.5-flash",
    input_tokens: 0,
    output_tokens: 0,
  }, 0],
];
for (const [name, usage, expected] of table) {
  Deno.test(`costUsd(): ${name}`, () =>
    assertEquals(costUsd(usage, new Date("2026-01-01")), expected));
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

Deno.test("an unknown model is an exact error", () => {
  assertThrows(
    () =>
      costUsd(
        { provider: "anthropic", model: "claude-x", input_tokens: 1, output_tokens: 1 },
        new Date("2026-01-01"),
      ),
    UnknownModelPriceError,
    "Cannot price model 'claude-x' of provider 'anthropic' as the price table has no row for it on 2026-01-01: add one to shared/pricing/prices.json",
  );
});

Deno.test("the table prices every model the workers default to, today", () => {
  const defaults: [string, string][] = [
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
