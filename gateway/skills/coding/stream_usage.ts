/**
 * @module
 * Token usage of one streamed Messages API answer, from its events: `message_start` gives the
 * input side (fresh, cache-read and cache-written tokens) and the first output count, and every
 * `message_delta` carries cumulative counts that replace the earlier ones (its input side only
 * when the API repeats it). Pure, so the accounting is tested on recorded event sequences.
 */
import type Anthropic from "@anthropic-ai/sdk";
import type { TokenCounts } from "@shared/pricing/pricing.ts";

type Event = Anthropic.Messages.RawMessageStreamEvent;

export class StreamUsage {
  #input = 0;
  #cacheRead = 0;
  #cacheWrite = 0;
  #output = 0;
  /** Cache writes by lifetime, when `message_start` gives the split. */
  #split: TokenCounts["cache_creation"];
  #stop: Anthropic.Messages.StopReason | null = null;

  /** Takes one event; true when the counts changed (time to report them). */
  apply(event: Event): boolean {
    if (event.type === "message_start") {
      const u = event.message.usage;
      this.#input = u.input_tokens;
      this.#cacheRead = u.cache_read_input_tokens ?? 0;
      this.#cacheWrite = u.cache_creation_input_tokens ?? 0;
      this.#output = u.output_tokens;
      this.#split = u.cache_creation;
      return true;
    }
    if (event.type === "message_delta") {
      const u = event.usage;
      this.#input = u.input_tokens ?? this.#input;
      this.#cacheRead = u.cache_read_input_tokens ?? this.#cacheRead;
      this.#cacheWrite = u.cache_creation_input_tokens ?? this.#cacheWrite;
      this.#output = u.output_tokens;
      this.#stop = event.delta.stop_reason ?? this.#stop;
      return true;
    }
    return false;
  }

  /** Why the answer ended (`end_turn`, `max_tokens`, ...), once known. */
  get stopReason(): Anthropic.Messages.StopReason | null {
    return this.#stop;
  }

  counts(provider: string, model: string): TokenCounts {
    return {
      provider,
      model,
      input_tokens: this.#input,
      output_tokens: this.#output,
      cache_read_input_tokens: this.#cacheRead,
      cache_creation_input_tokens: this.#cacheWrite,
      ...(this.#split ? { cache_creation: this.#split } : {}),
    };
  }
}
