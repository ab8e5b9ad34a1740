/**
 * @module
 * The stand-in's prompt cache, following the API's accounting: a prefix that ends at a
 * `cache_control` breakpoint is written on first use (`cache_creation_input_tokens`) and read
 * afterwards (`cache_read_input_tokens`); `input_tokens` counts only what is neither. Prefixes
 * shorter than the model's minimum are not cached, as with the real API.
 */
import { estimateTokens, type PromptSegment } from "./messages_request.ts";

export interface InputAccount {
  input_tokens: number;
  cache_read_input_tokens: number;
  cache_creation_input_tokens: number;
}

export class PromptCache {
  readonly #entries = new Set<string>();
  readonly #minTokens: number;

  /** @param minTokens smallest cacheable prefix. @default 1024 (Sonnet and Opus) */
  constructor(minTokens = 1024) {
    this.#minTokens = minTokens;
  }

  /** Splits the prompt's tokens into fresh, cache-read and cache-written, and remembers. */
  account(model: string, segments: readonly PromptSegment[]): InputAccount {
    const tokens = segments.map((s) => estimateTokens(s.text));
    const total = tokens.reduce((a, b) => a + b, 0);
    const breakpoints: { key: string; tokens: number }[] = [];
    let prefix = model;
    let prefixTokens = 0;
    for (const [i, s] of segments.entries()) {
      prefix += `\u0000${s.text}`;
      prefixTokens += tokens[i]!;
      if (s.cache && prefixTokens >= this.#minTokens) {
        breakpoints.push({ key: prefix, tokens: prefixTokens });
      }
    }
    const hit = breakpoints.findLast((b) => this.#entries.has(b.key));
    const read = hit?.tokens ?? 0;
    const last = breakpoints[breakpoints.length - 1];
    const written = last && last !== hit ? last.tokens - read : 0;
    for (const b of breakpoints) this.#entries.add(b.key);
    return {
      input_tokens: Math.max(0, total - read - written),
      cache_read_input_tokens: read,
      cache_creation_input_tokens: written,
    };
  }
}
