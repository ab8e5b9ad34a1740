/**
 * @module
 * The stand-in's default scripted reply to a coding request: a small, deterministic refactor of
 * the most relevant file the request shows (the first `<file path="…">` block), answered the
 * way the coding worker's system prompt asks: a `Rationale:` line and one unified diff in a
 * ```diff fence. The diff is computed from the file's text, so it applies to whatever
 * repository the request came from. Refactors tried, in order:
 *
 * 1. inline regular expressions used with `.test(`/`.exec(` become named module constants;
 * 2. a string literal repeated in the file becomes a named module constant;
 * 3. otherwise the first declaration gets a doc comment.
 */
import { DiffTooLargeError, unifiedDiff } from "./unified_diff.ts";

/** A file shown to the model. */
export interface RequestFile {
  path: string;
  content: string;
}

/** Files shown in a prompt as `<file path="...">` blocks, in order. */
export function filesInRequest(text: string): RequestFile[] {
  const files: RequestFile[] = [];
  const re = /<file path="([^"]+)">\n([\s\S]*?)\n<\/file>/g;
  for (let m = re.exec(text); m; m = re.exec(text)) files.push({ path: m[1]!, content: m[2]! });
  return files;
}

/** The `<instruction>` of a prompt, or its first line. */
export function instructionInPrompt(text: string): string {
  return /<instruction>\n?([\s\S]*?)\n?<\/instruction>/.exec(text)?.[1]?.trim() ??
    text.split("\n")[0]!.trim();
}

export interface ScriptedEdit {
  path: string;
  after: string;
  rationale: string;
}

const SCRIPTABLE = /\.(?:[cm]?[jt]sx?)$/;

/** `SOME_WORDS` from the letters of `text`, or `fallback`. */
function constantName(text: string, suffix: string, taken: (name: string) => boolean): string {
  const words = (text.match(/[A-Za-z][a-z]*|[A-Z]+(?![a-z])/g) ?? []).slice(0, 4);
  const base = words.length > 0 ? `${words.join("_").toUpperCase()}${suffix}` : `VALUE${suffix}`;
  let name = base;
  for (let n = 2; taken(name); n++) name = `${base}_${n}`;
  return name;
}

/** Index after the module's leading comments and imports, where constants go. */
function insertionLine(lines: readonly string[]): number {
  let at = 0;
  let inImport = false;
  for (const [i, line] of lines.entries()) {
    if (inImport) {
      if (/;\s*$|\bfrom\s+["']/.test(line)) {
        inImport = false;
        at = i + 1;
      }
    } else if (/^import\b/.test(line)) {
      inImport = !/;\s*$|\bfrom\s+["']/.test(line);
      at = i + 1;
    } else if (i === at && /^\s*(?:\/\/|\/\*|\*)/.test(line)) {
      at = i + 1;
    } else if (line.trim() !== "") break;
  }
  return at;
}

function isCode(line: string): boolean {
  return !/^\s*(?:\/\/|\/\*|\*|import\b)/.test(line);
}

function withConstants(
  lines: string[],
  constants: { name: string; literal: string }[],
): string[] {
  const at = insertionLine(lines);
  const block = constants.map((c) => `const ${c.name} = ${c.literal};`);
  const before = lines.slice(0, at);
  const after = lines.slice(at);
  const gapBefore = before.length > 0 && before[before.length - 1]!.trim() !== "" ? [""] : [];
  const gapAfter = after.length > 0 && after[0]!.trim() !== "" ? [""] : [];
  return [...before, ...gapBefore, ...block, ...gapAfter, ...after];
}

/** The function or method a line belongs to, for the rationale. */
function enclosingName(lines: readonly string[], index: number): string | undefined {
  for (let i = index; i >= 0; i--) {
    const m = /^\s*(?:export\s+)?(?:async\s+)?function\s*\*?\s*([A-Za-z0-9_$]+)/.exec(lines[i]!) ??
      /^\s*(?:export\s+)?const\s+([A-Za-z0-9_$]+)\s*=\s*(?:async\s*)?\(/.exec(lines[i]!);
    if (m) return m[1];
  }
  return undefined;
}

const REGEX_USE =
  /(?<![\w)\]$])\/((?:\\.|\[(?:\\.|[^\]\\\n])*\]|[^/\\\n[])+)\/([dgimsuvy]*)(?=\.(?:test|exec)\()/g;

function extractPatterns(file: RequestFile): ScriptedEdit | null {
  const lines = file.content.split("\n");
  const found: { literal: string; source: string; line: number }[] = [];
  for (const [i, line] of lines.entries()) {
    if (!isCode(line) || !/^\s/.test(line)) continue; // only inside bodies
    for (const m of line.matchAll(REGEX_USE)) {
      if (m[2]!.includes("g") || m[2]!.includes("y")) continue; // stateful: not shareable
      if (!found.some((f) => f.literal === m[0])) {
        found.push({ literal: m[0], source: m[1]!, line: i });
      }
    }
  }
  if (found.length === 0) return null;
  const names = new Set<string>();
  const constants = found.map((f) => {
    const name = constantName(
      f.source,
      "_PATTERN",
      (n) => names.has(n) || file.content.includes(n),
    );
    names.add(name);
    return { name, literal: f.literal };
  });
  const replaced = lines.map((line) => {
    if (!isCode(line) || !/^\s/.test(line)) return line;
    let out = line;
    for (const c of constants) out = out.replaceAll(`${c.literal}.`, `${c.name}.`);
    return out;
  });
  const where = enclosingName(lines, found[0]!.line);
  return {
    path: file.path,
    after: withConstants(replaced, constants).join("\n"),
    rationale: `The inline pattern${found.length > 1 ? "s" : ""} ${
      found.map((f) => `\`${f.literal}\``).join(", ")
    }${where ? ` in \`${where}\`` : ""} of \`${file.path}\` become${
      found.length > 1 ? "" : "s"
    } named module constant${found.length > 1 ? "s" : ""} (${
      constants.map((c) => `\`${c.name}\``).join(", ")
    }): the rules read as names, are compiled once and can be reused; behaviour is unchanged.`,
  };
}

function extractRepeatedString(file: RequestFile): ScriptedEdit | null {
  const lines = file.content.split("\n");
  const counts = new Map<string, number>();
  for (const line of lines) {
    if (!isCode(line)) continue;
    for (const m of line.matchAll(/"([A-Za-z][\w .:/-]{2,40})"/g)) {
      counts.set(m[0], (counts.get(m[0]) ?? 0) + 1);
    }
  }
  const best = [...counts].filter(([, n]) => n >= 2).sort((a, b) => b[1] - a[1])[0];
  if (!best) return null;
  const [literal, times] = best;
  const name = constantName(literal, "", (n) => file.content.includes(n));
  const replaced = lines.map((line) =>
    isCode(line) && !/^\s*(?:export\s+)?const\s+[A-Z0-9_]+\s*=/.test(line)
      ? line.replaceAll(literal, name)
      : line
  );
  return {
    path: file.path,
    after: withConstants(replaced, [{ name, literal }]).join("\n"),
    rationale:
      `The string ${literal} appears ${times} times in \`${file.path}\`; one named constant \`${name}\` keeps its uses in step; behaviour is unchanged.`,
  };
}

function documentFirstDeclaration(file: RequestFile, instruction: string): ScriptedEdit {
  const lines = file.content.split("\n");
  let at = lines.findIndex((l) =>
    /^(?:export\s+)?(?:async\s+)?(?:function|class|def|fn|func|const|interface|type)\s/.test(l)
  );
  if (at < 0) at = 0;
  const name = /(?:function|class|def|fn|func|const|interface|type)\s+([A-Za-z0-9_$]+)/
    .exec(lines[at] ?? "")?.[1] ?? "module";
  const note = `${name}: reviewed for "${instruction.replace(/\*\/|\n/g, " ").slice(0, 80)}".`;
  const comment = /\.(?:py|rb|sh|ya?ml|toml)$/.test(file.path)
    ? `# ${note}`
    : /\.md$/.test(file.path)
    ? `<!-- ${note} -->`
    : `/** ${note} */`;
  lines.splice(at, 0, comment);
  return {
    path: file.path,
    after: lines.join("\n"),
    rationale:
      `\`${name}\` in \`${file.path}\` is where the request points; documenting it is the smallest safe first step of "${instruction}".`,
  };
}

/** The refactor the stand-in proposes for `file`. */
export function scriptedEdit(file: RequestFile, instruction: string): ScriptedEdit {
  if (SCRIPTABLE.test(file.path)) {
    const edit = extractPatterns(file) ?? extractRepeatedString(file);
    if (edit) return edit;
  }
  return documentFirstDeclaration(file, instruction);
}

/** The whole answer text for a prompt: rationale and diff, or a plain refusal without files. */
export function codingAnswer(prompt: string): string {
  const file = filesInRequest(prompt)[0];
  const instruction = instructionInPrompt(prompt);
  if (!file) {
    return "Rationale: the request shows no source file, so I have no patch to propose.\n";
  }
  const edit = scriptedEdit(file, instruction);
  let diff: string;
  try {
    diff = unifiedDiff(edit.path, file.content, edit.after);
  } catch (err) {
    if (!(err instanceof DiffTooLargeError)) throw err;
    const small = documentFirstDeclaration(file, instruction);
    return codingAnswerFor(small, unifiedDiff(small.path, file.content, small.after));
  }
  return codingAnswerFor(edit, diff);
}

function codingAnswerFor(edit: ScriptedEdit, diff: string): string {
  return [`Rationale: ${edit.rationale}`, "", "```diff", diff.trimEnd(), "```", ""].join("\n");
}
