/**
 * @module
 * The features the learned intent model reads from an utterance: its words, its word pairs, and
 * the first five and last four letters of longer words, so that "dockerfile" and "dockerize",
 * or "validator" and "validation", share evidence a word list would need both forms for. Pure.
 */

const WORD = /[a-z0-9']+/g;

/** The distinct features of a text, in first-seen order. */
export function utteranceFeatures(text: string): string[] {
  const words = text.toLowerCase().match(WORD) ?? [];
  const out = new Set<string>();
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    out.add(`w:${w}`);
    if (i > 0) out.add(`b:${words[i - 1]}_${w}`);
    if (w.length > 4) {
      out.add(`p:${w.slice(0, 5)}`);
      out.add(`s:${w.slice(-4)}`);
    }
  }
  return [...out];
}
