/**
 * @module
 * The intent router: pure, table-driven. An utterance is split into clauses at conjunctions
 * ("and", "then", "also", ";"), filler is dropped, negated clauses are skipped, and each clause
 * goes to the skill whose weighted patterns score highest. A clause no skill claims is joined
 * to the one before it ("search for cats and dogs" stays one clause). Nothing matched at all
 * means an explicit `unrouted` answer.
 */
import type { Priority, TaskSpec } from "@shared/schemas/mod.ts";
import type { JsonValue, SkillPattern } from "../skills/skill.ts";

/** What the router needs of a skill. */
export interface RoutableSkill {
  intent: string;
  patterns: readonly SkillPattern[];
  paramsFromClause?(clause: string): Record<string, JsonValue>;
}

export interface RouteOptions {
  priority?: Priority;
  /** Minimum score for a clause to be claimed. @default 1 */
  threshold?: number;
}

export interface SkippedClause {
  clause: string;
  reason: "negated" | "no_match" | "filler";
  intent?: string;
}

export interface RouteResult {
  tasks: TaskSpec[];
  skipped: SkippedClause[];
  unrouted: boolean;
}

const FILLER =
  /^(?:(?:[…]+|um+|uh+|er+|hmm+|ah+|okay|ok|so|well|like|right|alright|hey|hi|please|now|and|then|also|just|you know|i mean|can you|could you|would you|will you|i want you to|i need you to|i'd like you to|go ahead and|let's|lets)\b[\s,.!?…-]*|[…]+\s*)+/i;
const TRAILING_FILLER = /[\s,.!?…-]*(?:\b(?:please|thanks|thank you|okay|ok)\b[\s,.!?]*)+$/i;
const SPLIT =
  /\s*(?:;|[.!?](?:\s+|$)|,?\s+\band then\b|,?\s+\bthen\b|,?\s+\band also\b|,?\s+\balso\b|,?\s+\bplus\b|,?\s+\band\b|,?\s+\bbut\b|,\s+)\s*/i;
const LEADING_CONJUNCTION = /^(?:(?:and|then|also|plus|but)\b[\s,]*)+/i;
const NEGATION =
  /^(?:please\s+)?(?:don'?t|do not|dont|never|no need to|not|stop|skip|without|there'?s no need to|you don'?t need to|no)\b/i;
/** A speaker declining in the first person: "I don't want you to open…", "we'd rather not…". */
const DECLINED =
  /^(?:(?:i|we)\s+(?:really\s+)?(?:don'?t|do not|dont)\s+(?:want|need|think\s+(?:you|we)\s+(?:should|need))\b|(?:i'?d|i would|we'?d|we would)\s+rather\s+(?:you\s+)?not\b|(?:i|we)\s+(?:never|no longer)\s+(?:want|need)\b)/i;

/** Removes leading/trailing filler words and punctuation. */
export function stripFiller(clause: string): string {
  let out = clause.trim();
  let prev: string;
  do {
    prev = out;
    out = out.replace(FILLER, "").replace(TRAILING_FILLER, "").trim();
  } while (out !== prev);
  return out.replace(/^[\s,.;:!?…-]+|[\s,;:…-]+$/g, "").trim();
}

/** Splits an utterance into candidate clauses (before filler removal). */
export function splitClauses(text: string): string[] {
  return text.split(SPLIT)
    .map((c) => c.replace(LEADING_CONJUNCTION, "").trim())
    .filter((c) => c.length > 0);
}

function score(clause: string, skill: RoutableSkill): number {
  let total = 0;
  for (const { pattern, weight } of skill.patterns) {
    pattern.lastIndex = 0;
    if (pattern.test(clause)) total += weight;
  }
  return total;
}

function best(
  clause: string,
  skills: readonly RoutableSkill[],
  threshold: number,
): RoutableSkill | undefined {
  let top: RoutableSkill | undefined;
  let topScore = 0;
  for (const skill of skills) {
    const s = score(clause, skill);
    if (s > topScore) (top = skill, topScore = s);
  }
  return topScore >= threshold ? top : undefined;
}

/** Routes an utterance to TaskSpecs, one per claimed clause. */
export function routeUtterance(
  text: string,
  skills: readonly RoutableSkill[],
  options: RouteOptions = {},
): RouteResult {
  const threshold = options.threshold ?? 1;
  const priority = options.priority ?? "background";
  const skipped: SkippedClause[] = [];
  // Group raw clauses: a clause that no skill claims and isn't negated continues the previous.
  const groups: { text: string; negated: boolean }[] = [];
  for (const raw of splitClauses(text)) {
    const clean = stripFiller(raw);
    if (!clean) {
      skipped.push({ clause: raw, reason: "filler" });
      continue;
    }
    const negated = NEGATION.test(clean) || DECLINED.test(clean);
    const claimed = best(clean, skills, threshold) !== undefined;
    const last = groups[groups.length - 1];
    if (!claimed && !negated && last) {
      last.text = `${last.text} and ${clean}`;
    } else {
      groups.push({ text: clean, negated });
    }
  }
  // Adjacent clauses for the same skill become one task: one job does both.
  const tasks: TaskSpec[] = [];
  let previous: { intent: string; task: TaskSpec } | undefined;
  for (const group of groups) {
    const skill = best(group.text, skills, threshold);
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
      skipped.push({ clause: group.text, reason: "no_match" });
      continue;
    }
    if (previous?.intent === skill.intent) {
      const merged = `${previous.task.clause} and ${group.text}`;
      previous.task.clause = merged;
      previous.task.instruction = merged.charAt(0).toUpperCase() + merged.slice(1);
      previous.task.params = skill.paramsFromClause?.(merged) ?? {};
      continue;
    }
    const instruction = group.text.charAt(0).toUpperCase() + group.text.slice(1);
    const task: TaskSpec = {
      intent: skill.intent,
      instruction,
      params: skill.paramsFromClause?.(group.text) ?? {},
      priority,
      clause: group.text,
    };
    tasks.push(task);
    previous = { intent: skill.intent, task };
  }
  return { tasks, skipped, unrouted: tasks.length === 0 };
}
