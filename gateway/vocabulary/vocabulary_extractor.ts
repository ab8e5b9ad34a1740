/**
 * @module
 * Picks the words a speech-to-text model is likely to get wrong in a coding workspace: its
 * file names (`realtime_transcriber.ts`) and the identifiers its source declares
 * (`JobQueue`, `createApp`, `CODING_MODEL`), ranked by how often the workspace mentions
 * them. The terms go into the transcription prompt, so they are sanitised (no `<`, `>`,
 * control characters or line breaks) and capped. Pure: the caller lists and reads the files.
 */

/** At most this many terms are returned. */
export const MAX_VOCABULARY_TERMS = 100;
/** Longer terms are left out (a prompt has little room). */
export const MAX_TERM_CHARS = 64;

/** A tracked file: its path relative to the workspace, and its text when it is source. */
export interface WorkspaceFile {
  path: string;
  /** `null` for a file that was not read (not source, too big, or unreadable). */
  text: string | null;
}

/** Files whose names and identifiers are worth hearing: code and the docs beside it. */
export const SOURCE_FILE =
  /\.(ts|tsx|js|jsx|mjs|cjs|py|go|rs|java|kt|kts|scala|swift|rb|php|cs|fs|c|h|cc|cpp|hpp|m|mm|dart|lua|ex|exs|erl|clj|zig|sh|sql|vue|svelte|proto|graphql|md|toml|ya?ml)$/;
/** Where nobody speaks of files: dependencies, build output, fixtures, tests. */
const IGNORED = /(^|\/)(node_modules|vendor|dist|build|target|\.git|_testdata|fixtures?)\//;
const TEST_FILE = /(_test|\.test|\.spec|_spec)\.[a-z]+$|(^|\/)test_[^/]+$/;
const LOCK_FILE = /(^|\/)[^/]*lock[^/]*$/i;

/**
 * Top-level declarations across the common languages (`export class X`, `def x`,
 * `pub fn x`, `const X`, …): what a module offers, not its local variables.
 */
const DECLARATION =
  /^(?:export\s+)?(?:default\s+)?(?:declare\s+)?(?:abstract\s+)?(?:async\s+)?(?:pub(?:\([a-z]+\))?\s+)?(?:class|interface|type|enum|function\*?|def|fn|struct|trait|const|let|var|func|record|object|module)\s+([A-Za-z_$][A-Za-z0-9_$]*)/gm;
const WORD = /[A-Za-z_$][A-Za-z0-9_$]*/g;
/** A file name as imports and prose write it (`job_store.ts` in `./queue/job_store.ts`). */
const FILE_NAME = /[A-Za-z0-9_-]+\.[A-Za-z0-9]{1,6}\b/g;
/** Of two files with one stem (`queue.ts`, `queue.md`), the code is the one to name. */
const DOC_FILE = /\.(md|toml|ya?ml)$/;

/** A term a plain-English transcript would mangle: camelCase, snake_case, digits or CAPS_CASE. */
function distinctive(name: string): boolean {
  if (name.length < 4 || name.length > MAX_TERM_CHARS) return false;
  return /[a-z][A-Z]/.test(name) || /[A-Za-z0-9]_[A-Za-z0-9]/.test(name) ||
    /[A-Za-z][0-9]/.test(name);
}

/**
 * The term as it may go into a prompt, or `undefined`: trimmed, at most
 * {@linkcode MAX_TERM_CHARS} characters, without `<`, `>`, control characters or line breaks.
 */
export function sanitizeTerm(raw: string): string | undefined {
  const term = raw.trim();
  if (term.length === 0 || term.length > MAX_TERM_CHARS) return undefined;
  // deno-lint-ignore no-control-regex
  if (/[<>\u0000-\u001f\u007f\u2028\u2029]/.test(term)) return undefined;
  return term;
}

function basename(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

/**
 * At most `max` terms of the workspace, most mentioned first: every distinctive identifier
 * its source declares at top level and the names of its source files, each scored by how
 * many times the source (tests aside, whose helpers would crowd everything out) mentions it:
 * an identifier as a word, a file name whole, as imports and docs write it. Ties go to the
 * shorter, then alphabetical. Duplicates (case-insensitive, and a second file of the same
 * stem) are dropped.
 */
export function extractVocabulary(
  files: readonly WorkspaceFile[],
  max = MAX_VOCABULARY_TERMS,
): string[] {
  const relevant = files.filter((f) =>
    SOURCE_FILE.test(f.path) && !IGNORED.test(f.path) && !LOCK_FILE.test(f.path)
  );
  const source = relevant.filter((f) => !TEST_FILE.test(f.path));
  const candidates = new Map<string, { term: string; kind: "file" | "identifier" }>();
  const add = (term: string, kind: "file" | "identifier") => {
    const clean = sanitizeTerm(term);
    if (!clean) return;
    const id = clean.toLowerCase();
    if (!candidates.has(id)) candidates.set(id, { term: clean, kind });
  };
  const stems = new Set<string>();
  // Code first, so that a stem shared with a doc keeps the code's name.
  const byKind = [...source].sort((a, b) =>
    Number(DOC_FILE.test(a.path)) - Number(DOC_FILE.test(b.path))
  );
  for (const f of byKind) {
    const name = basename(f.path);
    const stem = name.replace(/\.[^.]+$/, "").toLowerCase();
    // `mod.ts` or `cli.ts` need no help; one name per stem.
    if (stem.length < 4 || stems.has(stem)) continue;
    stems.add(stem);
    add(name, "file");
  }
  for (const f of source) {
    if (f.text === null) continue;
    for (const m of f.text.matchAll(DECLARATION)) {
      const name = m[1]!;
      if (distinctive(name)) add(name, "identifier");
    }
  }
  // One pass over the words and one over the file names of the source count every mention.
  const words = new Map<string, number>();
  const names = new Map<string, number>();
  const wanted = new Set([...candidates.values()].map((c) => c.term));
  for (const f of source) {
    if (f.text === null) continue;
    for (const [word] of f.text.matchAll(WORD)) {
      if (wanted.has(word)) words.set(word, (words.get(word) ?? 0) + 1);
    }
    for (const [name] of f.text.matchAll(FILE_NAME)) {
      if (wanted.has(name)) names.set(name, (names.get(name) ?? 0) + 1);
    }
  }
  return [...candidates.values()]
    .map((c) => ({ ...c, score: (c.kind === "file" ? names : words).get(c.term) ?? 0 }))
    .sort((a, b) =>
      b.score - a.score || a.term.length - b.term.length || a.term.localeCompare(b.term)
    )
    .slice(0, Math.max(0, max))
    .map((c) => c.term);
}
