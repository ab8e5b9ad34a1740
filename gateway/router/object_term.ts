/**
 * @module
 * The object term a scored hit came from, for its flags (`topic`, `pointsTo`, `hostedBy`, `named`,
 * `inert`): looked up by name in its skill's lexicon once per hit, though the scorer asks often.
 */
import type { LexiconTerm, SkillLexicon } from "../skill_kit/lexicon.ts";

/** What is needed of a hit: whose it is and its name; `object` keeps the answer once found. */
export interface NamedHit {
  intent: string;
  name: string;
  /** What {@linkcode objectTerm} found for it, once asked (null: none). */
  object?: LexiconTerm | null;
}

/** Each lexicon's object terms by name, built once. */
const objectsByName = new WeakMap<SkillLexicon, Map<string, LexiconTerm>>();

/** The object term a hit came from, among the lexicons of `skills`. */
export function objectTerm(
  skills: readonly { intent: string; lexicon?: SkillLexicon }[],
  hit: NamedHit,
): LexiconTerm | undefined {
  // Asked of the same hit many times per clause.
  if (hit.object !== undefined) return hit.object ?? undefined;
  const lexicon = skills.find((s) => s.intent === hit.intent)?.lexicon;
  let term: LexiconTerm | undefined;
  if (lexicon) {
    let byName = objectsByName.get(lexicon);
    if (!byName) {
      byName = new Map(lexicon.objects.map((t) => [t.name, t]));
      objectsByName.set(lexicon, byName);
    }
    term = byName.get(hit.name);
  }
  hit.object = term ?? null;
  return term;
}
