/**
 * @module
 * A clause read in the light of the one before it. After a visit to a place ("sign in to the
 * learning portal", "go on the okta dashboard"), a clause with no verb any skill knows that acts
 * on the speaker's own things ("…and finish the phishing module for me", "…reset my MFA
 * factor") is done on that place: the module and the factor are on the site, not in code.
 */
import type { ClauseScore } from "./clause_scorer.ts";

/** The speaker's own things, or work done on their behalf. */
const PERSONAL = /\bmy\b|\bfor (?:me|us)\b/i;
/** Labels that are only nouns: objects, their qualifiers and places. */
const NOUN_LABEL = /^(?:described |placed |hosted |claimed )?(?:object|modifier|location|host):/;

/** Whether `clause` continues the visit made by the clause before it. */
export function carriesOnVisit(
  clause: string,
  decision: ClauseScore,
  before: ClauseScore,
): boolean {
  const visited = before.intent;
  if (visited === undefined || decision.intent === undefined || decision.intent === visited) {
    return false;
  }
  // The clause before acted (a verb of its skill fired), not only named something.
  const acted = (before.fired[visited] ?? []).some((l) => /^(?:later )?verb:/.test(l));
  // This clause has no verb, cue or pattern of any skill: only nouns.
  const onlyNouns = Object.values(decision.fired).every((labels) =>
    labels.every((l) => NOUN_LABEL.test(l))
  );
  return acted && onlyNouns && PERSONAL.test(clause);
}
