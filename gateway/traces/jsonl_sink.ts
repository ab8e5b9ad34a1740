/**
 * @module
 * Append-only JSON Lines trace file (`logs/orchestrator-traces.jsonl`): one event per line,
 * written in batches with a single append each.
 */
import type { TraceEvent } from "@shared/schemas/mod.ts";
import { dirname } from "node:path";
import type { TraceSink } from "./tracer.ts";
import { writeAll } from "@shared/io/write_all.ts";

export class JsonlTraceSink implements TraceSink {
  readonly name = "jsonl";
  readonly #path: string;
  #file: Deno.FsFile | undefined;
  readonly #encoder = new TextEncoder();

  constructor(path: string) {
    this.#path = path;
  }

  async #open(): Promise<Deno.FsFile> {
    if (!this.#file) {
      await Deno.mkdir(dirname(this.#path), { recursive: true });
      this.#file = await Deno.open(this.#path, { append: true, create: true });
    }
    return this.#file;
  }

  write(events: readonly TraceEvent[]): Promise<void> {
    return this.writeLines(events.map((e) => JSON.stringify(e)));
  }

  async writeLines(lines: readonly string[]): Promise<void> {
    const file = await this.#open();
    const text = lines.join("\n") + "\n";
    await writeAll(file, this.#encoder.encode(text));
  }

  async ping(): Promise<void> {
    await this.#open();
  }

  close(): Promise<void> {
    this.#file?.close();
    this.#file = undefined;
    return Promise.resolve();
  }
}
