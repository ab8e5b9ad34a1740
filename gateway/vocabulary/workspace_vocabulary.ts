/**
 * @module
 * The coding workspace's vocabulary for `GET /vocabulary`: lists the workspace's tracked files
 * (`git ls-files`; a bounded walk when it is not a git repository), reads its source within a
 * byte budget and hands both to {@linkcode extractVocabulary}. The answer is kept for a
 * minute, so an edge starting up costs one scan, not one per request.
 */
import { join, relative, sep } from "node:path";
import {
  extractVocabulary,
  MAX_VOCABULARY_TERMS,
  SOURCE_FILE,
  type WorkspaceFile,
} from "./vocabulary_extractor.ts";

/** Thrown when the configured workspace cannot be read. */
export class WorkspaceUnavailableError extends Error {
  override name = "WorkspaceUnavailableError";
}

/** Options of {@linkcode WorkspaceVocabulary}. */
export interface WorkspaceVocabularyOptions {
  /** The coding workspace (`--workspace` / `CODING_WORKSPACE`); none gives an empty list. */
  workspace?: string | undefined;
  /** How long an answer is reused. @default 60_000 */
  ttlMs?: number;
  /** Files listed at most. @default 5000 */
  maxFiles?: number;
  /** Larger files are named but not read. @default 256_000 */
  maxFileBytes?: number;
  /** Source read at most, in bytes. @default 8_000_000 */
  maxTotalBytes?: number;
  /** Clock in ms. @default performance.now */
  now?: () => number;
}

/** See the module documentation. */
export class WorkspaceVocabulary {
  readonly #opts: WorkspaceVocabularyOptions;
  #cached: { at: number; terms: Promise<string[]> } | undefined;

  constructor(options: WorkspaceVocabularyOptions) {
    this.#opts = options;
  }

  /** At most 100 terms; empty without a workspace. Rejects with {@linkcode WorkspaceUnavailableError}. */
  terms(): Promise<string[]> {
    const dir = this.#opts.workspace;
    if (!dir) return Promise.resolve([]);
    const now = (this.#opts.now ?? (() => performance.now()))();
    const cached = this.#cached;
    if (cached && now - cached.at < (this.#opts.ttlMs ?? 60_000)) return cached.terms;
    const terms = this.#scan(dir);
    this.#cached = { at: now, terms };
    // A failure is not remembered: the next request tries again.
    terms.catch(() => {
      if (this.#cached?.terms === terms) this.#cached = undefined;
    });
    return terms;
  }

  async #scan(dir: string): Promise<string[]> {
    try {
      if (!(await Deno.stat(dir)).isDirectory) throw new Error("not a directory");
    } catch (err) {
      throw new WorkspaceUnavailableError(
        `Cannot read the coding workspace ${dir}: ${err instanceof Error ? err.message : err}`,
        { cause: err },
      );
    }
    const maxFiles = this.#opts.maxFiles ?? 5000;
    const paths = (await gitFiles(dir) ?? await walk(dir, maxFiles)).slice(0, maxFiles);
    const maxFileBytes = this.#opts.maxFileBytes ?? 256_000;
    let budget = this.#opts.maxTotalBytes ?? 8_000_000;
    const files: WorkspaceFile[] = [];
    for (const path of paths) {
      let text: string | null = null;
      if (SOURCE_FILE.test(path) && budget > 0) {
        try {
          const info = await Deno.stat(join(dir, path));
          if (info.isFile && info.size <= maxFileBytes && info.size <= budget) {
            text = await Deno.readTextFile(join(dir, path));
            budget -= info.size;
          }
        } catch {
          // Listed but gone or unreadable: named only.
        }
      }
      files.push({ path, text });
    }
    return extractVocabulary(files, MAX_VOCABULARY_TERMS);
  }
}

/** Tracked files of a git repository, or `null` when `dir` is not one. */
async function gitFiles(dir: string): Promise<string[] | null> {
  try {
    const out = await new Deno.Command("git", {
      args: ["-C", dir, "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
      stdout: "piped",
      stderr: "null",
    }).output();
    if (!out.success) return null;
    return new TextDecoder().decode(out.stdout).split("\0").filter((p) => p.length > 0);
  } catch {
    return null;
  }
}

/** Files under `dir`, breadth first, skipping hidden and dependency folders. */
async function walk(dir: string, max: number): Promise<string[]> {
  const out: string[] = [];
  const queue = [dir];
  while (queue.length > 0 && out.length < max) {
    const current = queue.shift()!;
    try {
      for await (const entry of Deno.readDir(current)) {
        if (entry.name.startsWith(".") || entry.name === "node_modules") continue;
        const full = join(current, entry.name);
        if (entry.isDirectory) queue.push(full);
        else if (entry.isFile) out.push(relative(dir, full).split(sep).join("/"));
        if (out.length >= max) break;
      }
    } catch {
      // An unreadable folder is skipped.
    }
  }
  return out;
}
