/**
 * @module
 * A request whose verb the lexicons know but whose object they do not: "fix the failing
 * doctest", "update the JCL to point at the new dataset", "post the job listing on wellfound".
 * Without an object no skill has evidence, so the clause would go unrouted. Two shapes are
 * still sure enough:
 * - a clause that opens with a change verb of a skill whose verbs reach any object (coding) and
 *   acts on a definite thing ("the", "this", "our"… not the speaker's own "my bike"; "lower the
 *   thermostat" is no change of code);
 * - a clause that opens with a skill's verb and does it on a named place ("…on wellfound",
 *   "…on piazza"): the place is a site.
 */
import type { SkillLexicon } from "../skill_kit/lexicon.ts";
import type { ClauseScore } from "./clause_scorer.ts";

interface Skill {
  intent: string;
  lexicon?: SkillLexicon;
}

/** The verb opening a clause (after "just", "only"…) and a definite object after it. */
const VERB_ON_DEFINITE =
  /^(?:(?:just|only|also|please|then|and|now|quickly|maybe)\s+)*(?:fix|update|convert|refactor|rewrite|rename|debug|migrate|port|patch|implement|edit|change|modify|bump|upgrade|downgrade|repair|clean up|tidy up|rework|restructure|replace|extract|split|merge|move|delete|remove|add|make|correct|adjust|tweak)(?:s|es|ed|ing)?\s+(?:the|this|that|these|those|our|all|every|each)\s+[a-z]/i;
/** A verb of going somewhere: "go to", "hop onto", "head over to". */
const VISIT = /^verb:(?:go|hop|head|pop|swing|log|sign|navigate|visit)\b/;
/**
 * The place visited has a name of three words or more ("the canada post tracker"), not an
 * everyday place ("go to the store and find some milk").
 */
const NAMED_VISIT =
  /^[a-z]+(?:\s+(?:over|up))?\s+(?:to|onto|on|into|in|by)\s+(?:the\s+|my\s+|our\s+)?(?!(?:the|my|our)\b)[a-z0-9'-]+\s+[a-z0-9'-]+\s+[a-z0-9'-]+(?:\s+[a-z0-9'-]+){0,2}\s+and\b/i;
/** What the clause before it named ("…tweak the threshold there") is its place, not code. */
const BACK_THERE = /\b(?:there|in there|on there)\s*$/i;
/** A place named after "on"/"at" that no lexicon knows: a site ("on wellfound"). */
const ON_NAMED_PLACE =
  /\b(?:on|at|via)\s+(?!(?:the|a|an|my|our|your|their|his|her|its|this|that|it|them|me|us|time|top|hold|fire|board|track|call|duty|line|site|page|one|two|three|four|five|six|seven|eight|nine|ten|once|monday|tuesday|wednesday|thursday|friday|saturday|sunday|weekends?|weekdays?|mobile|desktop|startup|launch|login|save|submit|click|error|failure|success|demand|purpose|average|least|most|first|last|all|both|each|every|some|any|which|what|least|lunch|noon|night|midnight)\b)[a-z][a-z0-9]+(?:\s+[a-z0-9]+)?\s*$/i;

/** A decision for `clause` when no skill had evidence but its verb and object shape are sure. */
export function claimUnknownObject(
  clause: string,
  decision: ClauseScore,
  skills: readonly Skill[],
): ClauseScore {
  if (decision.intent !== undefined || Object.keys(decision.scores).length > 0) return decision;
  // The clause's main verb: the first verb label of any skill.
  const main = Object.entries(decision.fired).find(([, labels]) => /^verb:/.test(labels[0] ?? ""));
  if (!main) return decision;
  const [intent, labels] = main;
  const skill = skills.find((s) => s.intent === intent);
  const reachesAny = skill?.lexicon?.verbsReachAnyObject === true;
  // "hop onto the medicare provider lookup and find the NPI number": a visit, then something
  // done there, is a web task even when the place is unknown.
  const visitThenAct = !reachesAny && VISIT.test(labels[0] ?? "") &&
    labels.some((l) => l.startsWith("later verb:")) && NAMED_VISIT.test(clause);
  const sure = (reachesAny && VERB_ON_DEFINITE.test(clause)) ||
    (!reachesAny && (ON_NAMED_PLACE.test(clause) || visitThenAct));
  if (!sure || BACK_THERE.test(clause)) return decision;
  const label = reachesAny ? "unknown object" : visitThenAct ? "unknown place" : "named place";
  return {
    intent,
    scores: { [intent]: 2 },
    margin: 2,
    fired: { ...decision.fired, [intent]: [...labels, label] },
  };
}
