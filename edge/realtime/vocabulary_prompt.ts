/**
 * @module
 * Builds the transcription `prompt` from the user's `--prompt` and a vocabulary (the
 * `--vocabulary` file's terms first, then the gateway's), so that spoken code names come out
 * as written (`JobQueue`, `realtime_transcriber.ts`). Terms are cleaned (no `<`, `>`,
 * control characters or line breaks), de-duplicated case-insensitively and added while the
 * prompt stays within {@linkcode MAX_PROMPT_CHARS}. Pure: no I/O.
 */

/**
 * The prompt's length limit in characters. Whisper-family models read only the last 224
 * tokens of a prompt; about four characters to a token for identifiers keeps every term
 * inside what the model sees.
 */
export const MAX_PROMPT_CHARS = 900;
/** Longer terms are left out. */
export const MAX_TERM_CHARS = 64;

/** The term as it may go into a prompt, or `undefined` when it cannot. */
export function cleanTerm(raw: string): string | undefined {
  const term = raw.trim();
  if (term.length === 0 || term.length > MAX_TERM_CHARS) return undefined;
  // deno-lint-ignore no-control-regex
  if (/[<>\u0000-\u001f\u007f\u2028\u2029]/.test(term)) return undefined;
  return term;
}

/** The lists merged in order, cleaned, without case-insensitive duplicates. */
export function mergeVocabulary(...lists: readonly (readonly string[])[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const list of lists) {
    for (const raw of list) {
      const term = cleanTerm(raw);
      if (!term || seen.has(term.toLowerCase())) continue;
      seen.add(term.toLowerCase());
      out.push(term);
    }
  }
  return out;
}

/** Options of {@linkcode buildTranscriptionPrompt}. */
export interface TranscriptionPromptOptions {
  /** The user's own prompt (`--prompt`), kept whole and first. */
  prompt?: string | undefined;
  /** Vocabulary, most wanted first. */
  terms?: readonly string[];
  /** @default MAX_PROMPT_CHARS */
  maxChars?: number;
}

/**
 * `"<prompt> Vocabulary: a, b, c."`, with as many terms as fit in `maxChars` (in order; a
 * term that does not fit is passed over for shorter ones after it). `undefined` when there
 * is neither a prompt nor a term.
 */
export function buildTranscriptionPrompt(options: TranscriptionPromptOptions): string | undefined {
  const prompt = options.prompt?.trim() || undefined;
  const max = options.maxChars ?? MAX_PROMPT_CHARS;
  const head = prompt ? `${prompt} Vocabulary: ` : "Vocabulary: ";
  let body = "";
  for (const term of mergeVocabulary(options.terms ?? [])) {
    const next = body ? `${body}, ${term}` : term;
    if (head.length + next.length + 1 > max) continue;
    body = next;
  }
  if (!body) return prompt;
  return `${head}${body}.`;
}
