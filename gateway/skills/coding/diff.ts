/**
 * @module
 * Finds the unified diff in a model's answer and checks that it is well formed: file headers,
 * hunk headers whose line counts match their bodies, and paths inside the repository.
 */

export interface ParsedDiff {
  patch: string;
  files: string[];
}

export class InvalidDiffError extends Error {
  override name = "InvalidDiffError";
}

/** Lines git writes between `diff --git` and `---` (or instead of it, for a pure rename). */
const EXTENDED_HEADER =
  /^(?:index |new file mode |deleted file mode |old mode |new mode |similarity index |dissimilarity index |rename from |rename to |copy from |copy to )/;

/** Where a file's section starts: git's own header, or a plain unified diff's. */
const SECTION_START = /^(?:diff --git |--- (?:a\/|\/dev\/null))/m;

/**
 * The text of the first fenced block that holds a diff (```diff, ```patch or a bare fence;
 * git style with `diff --git` or plain `--- a/`), else the diff that starts in the prose.
 */
export function extractDiff(answer: string): string | null {
  for (const m of answer.matchAll(/```[\w-]*[^\n]*\n([\s\S]*?)```/g)) {
    const body = m[1]!;
    if (/^(?:diff --git |--- )/.test(body)) return body.replace(/\n*$/, "\n");
  }
  const start = answer.search(SECTION_START);
  return start >= 0 ? answer.slice(start).replace(/\n*$/, "\n") : null;
}

function checkPath(p: string): void {
  if (p === "/dev/null") return;
  if (p.startsWith("/") || p.split("/").includes("..")) {
    throw new InvalidDiffError(`path '${p}' is outside the repository`);
  }
}

/**
 * Validates a unified diff against the repository's files. Accepts git's extended headers
 * (`diff --git`, `index`, modes, renames). Prose after the last file (a model's closing remark
 * below an unfenced diff) is cut off, unless it holds another file's diff, which is an error.
 */
export function validateDiff(patch: string, tracked: ReadonlySet<string>): ParsedDiff {
  const lines = patch.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  const files: string[] = [];
  let i = 0;
  let end = lines.length;
  while (i < lines.length) {
    if (files.length > 0 && lines[i]!.trim() === "") {
      i++;
      continue;
    }
    const sectionLine = i;
    let git = false;
    let renameFrom: string | undefined;
    let renameTo: string | undefined;
    if (lines[i]!.startsWith("diff --git ")) {
      git = true;
      i++;
      while (i < lines.length && EXTENDED_HEADER.test(lines[i]!)) {
        const l = lines[i]!;
        if (l.startsWith("rename from ")) renameFrom = l.slice(12);
        if (l.startsWith("rename to ")) renameTo = l.slice(10);
        i++;
      }
    }
    const minus = lines[i] ?? "";
    if (!minus.startsWith("--- ")) {
      if (git && renameFrom && renameTo) {
        // A pure rename: git writes no hunks.
        for (const p of [renameFrom, renameTo]) checkPath(p);
        if (!tracked.has(renameFrom)) {
          throw new InvalidDiffError(`'${renameFrom}' is not a file of the repository`);
        }
        files.push(renameTo);
        continue;
      }
      if (!git && files.length > 0) {
        const rest = lines.slice(i).join("\n");
        if (SECTION_START.test(rest)) {
          throw new InvalidDiffError(
            `line ${i + 1}: expected the next file's header, found '${minus.slice(0, 60)}'`,
          );
        }
        end = sectionLine;
        break;
      }
      throw new InvalidDiffError(
        `line ${i + 1}: expected a '--- a/<path>' header, found '${minus.slice(0, 60)}'`,
      );
    }
    const plus = lines[i + 1] ?? "";
    if (!plus.startsWith("+++ ")) {
      throw new InvalidDiffError(`line ${i + 2}: expected a '+++ b/<path>' header`);
    }
    const oldPath = minus.slice(4).replace(/^a\//, "").split("\t")[0]!;
    const newPath = plus.slice(4).replace(/^b\//, "").split("\t")[0]!;
    for (const p of [oldPath, newPath]) checkPath(p);
    if (oldPath !== "/dev/null" && !tracked.has(oldPath)) {
      throw new InvalidDiffError(`'${oldPath}' is not a file of the repository`);
    }
    files.push(newPath === "/dev/null" ? oldPath : newPath);
    i += 2;
    let hunks = 0;
    while (i < lines.length && lines[i]!.startsWith("@@")) {
      const m = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/.exec(lines[i]!);
      if (!m) throw new InvalidDiffError(`line ${i + 1}: malformed hunk header '${lines[i]}'`);
      let oldLeft = m[2] === undefined ? 1 : Number(m[2]);
      let newLeft = m[4] === undefined ? 1 : Number(m[4]);
      const headerLine = i + 1;
      i++;
      while (i < lines.length && (oldLeft > 0 || newLeft > 0)) {
        const l = lines[i]!;
        if (l.startsWith("\\")) {
          i++;
          continue;
        }
        const tag = l[0] ?? " ";
        if (tag === " ") (oldLeft--, newLeft--);
        else if (tag === "-") oldLeft--;
        else if (tag === "+") newLeft--;
        else break;
        i++;
      }
      if (oldLeft !== 0 || newLeft !== 0) {
        throw new InvalidDiffError(`hunk at line ${headerLine} does not match its line counts`);
      }
      while (i < lines.length && lines[i]!.startsWith("\\")) i++;
      hunks++;
    }
    if (hunks === 0) throw new InvalidDiffError(`'${files[files.length - 1]}' has no hunk`);
  }
  if (files.length === 0) throw new InvalidDiffError("the diff changes no file");
  const kept = lines.slice(0, end);
  while (kept.length > 0 && kept[kept.length - 1]!.trim() === "") kept.pop();
  return { patch: kept.join("\n") + "\n", files };
}
