/**
 * @module
 * Scores one clause against every skill, deciding by what is acted on. Pure.
 *
 * - Objects: in a compound ("the settings page component") only the last noun is the head and
 *   counts in full; the nouns before it only qualify it: a little when they belong to the
 *   head's skill, nothing otherwise (a page component is a component).
 * - Cues (a file name, a URL) count more than a noun.
 * - The clause's first verb counts in full for its skill, later verbs half.
 * - A skill pattern anchored at, or found at, the start ("echo …", "say back …") is a command word
 *   and takes the clause.
 * - A skill with neither an object, a cue, a strong verb (or, when its verbs reach any object,
 *   the main verb of a clause that names some object) nor one of its plain patterns scores
 *   nothing: "open the garage door" names no object, so it goes nowhere.
 *
 * The result carries every term that fired, each skill's score and the margin between the best
 * and the runner-up, so that a trace can say why a clause went where it did.
 */
import type { LexiconTerm, SkillLexicon } from "../skill_kit/lexicon.ts";
import type { SkillPattern } from "../skill_kit/skill.ts";
import {
  type ClauseWords,
  clauseWords,
  lexiconIndex,
  type Opening,
  type TermIndex,
} from "./term_index.ts";
import { objectTerm } from "./object_term.ts";

/** What the scorer needs of a skill. */
export interface ScorableSkill {
  intent: string;
  patterns: readonly SkillPattern[];
  lexicon?: SkillLexicon;
}

export interface ClauseScore {
  /** The best skill, when its score reaches the threshold. */
  intent?: string;
  /** Every skill with a score above zero. */
  scores: Record<string, number>;
  /** Best score minus the runner-up's (the best score itself when alone). */
  margin: number;
  /** Per skill, the terms that fired ("verb:update", "object:component", "modifier:page"...). */
  fired: Record<string, string[]>;
}

/** Words that end a compound noun: what comes after them is another phrase. */
const BOUNDARY = new Set(
  ("the a an to in on of for at with from into onto by and or but that this these those is are " +
    "was be so my our your its their it as about than when if whether then up out off over via " +
    "using through under without which who whom whose what where why how while until because " +
    "since whenever is isn't are aren't was wasn't were weren't have has had haven't hasn't do " +
    "does did don't doesn't didn't can can't could couldn't will won't would wouldn't should " +
    "shouldn't must might may ought need needs keeps keep gets got seems looks includes include " +
    "supports uses contains shows returns takes gives makes lets allows breaks fails throws " +
    "calls sends says mentions covers explains lists handles runs loads renders reads writes " +
    "stores drops skips ignores misses lacks expects requires accepts owns hits causes triggers " +
    "blocks leaks crashes hangs where")
    .split(" "),
);
const MAX_COMPOUND_GAP_WORDS = 2;
/** "that"/"which" opening a relative clause straight after a noun (not "that page"). */
const RELATIVE_AFTER = /^\s+(?:that|which)\s+(?!(?:the|a|an|is|was)\b)(?=[a-z]+s\b)/i;
const HOW_TO =
  /\b(?:how (?:to|do (?:i|we|you)|does (?:one|it))|(?:docs|documentation|changelog|page|site|wiki|guide|faq|dashboard)\s+(?:says?|shows?|mentions?)|search(?:ing)?\s+(?:[\w.-]+\s+){1,3}?for|(?:look(?:ing)? up|googl(?:e|ing)|search(?:ing)?(?: for)?|research(?:ing)?) (?:if|whether|what|when|why|which|who|where|how))\s/i;
/** What an object about something is about ("a tutorial on web sockets", "the docs for X"). */
const TOPIC_AFTER =
  /^\s+(?:(?:on|in)(?!\s+(?:the|a|an|our|my|your|their|its|this|that)\b)|about|for|of|regarding|covering|explaining)\s+/i;
/** Where a pointing object points ("a link to the Grafana dashboard"): its target, not worked on. */
const TARGET_AFTER = /^\s+(?:to|pointing (?:to|at)|that points to)\s+/i;
const MODAL_BEFORE =
  /\b(?:should|must|shall|will|would|could|can|might|may|needs? to|has to|have to|ought to)\s+$/i;
const SHOULD_BEFORE =
  /\b(?:should|shouldn't|must|shall|ought to|needs? to|has to|have to)\s+(?:(?:be able to|always|never|also|still|not|just)\s+)?$/i;
const DETERMINER_BEFORE =
  /\b(?:the|a|an|this|that|these|those|my|our|your|its|their)\s+(?:(?:first|second|third|fourth|fifth|next|last|previous|new|old|same|whole|every|single|initial|final)\s+)?$/i;
/**
 * A condition or a passive names what happens, not what to do: "when I click outside", "after
 * the user logs in", "volumes being pinned".
 */
const CONDITION_BEFORE =
  /\b(?:(?:when|whenever|if|after|before|once|until|unless|as soon as)\s+(?:i|you|we|they|he|she|it|someone|somebody|anyone|people|(?:the|a|an|our|new|logged[- ]in)\s+(?:\w+\s+)?(?:users?|customers?|visitors?|admins?))\s+(?:\w+\s+)?|\b(?:being|been)\s+)$/i;
/** A passive ("is logged in plain text") or a verb used as a noun ("the button of submit"). */
const PASSIVE_BEFORE =
  /\b(?:is|are|was|were|be|gets?|got)\s+(?:(?:not|never|still|also|now)\s+)?$/i;
const OF_BEFORE = /\bof\s+$/i;

type Kind = "object" | "cue" | "verb" | "strong";
interface Hit {
  intent: string;
  kind: Kind;
  name: string;
  start: number;
  end: number;
  weight: number;
  /** Its object term, once asked (see `object_term.ts`). */
  object?: LexiconTerm | null;
}

const DEFAULT_WEIGHT: Record<Kind, number> = { object: 2, cue: 3, verb: 2, strong: 3 };
const MODIFIER_WEIGHT = 0.5;
const LOCATION_WEIGHT = 1;
/** "on the", "at our" … followed by up to two qualifying words before the head noun. */
const LOCATION_BEFORE =
  /\b(?:on|at|from|in|inside)\s+(?:(?:the|a|an|our|my|your|their|its|this|that)\s+)?(?:[\w'-]+\s+){0,2}$/i;

function hits(
  clause: ClauseWords,
  intent: string,
  kind: Kind,
  index: TermIndex,
  list: number,
  candidates: readonly number[],
  out: Hit[],
): void {
  // Only the terms whose first word is one of the clause's can match (see term_index.ts).
  const terms = index.lists[list]!;
  const text = clause.text;
  for (const i of candidates) {
    const term = terms[i]!;
    const hit = (m: RegExpExecArray) =>
      out.push({
        intent,
        kind,
        name: term.name,
        start: m.index,
        end: m.index + m[0].length,
        weight: term.weight ?? DEFAULT_WEIGHT[kind],
      });
    const sticky = index.sticky[list]![i];
    const opens = index.opens[list]![i];
    if (sticky && opens) {
      // Every match starts where a word it opens with does: tried there only, left to right,
      // each after the last match's end, as a scan of the whole clause would find them.
      let end = 0;
      const tryAt = (start: number) => {
        if (start < end) return;
        sticky.lastIndex = start;
        const m = sticky.exec(text);
        if (m === null) return;
        hit(m);
        end = Math.max(start + 1, m.index + m[0].length);
      };
      const at = index.openingWords(list, i, clause);
      if (at !== undefined) {
        // Only the words the index saw open a match: their bits, lowest (leftmost) first.
        for (let bits = at; bits !== 0; bits &= bits - 1) {
          tryAt(clause.starts[31 - Math.clz32(bits & -bits)]!);
        }
        continue;
      }
      for (let k = 0; k < clause.words.length; k++) {
        if (opensAt(opens, clause.words[k]!)) tryAt(clause.starts[k]!);
      }
      continue;
    }
    const re = index.patterns[list]![i]!;
    re.lastIndex = 0;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      hit(m);
      // As `matchAll` does: an empty match moves on by one character (code point with /u).
      if (m[0].length === 0) {
        const wide = (re.unicode || re.unicodeSets) && (text.codePointAt(m.index) ?? 0) > 0xffff;
        re.lastIndex = m.index + (wide ? 2 : 1);
      }
    }
  }
}

/** Whether a match opening so may start at this word. */
function opensAt(opens: Opening, word: string): boolean {
  return opens.words.includes(word) || opens.prefixes.some((p) => word.startsWith(p));
}

/** Keeps the longest of overlapping hits (then the earliest). */
function dropOverlaps(all: Hit[]): Hit[] {
  const sorted = [...all].sort((a, b) =>
    (b.end - b.start) - (a.end - a.start) || a.start - b.start
  );
  const kept: Hit[] = [];
  for (const h of sorted) {
    if (!kept.some((k) => h.start < k.end && k.start < h.end)) kept.push(h);
  }
  return kept.sort((a, b) => a.start - b.start);
}

/** Whether the text between two nouns keeps them in one compound ("page component"). */
function sameCompound(gap: string): boolean {
  if (/[,;:.!?—–()"]/.test(gap)) return false;
  // A possessor is a phrase of its own: "the staging site's footer" is on the site.
  if (/^'s?\b/.test(gap)) return false;
  const words = (gap.match(/[\w']+/g) ?? []).filter((w) => w !== "'s" && w !== "s");
  // Coordinated qualifiers share the head: "our staging and prod kustomize overlays".
  if (/^(?:and|or)$/i.test(words[0] ?? "") && words.length === 2) words.shift();
  return words.length <= MAX_COMPOUND_GAP_WORDS &&
    !words.some((w) => BOUNDARY.has(w.toLowerCase()));
}

const PRONOUN_AFTER = /^\s+(?:it|them|that|this|those|these)\b/i;
/** Between a verb and its direct object: "write me a short poem". */
const DIRECT_OBJECT_GAP =
  /^\s+(?:(?:me|us)\s+)?(?:(?:a|an|the|my|our|some|another|new|short|quick|funny|little|nice|good)\s+)*$/i;
const OBJECT_AFTER =
  /^\s+(?:the|a|an|my|our|your|their|its|this|that|these|those|it|them|all|every|some|me|us)\b/i;

/** A clause opening with a determiner and up to three more words: still its subject. */
const SUBJECT_BEFORE =
  /^(?:the|a|an|our|my|this|that|these|those|your|their)\s+(?:[\w'-]+\s+){0,3}$/i;

/** Whether verb `v` sits tight between two nouns ("price filter slider"). */
function nounBetween(clause: string, v: Hit, nouns: readonly Hit[]): boolean {
  const before = nouns.findLast((n) => n.end <= v.start);
  const after = nouns.find((n) => n.start >= v.end);
  return before !== undefined && after !== undefined &&
    /^\s+$/.test(clause.slice(before.end, v.start)) &&
    /^\s+$/.test(clause.slice(v.end, after.start));
}

/** Whether verb `v` closes a noun phrase: right after a noun, with no object of its own. */
function endsNounPhrase(clause: string, v: Hit, nouns: readonly Hit[]): boolean {
  const before = nouns.findLast((n) => n.end <= v.start);
  if (!before || !sameCompound(clause.slice(before.end, v.start))) return false;
  // "I want the link checker fixed": a participle after its object is still the action.
  if (/(?:ed|done)$/i.test(clause.slice(v.start, v.end))) return false;
  if (OBJECT_AFTER.test(clause.slice(v.end))) return false;
  const after = nouns.find((n) => n.start >= v.end);
  return !after || !sameCompound(clause.slice(v.end, after.start));
}

/** "… in the", "… on our", "… at": what follows is where a record is kept. */
const PLACE_AFTER =
  /^\s+(?:on|in|at|inside|within)\s+(?:(?:the|our|my|your|their|a|an)\s+)?(?:[\w'-]+\s+){0,2}$/i;

/** Where the compound whose head is `head` starts (its first qualifier). */
function compoundStart(clause: string, nouns: readonly Hit[], head: Hit): number {
  let i = nouns.indexOf(head);
  while (i > 0 && sameCompound(clause.slice(nouns[i - 1]!.end, nouns[i]!.start))) i--;
  return nouns[i]!.start;
}

/** The spans a pointing object points at ("a link to [the Grafana dashboard]"). */
function pointedAt(
  clause: string,
  nouns: readonly Hit[],
  skills: readonly ScorableSkill[],
): [number, number][] {
  const spans: [number, number][] = [];
  nouns.forEach((n, i) => {
    if (n.kind !== "object" || !objectTerm(skills, n)?.pointsTo) return;
    const m = TARGET_AFTER.exec(clause.slice(n.end));
    if (!m || !nouns[i + 1]) return;
    let j = i + 1;
    while (nouns[j + 1] && sameCompound(clause.slice(nouns[j]!.end, nouns[j + 1]!.start))) j++;
    spans.push([n.end + m[0].length, nouns[j]!.end]);
  });
  return spans;
}

/** Scores `clause` for each skill; `threshold` is the least score that claims it. */
export function scoreClause(
  clause: string,
  skills: readonly ScorableSkill[],
  threshold = 2,
): ClauseScore {
  // A plain pattern anchored at the start is a command word ("echo …"): what follows is its
  // argument, not words for other skills to read. Which patterns matched is kept for scoring.
  const patternMatched: boolean[] = [];
  for (const s of skills) {
    for (const { pattern, weight } of s.patterns) {
      pattern.lastIndex = 0;
      // Anchored, or found where the clause starts ("say back the build finished").
      const m = pattern.exec(clause);
      patternMatched.push(m !== null);
      if (!m || (!pattern.source.startsWith("^") && m.index !== 0)) continue;
      return {
        ...(weight >= threshold ? { intent: s.intent } : {}),
        scores: { [s.intent]: weight },
        margin: weight,
        fired: { [s.intent]: [`command:${pattern.source}`] },
      };
    }
  }
  const words = clauseWords(clause);
  const nounHits: Hit[] = [];
  const verbHits: Hit[] = [];
  for (const s of skills) {
    if (!s.lexicon) continue;
    const index = lexiconIndex(s.lexicon);
    const [objects, cues, verbs, strong] = index.candidates(words);
    hits(words, s.intent, "object", index, 0, objects!, nounHits);
    hits(words, s.intent, "cue", index, 1, cues!, nounHits);
    hits(words, s.intent, "verb", index, 2, verbs!, verbHits);
    hits(words, s.intent, "strong", index, 3, strong!, verbHits);
  }
  // A noun-looking word right after a modal is a verb: "the footer should link to the page".
  const howTo = HOW_TO.exec(clause);
  const nounsKept = dropOverlaps(nounHits)
    .filter((n) => n.kind !== "object" || !MODAL_BEFORE.test(clause.slice(0, n.start)))
    // A noun opening a clause before a pronoun is a verb: "…and test it", "profile them".
    .filter((n) => n.start > 0 || !PRONOUN_AFTER.test(clause.slice(n.end)));
  // A verb word inside a noun phrase ("screenshot function") or after a determiner ("the
  // search endpoint", "a login page") is a noun.
  const verbsKept = dropOverlaps(verbHits)
    .filter((v) => !nounsKept.some((n) => v.start < n.end && n.start < v.end))
    .filter((v) => !DETERMINER_BEFORE.test(clause.slice(0, v.start)))
    // "what's it going to be like": the future tense, not a visit.
    .filter((v) => !/^\s+be\b/i.test(clause.slice(v.end)))
    // The verbs of a how-to are its topic ("google how to fix a memory leak").
    .filter((v) => !howTo || v.start < howTo.index || v.end <= howTo.index + howTo[0].length)
    // What something should do is described, not done now: "the in-app browser should open in a
    // sheet".
    .filter((v) => !SHOULD_BEFORE.test(clause.slice(0, v.start)))
    .filter((v) => !CONDITION_BEFORE.test(clause.slice(0, v.start)))
    .filter((v) => !OF_BEFORE.test(clause.slice(0, v.start)))
    .filter((v) =>
      !PASSIVE_BEFORE.test(clause.slice(0, v.start)) ||
      !/(?:ed|en)\b/i.test(clause.slice(v.start, v.end).split(/\s/)[0]!)
    )
    // A verb right after a noun with nothing to act on ends the noun phrase: "after a page
    // refresh", "the provider upgrade thing" (but "make the script skip mailto links" acts).
    .filter((v) => !endsNounPhrase(clause, v, nounsKept))
    // Inside the subject a clause opens with, a verb word is a noun: "the price filter slider".
    .filter((v) =>
      !SUBJECT_BEFORE.test(clause.slice(0, v.start)) || !nounBetween(clause, v, nounsKept)
    );

  const raw: Record<string, number> = {};
  const evidence = new Set<string>();
  const fired: Record<string, string[]> = {};
  const add = (intent: string, points: number, label: string) => {
    raw[intent] = (raw[intent] ?? 0) + points;
    (fired[intent] ??= []).push(label);
  };

  // A relative clause right after an object describes it: in "write a scraper function that
  // collects the links on a page" the function is made; the links and page count half.
  const relative = nounsKept.map((n) => RELATIVE_AFTER.exec(clause.slice(n.end)))
    .map((m, i) => (m ? nounsKept[i]!.end + m[0].length : Infinity));
  // So does a how-to: in "look up how to configure the eslint config" the config is the topic.
  // And so does what an object about something is about: in "find a tutorial on web sockets"
  // the sockets are the topic of what is found.
  const topic = nounsKept.map((n) => {
    const term = n.kind === "object" ? objectTerm(skills, n) : undefined;
    const m = term?.topic ? TOPIC_AFTER.exec(clause.slice(n.end)) : null;
    return m ? n.end + m[0].length : Infinity;
  });
  // A how-to asked outright ("how do I make the job file restart…") is about what it names.
  const describedFrom = Math.min(
    ...relative,
    ...topic,
    howTo && (howTo.index > 0 || !/^how/i.test(howTo[0]))
      ? howTo.index + howTo[0].length
      : Infinity,
  );
  // What a topic names is not done: "a guide for migrating from webpack to vite".
  const verbsActing = verbsKept.filter((v) => v.start < describedFrom);
  // The target of a pointing object is one noun phrase: "add a link to the Grafana dashboard in
  // the README" changes the README.
  const targets = pointedAt(clause, nounsKept, skills);

  const strongVerb = verbsKept[0]?.kind === "strong" ? verbsKept[0] : undefined;
  // Walk each compound back from its head: "settings page component" is a component.
  let head: Hit | undefined;
  let headDescribed = false;
  let headPoints = 0;
  const heads: Hit[] = [];
  for (let i = nounsKept.length - 1; i >= 0; i--) {
    const h = nounsKept[i]!;
    const next = nounsKept[i + 1];
    const modifier = h.kind === "object" && next !== undefined && head !== undefined &&
      // A clause-wide signal ("…published yet") heads no compound.
      !(next.kind === "cue" && next.weight < DEFAULT_WEIGHT.verb) &&
      sameCompound(clause.slice(h.end, next.start)) &&
      // A verb between two nouns ends the first phrase: in "make the checker script skip
      // mailto links" the script is acted on, the links are what it skips.
      !verbsKept.some((v) => v.start >= h.end && v.end <= next.start);
    if (!modifier) {
      head = h;
      heads.unshift(h);
      // A service's records say nothing of code without the service ("add an event to my
      // calendar").
      const term = objectTerm(skills, h);
      if (h.weight > 0 || !(term?.hostedBy || term?.inert)) evidence.add(h.intent);
      // A clause-wide signal ("…out yet") is no topic.
      const signal = h.kind === "cue" && h.weight < DEFAULT_WEIGHT.verb;
      headDescribed = (h.start >= describedFrom && !signal) ||
        targets.some(([a, b]) => h.start >= a && h.end <= b);
      if (headDescribed) {
        headPoints = h.weight / 2;
        add(h.intent, headPoints, `described ${h.kind}:${h.name}`);
        continue;
      }
      // A record in a place of another skill is kept there: "the old webhook in the Stripe
      // dashboard", "a new repo on GitHub".
      const place = heads[1];
      if (
        place && place.intent !== h.intent && place.weight >= DEFAULT_WEIGHT.object &&
        h.weight > 0 && objectTerm(skills, h)?.hostedBy &&
        PLACE_AFTER.test(clause.slice(h.end, compoundStart(clause, nounsKept, place)))
      ) {
        headPoints = 0;
        add(h.intent, 0, `placed ${h.kind}:${h.name}`);
        continue;
      }
      // A record visited is a place: "visit the storybook deployment", "assign the issue to me".
      const visit = verbsKept[0];
      if (
        visit && visit.kind === "verb" && visit.weight >= DEFAULT_WEIGHT.verb &&
        visit.intent !== h.intent && visit.start < h.start && h.weight > 0 &&
        objectTerm(skills, h)?.hostedBy &&
        // An existing one ("the deployment"), not one to make ("open a pull request").
        /^\s+(?:the|our|my|their|this|that|these|those|your)\b/i.test(clause.slice(visit.end))
      ) {
        headPoints = 0;
        evidence.add(visit.intent);
        add(visit.intent, h.weight, `visited ${h.kind}:${h.name}`);
        continue;
      }
      headPoints = h.weight;
      add(h.intent, h.weight, `${h.kind}:${h.name}`);
      // "… on the GitHub page": where the work happens counts a little more.
      // Only for a sure object: "turn on dark mode on my phone" names no place of work.
      if (
        h.kind === "object" && h.weight >= DEFAULT_WEIGHT.object &&
        LOCATION_BEFORE.test(clause.slice(0, h.start))
      ) {
        add(h.intent, LOCATION_WEIGHT, `location:${h.name}`);
      }
      continue;
    }
    // A qualifier counts a little for its own skill only when the head is of that skill too.
    // A strong qualifier of a weak head of its own skill lends it its weight: "my Netflix
    // subscription" is as sure as "Netflix".
    const lent = Math.max(0, h.weight - head!.weight);
    // A record qualified by a named place is kept there: "the Vercel build" is Vercel's; so is
    // a weak head when the verb is the place's ("check the Supabase table editor").
    if (
      h.intent !== head!.intent && objectTerm(skills, h)?.named &&
      (objectTerm(skills, head!)?.hostedBy ||
        (head!.weight < DEFAULT_WEIGHT.object && verbsKept[0]?.intent === h.intent))
    ) {
      if (headPoints > 0) add(head!.intent, -headPoints, `hosted ${head!.kind}:${head!.name}`);
      headPoints = 0;
      evidence.add(h.intent);
      add(h.intent, h.weight, `host:${h.name}`);
      continue;
    }
    // A strong verb claims a qualifier of its own skill: "look up the Shopify API rate limits"
    // is read on Shopify, "google the AWS provider changelog" on the web.
    if (h.intent !== head!.intent && strongVerb?.intent === h.intent) {
      add(h.intent, h.weight, `claimed modifier:${h.name}`);
      continue;
    }
    // A qualifier of a topic is part of the topic ("a tutorial on React Navigation transitions").
    const own = h.intent === head!.intent && !headDescribed;
    if (own && lent > 0) evidence.add(h.intent);
    add(h.intent, own ? MODIFIER_WEIGHT + lent : 0, `modifier:${h.name}`);
  }
  for (const list of Object.values(fired)) list.reverse();
  const reachesAny = new Set(
    skills.filter((s) => s.lexicon?.verbsReachAnyObject).map((s) => s.intent),
  );
  // A main verb acting on what no skill works on asks for nothing: "write a poem about …".
  const actedOn = verbsActing[0] && heads.find((h) => h.start >= verbsActing[0]!.end);
  const inertObject = actedOn !== undefined && objectTerm(skills, actedOn)?.inert === true &&
    DIRECT_OBJECT_GAP.test(clause.slice(verbsActing[0]!.end, actedOn.start));
  verbsActing.forEach((h, i) => {
    if (i === 0 && inertObject) {
      (fired[h.intent] ??= []).push(`idle verb:${h.name}`);
      return;
    }
    // A main verb whose skill can act on any object makes it a candidate: "fix the broken link"
    // is a code change although a link is a web thing (a tie then goes to the verb).
    const actsOnSomething = heads.some((o) => !objectTerm(skills, o)?.inert);
    if (h.kind === "strong" || (i === 0 && actsOnSomething && reachesAny.has(h.intent))) {
      evidence.add(h.intent);
    }
    add(h.intent, i === 0 ? h.weight : h.weight / 2, `${i === 0 ? "" : "later "}verb:${h.name}`);
  });
  let p = 0;
  for (const s of skills) {
    for (const { pattern, weight } of s.patterns) {
      if (!patternMatched[p++]) continue;
      evidence.add(s.intent);
      add(s.intent, weight, `pattern:${pattern.source}`);
    }
  }

  const scores: Record<string, number> = {};
  for (const [intent, points] of Object.entries(raw)) {
    if (evidence.has(intent) && points > 0) scores[intent] = points;
  }
  // Ties go to the skill of the clause's main verb (the action settles an ambiguous object),
  // else to the first thing acted on ("the npm page for our package" is a page).
  const mainVerb = verbsActing[0]?.intent;
  const firstObject = heads.find((h) => scores[h.intent] !== undefined)?.intent;
  const rank = (intent: string) => (intent === mainVerb ? 2 : 0) + (intent === firstObject ? 1 : 0);
  const ranked = Object.entries(scores).sort((a, b) => b[1] - a[1] || rank(b[0]) - rank(a[0]));
  const [first, second] = ranked;
  const margin = first ? first[1] - (second?.[1] ?? 0) : 0;
  return {
    ...(first && first[1] >= threshold ? { intent: first[0] } : {}),
    scores,
    margin,
    fired,
  };
}
