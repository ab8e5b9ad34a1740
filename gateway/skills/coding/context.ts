/**
 * @module
 * Chooses what the model sees of a repository within a budget: the map of tracked files, then
 * the files most relevant to the instruction (path words weigh more than content matches).
 */

const STOP = new Set([
  "the",
  "and",
  "for",
  "with",
  "that",
  "this",
  "from",
  "into",
  "make",
  "please",
  "open",
  "code",
]);

/** Lower-case words of 3+ letters, split at camelCase, snake_case and punctuation. */
export function words(text: string): string[] {
  return text.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase().split(/[^a-z0-9]+/)
    .filter((w) => w.length >= 3 && !STOP.has(w));
}

/** Relevance of a file to the instruction's words. */
export function relevance(path: string, content: string, wanted: readonly string[]): number {
  const pathWords = new Set(words(path));
  const contentWords = words(content);
  const counts = new Map<string, number>();
  for (const w of contentWords) counts.set(w, (counts.get(w) ?? 0) + 1);
  let score = 0;
  for (const w of new Set(wanted)) {
    const stem = w.replace(/(ing|ed|er|s)$/, "");
    if ([...pathWords].some((p) => p.startsWith(stem))) score += 10;
    score += Math.min(5, counts.get(w) ?? 0);
  }
  return score;
}

export interface ContextFile {
  path: string;
  content: string;
}

export interface Context {
  map: string;
  files: ContextFile[];
  prompt: string;
}

/** Files worth showing: source, configuration and documentation, by extension or name. */
const SOURCE_FILE =
  /(\.(ts|tsx|js|jsx|mjs|cjs|py|go|rs|java|kt|kts|scala|swift|rb|php|cs|fs|c|h|cc|cpp|hpp|m|mm|dart|lua|ex|exs|erl|clj|zig|r|jl|sh|bash|ps1|sql|html|css|scss|vue|svelte|md|rst|txt|json|toml|ya?ml|ini|cfg|gradle|cmake|proto|graphql)|(^|\/)(Makefile|Dockerfile|Justfile|Gemfile|Rakefile))$/;

/**
 * Builds the user prompt: instruction, repository map and the most relevant files, within
 * `budgetChars` (about four characters to a token for code).
 */
export function buildContext(
  instruction: string,
  tracked: readonly string[],
  read: (path: string) => string | null,
  budgetChars = 60_000,
): Context {
  const wanted = words(instruction);
  let map = tracked.join("\n");
  if (map.length > 4000) map = map.slice(0, 4000) + "\n…";
  const candidates = tracked
    .filter((p) => !/(^|\/)(node_modules|\.git|dist|build|vendor)\//.test(p))
    .filter((p) => SOURCE_FILE.test(p))
    .map((path) => ({ path, content: read(path) }))
    .filter((f): f is ContextFile => f.content !== null && f.content.length < 100_000)
    .map((f) => ({ ...f, score: relevance(f.path, f.content, wanted) }))
    .sort((a, b) => b.score - a.score || a.path.localeCompare(b.path));
  const files: ContextFile[] = [];
  let used = map.length + instruction.length;
  for (const f of candidates) {
    if (files.length > 0 && f.score === 0) break;
    // A relevant file too big for what is left is passed over for smaller relevant ones.
    if (used + f.content.length > budgetChars) continue;
    files.push({ path: f.path, content: f.content });
    used += f.content.length;
  }
  const top = candidates[0];
  if (files.length === 0 && top) {
    // Nothing fits whole: the most relevant file's beginning, marked, rather than nothing.
    const room = Math.max(0, budgetChars - used);
    files.push({
      path: top.path,
      content: `${
        top.content.slice(0, room)
      }\n… (cut at ${room} of ${top.content.length} characters)`,
    });
  }
  const prompt = [
    `<instruction>\n${instruction}\n</instruction>`,
    `<repository_map>\n${map}\n</repository_map>`,
    ...files.map((f) => `<file path="${f.path}">\n${f.content}\n</file>`),
  ].join("\n\n");
  return { map, files, prompt };
}

export const SYSTEM_PROMPT =
  `You are a careful senior software engineer proposing a change to a repository.
Answer with one line starting "Rationale:" that explains the change briefly, then exactly one unified diff in a \`\`\`diff fence.
The diff must apply with "git apply" to the files shown: paths relative to the repository root with a/ and b/ prefixes, correct hunk headers and at least three lines of context. Change only what the instruction asks.`;
