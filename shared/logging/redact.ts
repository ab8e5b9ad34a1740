/**
 * @module
 * Keeps secrets out of every output: API keys and bearer tokens are replaced before a line
 * reaches a log, a trace row, an artifact or an error response.
 */

/** Environment variables whose values are secrets wherever they appear. */
export const SECRET_ENV_VARS = [
  "OPENAI_API_KEY",
  "ANTHROPIC_API_KEY",
  "GEMINI_API_KEY",
  "GOOGLE_API_KEY",
  "GATEWAY_TOKEN",
] as const;

export const REDACTED = "[REDACTED]";

/** Shapes of credentials, redacted even when their value is not known in advance. */
export const SECRET_PATTERNS: readonly RegExp[] = [
  /\bBearer\s+[A-Za-z0-9._~+/=-]{8,}/g,
  /\bsk-(?:ant-)?[A-Za-z0-9_-]{8,}/g,
  /\bAIza[0-9A-Za-z_-]{20,}/g,
  /openai-insecure-api-key\.[A-Za-z0-9._-]+/g,
  /("?(?:x-api-key|x-goog-api-key|api[_-]?key|authorization|token)"?\s*[:=]\s*"?)[^",\s}]{6,}/gi,
];

/**
 * Every shape at once, case-insensitive: one scan that says whether any of them may be present.
 * Most text has no credential in it, and is then returned after this single pass.
 */
const ANY_PATTERN = new RegExp(SECRET_PATTERNS.map((p) => `(?:${p.source})`).join("|"), "i");

/**
 * Literals of which every match of {@link SECRET_PATTERNS} holds at least one, in any case: the
 * word before a bearer token, the prefixes of OpenAI, Anthropic and Google keys, and the names of
 * key fields ("x-api-key" and the subprotocol key hold "api-key"). Text without any of them
 * cannot match a pattern, and a scan for a few plain words costs a fraction of
 * {@link ANY_PATTERN}'s; text with one is checked in full. A new pattern must add its literal.
 */
export const SECRET_HINT = /bearer|sk-|aiza|api[_-]?key|authorization|token/i;

const known = new Set<string>();

/** Registers exact secret values (e.g. from the environment) to redact everywhere. */
export function registerSecrets(values: Iterable<string | undefined>): void {
  for (const v of values) if (v && v.length >= 6) known.add(v);
}

/** Registers the values of {@link SECRET_ENV_VARS} when env access is allowed. */
export function registerEnvSecrets(): void {
  try {
    registerSecrets(SECRET_ENV_VARS.map((name) => Deno.env.get(name)));
  } catch {
    // Without env permission there is nothing to read, and nothing to leak from it.
  }
}

/** Returns `text` with known secret values and credential shapes replaced by `[REDACTED]`. */
export function redactText(text: string): string {
  let out = text;
  for (const secret of known) {
    if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  }
  if (!SECRET_HINT.test(out) || !ANY_PATTERN.test(out)) return out;
  return redactShapes(out);
}

/**
 * Every credential shape in `text` replaced, each pattern applied in turn with no quick check
 * first (`redactText` runs this only on text the checks let through).
 */
export function redactShapes(text: string): string {
  let out = text;
  for (const pattern of SECRET_PATTERNS) {
    out = out.replace(
      pattern,
      (match, prefix?: string) =>
        typeof prefix === "string" && match.startsWith(prefix) ? prefix + REDACTED : REDACTED,
    );
  }
  return out;
}
