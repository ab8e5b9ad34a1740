/**
 * @module
 * Where the outbox keeps utterances the gateway has not acknowledged: one JSON file per
 * utterance under `<data-dir>/outbox/`.
 *
 * Why files and not Deno KV: the edge runs on Windows first and ships as one `deno compile`
 * binary; plain files need no `--unstable-kv`, are readable by a person debugging a stuck
 * outbox (`ls data/outbox`), and one file per item makes acknowledging a delete instead of a
 * rewrite. Each write goes to a temporary file, is flushed to disk, then renamed over the
 * final name, so a crash leaves either the old state or the new one, never half a file.
 * Files that still fail to parse (a disk fault, a hand edit) are moved to `corrupt/` with an
 * error logged; they never stop the edge.
 */
import { getLogger } from "@logtape/logtape";
import { join } from "node:path";
import { z } from "zod";
import { Id } from "@shared/schemas/task.ts";

const log = getLogger(["edge", "outbox"]);

/** One utterance waiting for the gateway's acknowledgement. */
export const OutboxItem = z.object({
  version: z.literal(1),
  utterance_id: Id,
  text: z.string().min(1).max(8000),
  source: z.enum(["voice", "api"]),
  /** ISO time it was enqueued; with the id, the order of delivery. */
  enqueued_at: z.string().datetime(),
  /** Extra facts kept for traces (model, audio length, transcription usage). */
  meta: z.record(z.string(), z.json()).optional(),
});
export type OutboxItem = z.infer<typeof OutboxItem>;

/** What {@linkcode FileOutboxStore.load} found. */
export interface LoadResult {
  items: OutboxItem[];
  /** Files moved aside because they could not be read as items. */
  corrupt: string[];
}

/** File-per-item store. */
export class FileOutboxStore {
  readonly dir: string;
  readonly #corruptDir: string;
  #tmpCounter = 0;

  constructor(dataDir: string) {
    this.dir = join(dataDir, "outbox");
    this.#corruptDir = join(this.dir, "corrupt");
  }

  #path(id: string): string {
    return join(this.dir, `${id}.json`);
  }

  /** Reads every item, oldest first; moves unreadable files to `corrupt/`. */
  async load(): Promise<LoadResult> {
    await Deno.mkdir(this.dir, { recursive: true });
    const items: OutboxItem[] = [];
    const corrupt: string[] = [];
    for await (const entry of Deno.readDir(this.dir)) {
      if (!entry.isFile) continue;
      const path = join(this.dir, entry.name);
      if (entry.name.includes(".tmp-")) {
        // A write that never reached its rename: the item was not acknowledged as persisted.
        await Deno.remove(path).catch(() => {});
        continue;
      }
      if (!entry.name.endsWith(".json")) continue;
      let parsed: OutboxItem | undefined;
      let why = "";
      try {
        const result = OutboxItem.safeParse(JSON.parse(await Deno.readTextFile(path)));
        if (result.success) parsed = result.data;
        else {
          why = result.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`)
            .join("; ");
        }
      } catch (error) {
        why = (error as Error).message;
      }
      if (parsed && `${parsed.utterance_id}.json` !== entry.name) {
        why = `its utterance_id '${parsed.utterance_id}' does not match the file name`;
        parsed = undefined;
      }
      if (parsed) {
        items.push(parsed);
        continue;
      }
      await Deno.mkdir(this.#corruptDir, { recursive: true });
      const target = join(this.#corruptDir, `${entry.name}.${Date.now()}`);
      await Deno.rename(path, target);
      corrupt.push(entry.name);
      log.error("Outbox file {file} is unreadable ({why}); moved to {target}", {
        file: entry.name,
        why,
        target,
      });
    }
    items.sort((a, b) =>
      a.enqueued_at < b.enqueued_at
        ? -1
        : a.enqueued_at > b.enqueued_at
        ? 1
        : a.utterance_id < b.utterance_id
        ? -1
        : 1
    );
    return { items, corrupt };
  }

  /** Writes an item durably (temp file, flush, rename). */
  async put(item: OutboxItem): Promise<void> {
    const final = this.#path(item.utterance_id);
    const tmp = `${final}.tmp-${Deno.pid}-${++this.#tmpCounter}`;
    const file = await Deno.open(tmp, { write: true, create: true, truncate: true });
    try {
      const bytes = new TextEncoder().encode(JSON.stringify(item) + "\n");
      let written = 0;
      while (written < bytes.length) written += await file.write(bytes.subarray(written));
      await file.sync();
    } finally {
      file.close();
    }
    await Deno.rename(tmp, final);
  }

  /** Deletes an acknowledged item; a missing file is fine. */
  async remove(utteranceId: string): Promise<void> {
    try {
      await Deno.remove(this.#path(utteranceId));
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  }
}
