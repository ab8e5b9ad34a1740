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
 * Files that still fail to parse (a disk fault, a hand edit, a write cut short before its
 * flush) are moved to `corrupt/` with an error logged; they never stop the edge. A temporary
 * file that holds a whole item but missed its rename is finished on the next load.
 */
import { getLogger } from "@logtape/logtape";
import { join } from "node:path";
import { z } from "zod";
import { Id } from "@shared/schemas/task.ts";
import { writeAll } from "@shared/io/write_all.ts";

const log = getLogger(["edge", "outbox"]);
/** Marks a file being written: `<id>.json.tmp-<pid>-<n>`, renamed to `<id>.json` once flushed. */
const TMP_MARK = ".tmp-";

/** One utterance waiting for the gateway's acknowledgement. */
export const OutboxItem = z.object({
  version: z.literal(1),
  utterance_id: Id,
  text: z.string().min(1).max(8000),
  source: z.enum(["voice", "api"]),
  /**
   * The speaker's session (one per edge run), sent with the POST so that voice commands act on
   * this session's jobs only. Absent in files written before sessions existed.
   */
  session_id: z.string().regex(/^[A-Za-z0-9._:-]{1,128}$/).optional(),
  /** ISO time it was enqueued; with the id, the order of delivery. */
  enqueued_at: z.string().datetime(),
  /** Extra facts kept for traces (model, audio length, transcription usage). */
  meta: z.record(z.string(), z.json()).optional(),
});
export type OutboxItem = z.infer<typeof OutboxItem>;

/** What {@linkcode FileOutboxStore.load} found. */
export interface LoadResult {
  items: OutboxItem[];
  /** Files that could not be read as items, moved to `corrupt/` (left in place if that failed). */
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

  /**
   * Reads every item, oldest first. Unreadable files are moved to `corrupt/` with an error
   * logged (left in place, still logged, if even that fails); none stops the load. A temporary
   * file holding a whole item whose rename never happened is finished (renamed) and loaded.
   */
  async load(): Promise<LoadResult> {
    await Deno.mkdir(this.dir, { recursive: true });
    // Listed first: the loop renames entries, which would disturb a directory read in progress.
    const names: string[] = [];
    for await (const entry of Deno.readDir(this.dir)) {
      if (entry.isFile) names.push(entry.name);
    }
    const corrupt: string[] = [];
    const present = new Set(names);
    for (const name of names.filter((n) => n.includes(TMP_MARK))) {
      const finalName = name.slice(0, name.indexOf(TMP_MARK));
      const { item, why } = await this.#read(name, finalName);
      if (!item) {
        // Cut short before its flush: set aside, as it may still hold the words of an utterance.
        await this.#setAside(name, `an interrupted write (${why})`);
        corrupt.push(name);
        continue;
      }
      if (present.has(finalName)) {
        if ((await this.#read(finalName, finalName)).item) {
          // The rename did happen for an earlier copy; this one adds nothing.
          await Deno.remove(join(this.dir, name)).catch(() => {});
          log.info("Outbox file {file} repeats {final}; removed", { file: name, final: finalName });
          continue;
        }
        await this.#setAside(finalName, "damaged, replaced by a whole temporary copy");
        corrupt.push(finalName);
      }
      try {
        await Deno.rename(join(this.dir, name), join(this.dir, finalName));
      } catch (error) {
        log.error("Outbox file {file} holds utterance {id} but could not be renamed: {error}", {
          file: name,
          id: item.utterance_id,
          error,
        });
        continue;
      }
      present.add(finalName);
      log.warning("Outbox file {file} was written but not renamed before a stop; kept as {final}", {
        file: name,
        final: finalName,
      });
    }
    const items: OutboxItem[] = [];
    for (const name of [...present].filter((n) => n.endsWith(".json") && !n.includes(TMP_MARK))) {
      const { item, why } = await this.#read(name, name);
      if (item) items.push(item);
      else {
        await this.#setAside(name, why);
        corrupt.push(name);
      }
    }
    // By time, not by string: ISO strings of different precision ("…:01Z", "…:01.5Z") do not
    // sort as text.
    items.sort((a, b) =>
      Date.parse(a.enqueued_at) - Date.parse(b.enqueued_at) ||
      (a.utterance_id < b.utterance_id ? -1 : 1)
    );
    return { items, corrupt };
  }

  /** Reads one file as the item that must be saved under `finalName`. */
  async #read(name: string, finalName: string): Promise<{ item?: OutboxItem; why: string }> {
    let json: unknown;
    try {
      json = JSON.parse(await Deno.readTextFile(join(this.dir, name)));
    } catch (error) {
      return { why: (error as Error).message };
    }
    const result = OutboxItem.safeParse(json);
    if (!result.success) {
      return {
        why: result.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`)
          .join("; "),
      };
    }
    if (`${result.data.utterance_id}.json` !== finalName) {
      return { why: `its utterance_id '${result.data.utterance_id}' does not match the file name` };
    }
    return { item: result.data, why: "" };
  }

  async #setAside(name: string, why: string): Promise<void> {
    const target = join(this.#corruptDir, `${name}.${Date.now()}`);
    try {
      await Deno.mkdir(this.#corruptDir, { recursive: true });
      await Deno.rename(join(this.dir, name), target);
    } catch (error) {
      log.error("Outbox file {file} is unreadable ({why}) and could not be moved aside: {error}", {
        file: name,
        why,
        error,
      });
      return;
    }
    log.error("Outbox file {file} is unreadable ({why}); moved to {target}", {
      file: name,
      why,
      target,
    });
  }

  /** Writes an item durably (temp file, flush, rename). */
  async put(item: OutboxItem): Promise<void> {
    const final = this.#path(item.utterance_id);
    const tmp = `${final}${TMP_MARK}${Deno.pid}-${++this.#tmpCounter}`;
    const file = await Deno.open(tmp, { write: true, create: true, truncate: true });
    try {
      await writeAll(file, new TextEncoder().encode(JSON.stringify(item) + "\n"));
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
