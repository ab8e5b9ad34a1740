/**
 * @module
 * The intent router: pure, table-driven. An utterance is split into clauses at conjunctions
 * ("and", "then", "after that", "also", ";", "—"), filler is dropped, negated clauses are
 * skipped (a negation reaches only its own clause: "never open the browser, just refactor the
 * parser"), and each clause goes to the skill whose lexicon it fits best, by what it acts on
 * (see `clause_scorer.ts`). A clause no skill claims is joined to the one before it ("log into
 * the panel and export the users" stays one clause). Nothing matched at all means an explicit
 * `unrouted` answer. Every clause's decision is returned for tracing: the terms that fired, the
 * scores and the margin.
 */
import type { JsonValue, Priority, TaskSpec } from "@shared/schemas/mod.ts";
import type { SkillPattern } from "../skill_kit/skill.ts";
import type { SkillLexicon } from "../skill_kit/lexicon.ts";
import { type ClauseScore, scoreClause } from "./clause_scorer.ts";
import {
  assistantRequest,
  homeRequest,
  speakerFeeling,
  speakerPlan,
} from "./assistant_requests.ts";
import { carriesOnVisit } from "./clause_context.ts";
import { claimUnknownObject } from "./unknown_objects.ts";

/** What the router needs of a skill. */
export interface RoutableSkill {
  intent: string;
  patterns: readonly SkillPattern[];
  lexicon?: SkillLexicon;
  /** What it does, for the model router's prompt. */
  description?: string;
  /** What it does after "I can" ("change code"), for the answer when nothing matched. */
  ability?: string;
  paramsFromClause?(clause: string): Record<string, JsonValue>;
}

export interface RouteOptions {
  priority?: Priority;
  /** Minimum score for a clause to be claimed. @default 2 */
  threshold?: number;
}

export interface SkippedClause {
  clause: string;
  reason: "negated" | "no_match" | "filler";
  intent?: string;
}

/** Why one clause went where it did. */
export interface ClauseTrace extends ClauseScore {
  clause: string;
  /** The clauses it was joined from, when it was joined from more than one. */
  parts?: string[];
  /** A request for a personal assistant or a smart home ("remind me…"), which no skill does. */
  assistant?: boolean;
  negated?: boolean;
  /** What was said before it about the problem, carried into its instruction. */
  context?: string;
}

export interface RouteResult {
  tasks: TaskSpec[];
  skipped: SkippedClause[];
  unrouted: boolean;
  /** One entry per clause considered (after joining unclaimed clauses). */
  clauses: ClauseTrace[];
  /** The smallest margin among routed clauses (0 when nothing was routed): how sure it is. */
  margin: number;
}

const FILLER =
  /^(?:(?:[…]+|um+|uh+|erm*|hmm+|ah+|oh|okay|ok|so|well|like|right|alright|yeah|yes|yo|hey|hi|hello|cool|sorry|please|pretty please|kindly|now|and|then|also|just|basically|actually|quick one|sort of|kind of|kinda|sorta|maybe|perhaps|possibly|real quick|(?:one )?(?:more|last|other|quick) thing|another thing|lemme think|let me think|(?:don'?t|do not) forget to|thanks(?: (?:a lot|a ton|a bunch|a million|so much|in advance))?|cheers|much appreciated|appreciate it|thank you(?: so much)?|you know|i mean|i guess|can you|could you|would you(?: kindly)?|will you|would you mind|i want you to|i need you to|i'd like you to|go ahead and|let's|lets|(?:so )?what (?:i|we) (?:want|need)(?: you to do)? is|here'?s (?:what|the thing)|the thing is)\b[\s,.!?…:-]*|[…]+\s*)+/i;
const TRAILING_FILLER =
  /[\s,.!?…-]*(?:\b(?:please|thanks|thank you|okay|ok|if you don'?t mind|thanks a (?:lot|ton|bunch|million)|cheers|much appreciated|appreciate it)\b[\s,.!?]*)+$/i;
const SPLIT =
  /\s*(?:;|:\s+|[ \t](?:—|–|-{1,2})[ \t]|[.!?](?:\s+|$)|,?\s+\band then\b|,?\s+\bthen\b|,?\s+\band also\b|,?\s+(?<!\b(?:to|should|would|could|can|will|must|might|may|it|they|we|i|you|is|are|was|be|has|have|had|do|does)\s+)\balso\b|,?\s+\bplus\b|,?\s+\band after that\b|,?\s+\bafter that\b|,?\s+\bafter which\b|,?\s+\band afterwards\b|,?\s+(?:and\s+)?\b(?:while you'?re at it|(?:once|when|after|as soon as) (?:that'?s|that is|it'?s|it is|you'?re|you are|that'?s been|you'?ve) (?:done|finished)(?: with that| that)?)\b|,?\s+\band\b|,?\s+\bbut\b|,\s+|\s+(?=(?:can|could|would|will) you\s+(?!not\b)\w)(?<!\b(?:and|then|so|if|what|how|when|where|why)\s+)|\s+(?=without\s+\w+ing\b)|\s+(?=(?:while|whilst) (?:i|we)\b)|\s+(?=(?:instead of|rather than)\s+\w+ing\b))\s*/i;
const LEADING_CONJUNCTION =
  /^(?:(?:and|then|also|plus|but|after that|afterwards|first(?:ly)?|second(?:ly)?|third(?:ly)?|next|finally|lastly|while you'?re at it|(?:once|when|after|as soon as) (?:that'?s|that is|it'?s|it is|you'?re|you are|you'?ve) (?:done|finished)(?: with that| that)?)\b[\s,]*)+/i;
const NEGATION =
  /^(?:please\s+)?(?!(?:don'?t|do not|dont|never) forget\b)(?!not (?:a (?:big )?fan|sure|happy|great|ideal|thrilled|convinced|crazy about|loving)\b)(?:don'?t|do not|dont|never|no need to|not|stop|skip|without|instead of|rather than|there'?s no need to|you don'?t (?:need|have) to|no|nothing|forget(?: about)?|leave\b.*\b(?:alone|out of (?:it|this))|keep\b.*\bout of (?:it|this))\b/i;
/** A speaker declining in the first person: "I don't want you to open…", "we'd rather not…". */
const DECLINED =
  /^(?:(?:i|we)\s+(?:really\s+)?(?:don'?t|do not|dont)\s+(?:want|need|think\s+(?:you|we)\s+(?:should|need))\b|(?:i'?d|i would|we'?d|we would)\s+rather\s+(?:you\s+)?(?:not|didn'?t|did not)\b|(?:i|we)\s+(?:never|no longer)\s+(?:want|need)\b|(?:we|you)\s+(?:shouldn'?t|should not|mustn'?t|must not)\s+(?:touch|change|edit|modify|open|use)\b)/i;

/**
 * Where a negation's scope ends when nothing marks it: "don't test it in the browser just
 * rename the variable", "don't write code I only want you to check the panel".
 */
const NEGATION_RESUMES =
  /\s+(?:(?:i|we)\s+(?:only|just)\s+(?:want|need)\s+(?:you\s+)?(?:to\s+)?|(?:but\s+)?(?:just|only|instead|rather|please)\s+(?=[a-z])|let'?s\s+|let us\s+)/i;

/** A self-correction on its own ("no sorry", "wait, I mean"): what follows replaces a detail. */
const CORRECTION =
  /^(?:(?:no|nah|nope|wait|sorry|oops|actually|i mean|i meant|or rather|scratch that|make that|correction)[\s,.!]*)+$/i;

/** What the speaker is doing meanwhile ("…while I debug this") is not asked of anyone. */
const SPEAKER_BUSY = /^(?:while|whilst) (?:i|we)\b(?!.*\bat it\b)/i;

/** What the speaker was doing or saw: context for the request after it. */
const NARRATIVE =
  /^(?:(?:i|we)\s+(?:was|were|'ve been|have been|saw|noticed|found|tried|spotted|ran into|hit|got)|(?:i|we)'ve been)\b/i;
/** A clause pointing back at what was named before ("from it", "on there"). */
const BACK_REFERENCE =
  /\b(?:from|on|in|at|into|inside|of|off|through)\s+(?:it|there|them|that one|that page)\b|\bthere\s*$/i;

const BARE_NO = /^(?:no|nothing)(?:\s+[\w'-]+){1,3}$/i;
const RESUMES_AFTER_NEGATION = /^(?:but\s+)?(?:just|only|instead|rather)\b/i;
/** A statement or a question about something, not an imperative. */
const STATEMENT_START =
  /^(?:the|our|my|this|that|these|those|your|its|their|how come|why(?:'s| is| are| does| do| did)?|what(?:'s| is| are| does| do| did)|(?:is|are|does|do|did|has|have) (?:the|our|my|this|that|these|those|it|we|you)|(?:it )?(?:looks|seems) like|apparently|for some reason)\b/i;
const REPORT_BACK =
  /^(?:(?:tell|show|give|read)\s+(?:me|us)\b|let\s+(?:me|us)\s+know\b|(?:what|whether|if|how many|how much)\b|(?:note|list|report|count|summari[sz]e|write down|jot down)\b)/i;

/** A negated clause and, apart, what follows the end of its scope. */
function splitNegationScope(raw: string, strip = stripFiller): string[] {
  const clean = strip(raw);
  const negation = NEGATION.exec(clean) ?? DECLINED.exec(clean);
  if (!negation) return [raw];
  // Only after the negating words themselves ("I'd rather you didn't…" is one negation).
  const from = negation.index + negation[0].length;
  const m = NEGATION_RESUMES.exec(clean.slice(from));
  if (!m) return [raw];
  return [clean.slice(0, from + m.index), clean.slice(from + m.index + m[0].length)];
}

/**
 * Whether a clause only looks at something on what the clause before it opened: its main verb is
 * the previous clause's skill and the skill it would go to has nothing but nouns for it. "Open the
 * Jenkins page and check the last build": the build is checked on the page. Asking to be told
 * about it is looking too ("load the metrics page and tell me the queue depth").
 */
function looksOnAt(
  clause: string,
  decision: ClauseScore,
  previous: { decision: ClauseScore | undefined; negated: boolean },
): boolean {
  const before = previous.decision?.intent;
  const now = decision.intent;
  if (previous.negated || !before || !now || before === now) return false;
  const mainVerb = decision.fired[before]?.some((f) => f.startsWith("verb:"));
  // What is reported may name a change ("tell me what changed with loaders"): its verbs are the
  // report's content; so are later verbs ("check how many testers installed the build").
  const reports = REPORT_BACK.test(clause);
  const nounsOnly = (decision.fired[now] ?? []).every((f) =>
    (reports
      ? /^(?:object|modifier|location|(?:later )?verb):/
      : /^(?:object|modifier|location|later verb):/).test(f)
  );
  return (mainVerb === true || reports) && nounsOnly;
}

/**
 * Whether a claimed clause after a comma only adds detail to the claimed one before it: no verb,
 * cue or pattern ("paginate the list, twenty five per page").
 */
function elaborates(clause: string, decision: ClauseScore, before: ClauseScore): boolean {
  // A statement after a request explains it ("look at the landing page, the hero looks off");
  // before a request it is the request's context instead.
  return before.intent !== undefined && (!STATEMENT_START.test(clause) || hasVerb(before)) &&
    Object.values(decision.fired).every((f) =>
      f.every((label) => /^(?:described )?(?:object|modifier|location):/.test(label))
    );
}

/** Whether any skill's verb fired in the clause (an action is asked for). */
function hasVerb(decision: ClauseScore): boolean {
  return Object.values(decision.fired).some((f) =>
    f.some((label) => /^(?:later )?verb:/.test(label))
  );
}

/**
 * Whether a claimed clause is a statement about something ("the upload button does nothing"):
 * it opens with a determiner, not an imperative, and no verb, cue or pattern fired.
 */
function describes(clause: string, decision: ClauseScore): boolean {
  return decision.intent !== undefined && STATEMENT_START.test(clause) &&
    Object.values(decision.fired).every((f) =>
      f.every((label) => /^(?:described )?(?:object|modifier|location):/.test(label))
    );
}

/** Removes leading/trailing filler words and punctuation. */
export function stripFiller(clause: string): string {
  let out = clause.trim();
  let prev: string;
  do {
    prev = out;
    out = out.replace(/^[\s,.;:!?…—–-]+/, "").replace(FILLER, "").replace(TRAILING_FILLER, "")
      .trim();
  } while (out !== prev);
  // Hesitations inside a clause ("I want, uh, the logout to…") and a word said twice ("the
  // the handler") are transcription noise, not words to read.
  out = out.replace(HESITATION, " ").replace(REPEATED_WORD, "$1").replace(/\s{2,}/g, " ");
  return out.replace(/^[\s,.;:!?…-]+|[\s,;:…-]+$/g, "").trim();
}

const HESITATION = /[\s,]+(?:uh+|um+|erm*|hmm+|mm+)\b[,.…]*(?=\s|$)/gi;
const REPEATED_WORD = /\b([a-z]+)(?:\s+\1\b)+/gi;

/** Splits an utterance into candidate clauses (before filler removal). */
export function splitClauses(text: string): string[] {
  return splitMarked(text).map((c) => c.text);
}

/** "between", "both" or "comparing" still waiting for its "and" a few words on. */
const BETWEEN_OPEN =
  /\b(?:between|both|compar(?:e|es|ed|ing)|versus|difference of)\s+(?:[\w'-]+\s+){0,3}[\w'-]+$/i;

const COMMA_HESITATION = /\s*,\s*(?:uh+|um+|erm*|hmm+|mm+|ah+)\s*,\s*/gi;
const SPLIT_KEEPING = new RegExp(`(${SPLIT.source})`, "i");

/** Clauses, each marked when only a comma (no "and", "then"…) set it apart from the one before. */
function splitMarked(text: string): { text: string; afterComma: boolean }[] {
  // A hesitation set off by commas ("go to the, uh, the AWS console") splits nothing.
  const parts = text.replace(COMMA_HESITATION, " ").split(SPLIT_KEEPING);
  const out: { text: string; afterComma: boolean }[] = [];
  for (let i = 0; i < parts.length; i += 2) {
    const raw = parts[i]!.trim();
    const clause = raw.replace(LEADING_CONJUNCTION, "").trim();
    if (!clause) continue;
    const separator = i > 0 ? parts[i - 1]! : "";
    const last = out[out.length - 1];
    // "between our staging and prod overlays", "comparing bun and deno" name two things, not two
    // requests.
    if (last && /^\s+and\s+$/i.test(separator) && BETWEEN_OPEN.test(last.text)) {
      last.text = `${last.text} and ${clause}`;
      continue;
    }
    out.push({ text: clause, afterComma: /^\s*,\s*$/.test(separator) && clause === raw });
  }
  return out;
}

/** Whether some skill's object (not only a verb or a cue) fired in a clause. */
function namesObject(decision: ClauseScore): boolean {
  return Object.values(decision.fired).some((terms) => terms.some((t) => t.startsWith("object:")));
}

/**
 * The task for a skill's clause: its instruction is the clause as said, after what was said
 * before it about the problem (`context`), and its params are the skill's reading of the clause.
 */
export function taskFor(
  skill: RoutableSkill,
  clause: string,
  priority: Priority,
  context?: string,
): TaskSpec {
  const said = context ? `${context}; ${clause}` : clause;
  return {
    intent: skill.intent,
    instruction: said.charAt(0).toUpperCase() + said.slice(1),
    params: skill.paramsFromClause?.(clause) ?? {},
    priority,
    clause,
  };
}

/** Routes an utterance to TaskSpecs, one per claimed clause. */
export function routeUtterance(
  text: string,
  skills: readonly RoutableSkill[],
  options: RouteOptions = {},
): RouteResult {
  const threshold = options.threshold ?? 2;
  const priority = options.priority ?? "background";
  const skipped: SkippedClause[] = [];
  // Each text is scored once, though it is asked about twice (grouping, then deciding).
  const scored = new Map<string, ClauseScore>();
  const score = (clause: string) => {
    let s = scored.get(clause);
    if (!s) {
      s = claimUnknownObject(clause, scoreClause(clause, skills, threshold), skills);
      scored.set(clause, s);
    }
    return s;
  };
  // Group raw clauses: a clause that no skill claims and isn't negated continues the previous.
  // `context`: a statement of the problem said before the request it belongs to.
  // `assistant`: a request for a personal assistant ("remind me…"), which no skill does.
  const groups: {
    text: string;
    parts: string[];
    negated: boolean;
    context?: string;
    assistant?: boolean;
  }[] = [];
  // A clause is cleaned of filler once, though looked at twice (negation scope, then grouping).
  const cleaned = new Map<string, string>();
  const strip = (raw: string) => {
    let clean = cleaned.get(raw);
    if (clean === undefined) cleaned.set(raw, clean = stripFiller(raw));
    return clean;
  };
  const marked = splitMarked(text).flatMap(({ text, afterComma }) =>
    splitNegationScope(text, strip).map((part, i) => ({ part, afterComma: afterComma && i === 0 }))
  );
  for (const { part: raw, afterComma } of marked) {
    const clean = strip(raw);
    if (!clean || SPEAKER_BUSY.test(clean) || CORRECTION.test(clean)) {
      skipped.push({ clause: raw, reason: "filler" });
      continue;
    }
    const negated = NEGATION.test(clean) || DECLINED.test(clean);
    if (
      !negated &&
      (assistantRequest(clean) || homeRequest(clean, namesObject(score(clean))))
    ) {
      groups.push({ text: clean, parts: [clean], negated, assistant: true });
      continue;
    }
    const claimed = score(clean).intent !== undefined;
    const last = groups[groups.length - 1];
    // "don't rewrite it, just fix the pager": what follows the end of a negation's scope is
    // asked for even when no skill claims it on its own.
    // "no edits, check the preview": a bare "no X" negates only its noun phrase.
    const resumes = last?.negated === true &&
      (RESUMES_AFTER_NEGATION.test(raw.trim()) || BARE_NO.test(last.text));
    const continues = !negated && !resumes && last !== undefined &&
      (!claimed ||
        // Only what a request opened is looked on at, not what a statement named, unless the
        // clause points back at it ("…can you grab the spacing values from it").
        ((!describes(last.text, score(last.text)) || BACK_REFERENCE.test(clean)) &&
          looksOnAt(clean, score(clean), { decision: score(last.text), negated: last.negated })) ||
        (afterComma && !last.negated && elaborates(clean, score(clean), score(last.text))) ||
        (!last.negated && !last.assistant &&
          carriesOnVisit(clean, score(clean), score(last.text))) ||
        // "set a timer for fifty minutes, pomodoro for the wordpress stuff": what follows an
        // assistant's request after a comma, with no verb of its own, only says more about it.
        (last.assistant === true &&
          (speakerPlan(clean) || (afterComma && !hasVerb(score(clean))))));
    const explains = (g: { text: string; negated: boolean; context?: string }) =>
      !g.negated && !g.context && score(g.text).intent !== score(clean).intent &&
      (describes(g.text, score(g.text)) || NARRATIVE.test(g.text));
    if (continues) {
      last.text = `${last.text} and ${clean}`;
      last.parts.push(clean);
    } else if (
      !negated && last && claimed && (hasVerb(score(clean)) || NARRATIVE.test(last.text)) &&
      explains(last)
    ) {
      // "the upload button does nothing on Safari, can you look into the click handler": what
      // only says what is wrong (one statement or several, or what the speaker was doing) is
      // context; the request that follows decides.
      const context: string[] = [];
      while (groups.length > 0 && explains(groups[groups.length - 1]!)) {
        context.unshift(groups.pop()!.text);
      }
      groups.push({ text: clean, parts: [clean], negated, context: context.join("; ") });
    } else {
      groups.push({ text: clean, parts: [clean], negated });
    }
  }
  // Adjacent clauses for the same skill become one task: one job does both.
  const tasks: TaskSpec[] = [];
  const clauses: ClauseTrace[] = [];
  let margin = Infinity;
  let previous: { intent: string; task: TaskSpec } | undefined;
  for (const [i, group] of groups.entries()) {
    // How the speaker feels, said on its own, is nobody's work; before a request it goes with
    // that request ("I'm so tired of the flaky login test, can you fix it").
    if (
      !group.negated && group.parts.length === 1 && !group.context &&
      speakerFeeling(group.text) &&
      !groups.slice(i + 1).some((g) => !g.negated && !g.assistant && score(g.text).intent)
    ) group.assistant = true;
    // An assistant's request claims the clause for no skill.
    const decision: ClauseScore = group.assistant
      ? { scores: {}, margin: 0, fired: {} }
      : score(group.text);
    const skill = skills.find((s) => s.intent === decision.intent);
    clauses.push({
      clause: group.text,
      ...(group.parts.length > 1 ? { parts: group.parts } : {}),
      ...(group.assistant ? { assistant: true } : {}),
      ...(group.negated ? { negated: true } : {}),
      ...(group.context ? { context: group.context } : {}),
      ...decision,
    });
    if (group.negated) {
      previous = undefined;
      skipped.push({
        clause: group.text,
        reason: "negated",
        ...(skill ? { intent: skill.intent } : {}),
      });
      continue;
    }
    if (!skill) {
      if (group.assistant) previous = undefined;
      skipped.push({ clause: group.text, reason: "no_match" });
      continue;
    }
    margin = Math.min(margin, decision.margin);
    if (previous?.intent === skill.intent) {
      Object.assign(
        previous.task,
        taskFor(skill, `${previous.task.clause} and ${group.text}`, priority),
      );
      continue;
    }
    const task = taskFor(skill, group.text, priority, group.context);
    tasks.push(task);
    previous = { intent: skill.intent, task };
  }
  return {
    tasks,
    skipped,
    unrouted: tasks.length === 0,
    clauses,
    margin: tasks.length ? margin : 0,
  };
}
