/**
 * @module
 * A small, exact unified-diff writer (line LCS, three lines of context, `\ No newline at end of
 * file` markers). The stand-in edits a file's text and lets this write the patch, so any scripted
 * change comes out as a diff that `git apply` accepts, however many hunks it needs.
 */

/** Thrown when a file is too large for the quadratic line matcher. */
export class DiffTooLargeError extends Error {
  override name = "DiffTooLargeError";
}

/** Lines with their terminators: equality must see a missing final newline as a change. */
function splitKeepingEol(text: string): string[] {
  if (text === "") return [];
  const lines = text.split("\n").map((l) => `${l}\n`);
  const last = lines[lines.length - 1]!;
  if (last === "\n") lines.pop();
  else lines[lines.length - 1] = last.slice(0, -1);
  return lines;
}

type Op = { tag: " " | "-" | "+"; line: string };

/** Edit script from `a` to `b` by longest common subsequence, on the changed middle only. */
function editScript(a: string[], b: string[], maxCells: number): Op[] {
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (
    tail < a.length - head && tail < b.length - head &&
    a[a.length - 1 - tail] === b[b.length - 1 - tail]
  ) tail++;
  const am = a.slice(head, a.length - tail);
  const bm = b.slice(head, b.length - tail);
  const n = am.length;
  const m = bm.length;
  if ((n + 1) * (m + 1) > maxCells) {
    throw new DiffTooLargeError(
      `Cannot diff as the changed region is ${n} × ${m} lines: the limit is ${maxCells} cells`,
    );
  }
  // lcs[i][j] = LCS length of am[i..] and bm[j..].
  const width = m + 1;
  const lcs = new Uint32Array((n + 1) * width);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i * width + j] = am[i] === bm[j]
        ? lcs[(i + 1) * width + j + 1]! + 1
        : Math.max(lcs[(i + 1) * width + j]!, lcs[i * width + j + 1]!);
    }
  }
  const ops: Op[] = a.slice(0, head).map((line) => ({ tag: " ", line }));
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && am[i] === bm[j]) {
      ops.push({ tag: " ", line: am[i]! });
      i++;
      j++;
    } else if (i < n && (j === m || lcs[(i + 1) * width + j]! >= lcs[i * width + j + 1]!)) {
      ops.push({ tag: "-", line: am[i]! });
      i++;
    } else {
      ops.push({ tag: "+", line: bm[j]! });
      j++;
    }
  }
  for (const line of a.slice(a.length - tail)) ops.push({ tag: " ", line });
  return ops;
}

export interface UnifiedDiffOptions {
  /** Unchanged lines shown around each change. @default 3 */
  context?: number;
  /** Largest LCS table, in cells, before giving up. @default 4_000_000 */
  maxCells?: number;
}

/**
 * The unified diff that turns `before` into `after` for `path` (with `a/` and `b/` prefixes),
 * or `""` when they are equal.
 */
export function unifiedDiff(
  path: string,
  before: string,
  after: string,
  options: UnifiedDiffOptions = {},
): string {
  const context = options.context ?? 3;
  const ops = editScript(
    splitKeepingEol(before),
    splitKeepingEol(after),
    options.maxCells ?? 4_000_000,
  );
  const changed = ops.flatMap((op, k) => (op.tag === " " ? [] : [k]));
  if (changed.length === 0) return "";
  // Group changes whose context windows touch into one hunk.
  const groups: [number, number][] = [];
  for (const k of changed) {
    const last = groups[groups.length - 1];
    if (last && k - last[1] <= 2 * context) last[1] = k;
    else groups.push([k, k]);
  }
  // Line numbers (1-based) of each op in the old and new file.
  const oldNo: number[] = [];
  const newNo: number[] = [];
  let o = 0;
  let n = 0;
  for (const op of ops) {
    oldNo.push(o + 1);
    newNo.push(n + 1);
    if (op.tag !== "+") o++;
    if (op.tag !== "-") n++;
  }
  const out = [`--- a/${path}`, `+++ b/${path}`];
  for (const [first, last] of groups) {
    const from = Math.max(0, first - context);
    const to = Math.min(ops.length - 1, last + context);
    const slice = ops.slice(from, to + 1);
    const oldLen = slice.filter((op) => op.tag !== "+").length;
    const newLen = slice.filter((op) => op.tag !== "-").length;
    // An empty side is numbered by the line before it (0 for the start of the file).
    const oldStart = oldLen === 0 ? oldNo[from]! - 1 : oldNo[from]!;
    const newStart = newLen === 0 ? newNo[from]! - 1 : newNo[from]!;
    out.push(`@@ -${oldStart},${oldLen} +${newStart},${newLen} @@`);
    for (const op of slice) {
      if (op.line.endsWith("\n")) out.push(`${op.tag}${op.line.slice(0, -1)}`);
      else out.push(`${op.tag}${op.line}`, "\\ No newline at end of file");
    }
  }
  return `${out.join("\n")}\n`;
}
