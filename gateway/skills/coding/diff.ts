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

/** The text of the first ```diff fence, or of the first `--- a/` block. */
export function extractDiff(answer: string): string | null {
  const fenced = /```(?:diff|patch)?\n(---[\s\S]*?)```/.exec(answer);
  if (fenced) return fenced[1]!.replace(/\n*$/, "\n");
  const start = answer.search(/^--- (a\/|\/dev\/null)/m);
  return start >= 0 ? answer.slice(start).replace(/\n*$/, "\n") : null;
}

/** Validates a unified diff against the repository's files. */
export function validateDiff(patch: string, tracked: ReadonlySet<string>): ParsedDiff {
  const lines = patch.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  const files: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const minus = lines[i]!;
    if (!minus.startsWith("--- ")) {
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
    for (const p of [oldPath, newPath]) {
      if (p === "/dev/null") continue;
      if (p.startsWith("/") || p.split("/").includes("..")) {
        throw new InvalidDiffError(`path '${p}' is outside the repository`);
      }
    }
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
  return { patch: lines.join("\n") + "\n", files };
}
