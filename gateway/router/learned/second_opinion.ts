/**
 * @module
 * When the learned model's opinion replaces the lexicon router's decision. Pure.
 *
 * The lexicons are right far more often, and they say why; so the model is heard only when it is
 * confident of one intent (at least {@link SECOND_OPINION_CONFIDENCE}) and the lexicons are not
 * sure of theirs: they matched nothing, or decided some clause by less than
 * {@link SECOND_OPINION_MARGIN}. Then the request goes, whole, to that one intent. This opinion
 * never splits a request (`split_opinion.ts` adds a job the lexicons missed), and it stays out of any
 * decision that involves a skill without a lexicon (a command word such as "echo" is exact) or
 * a skill it was never trained on, so adding a skill never lets the model take its requests.
 * Only the parts of the request that were not negated go on.
 */
import type { TaskSpec } from "@shared/schemas/mod.ts";
import { type RoutableSkill, type RouteOptions, type RouteResult, taskFor } from "../router.ts";
import type { IntentPrediction } from "./intent_model.ts";

/** The model's probability for its best answer must reach this. */
export const SECOND_OPINION_CONFIDENCE = 0.8;
/** The lexicons' margin must be under this (or nothing matched) for the model to be heard. */
export const SECOND_OPINION_MARGIN = 4;

/** What the trace keeps of the model's opinion. */
export interface LearnedOpinion {
  intents: string[];
  confidence: number;
  /** Whether it replaced the lexicons' decision. */
  applied: boolean;
}

export interface Reconsidered extends RouteResult {
  learned?: LearnedOpinion;
}

/** Whether skills of this name can be decided by the model: it has a lexicon, and was trained on. */
export function lexical(
  name: string,
  skills: readonly RoutableSkill[],
  known: ReadonlySet<string>,
) {
  return known.has(name) && skills.find((s) => s.intent === name)?.lexicon !== undefined;
}

/**
 * Whether any opinion of the model could change this result: the lexicons are unsure and every
 * routed skill is one the model may decide. Asked before the model, so that sure decisions and
 * command words cost no prediction.
 */
export function opinionCouldApply(
  result: RouteResult,
  skills: readonly RoutableSkill[],
  known: ReadonlySet<string>,
): boolean {
  return (result.unrouted || result.margin < SECOND_OPINION_MARGIN) &&
    result.tasks.every((t) => lexical(t.intent, skills, known)) &&
    result.clauses.some((c) => !c.negated) &&
    // A request for a personal assistant is no skill's, whatever its words look like.
    !result.clauses.some((c) => c.assistant && !c.negated);
}

/**
 * The lexicon router's result, or the model's single intent in its place.
 * `known` is every intent the model was trained on.
 */
export function secondOpinion(
  result: RouteResult,
  prediction: IntentPrediction,
  skills: readonly RoutableSkill[],
  known: ReadonlySet<string>,
  options: RouteOptions = {},
): Reconsidered {
  const notApplied = { ...result, learned: { ...opinionOf(prediction), applied: false } };
  const [intent, ...more] = prediction.intents;
  const skill = skills.find((s) => s.intent === intent);
  const routed = result.tasks.map((t) => t.intent);
  const same = routed.length === 1 && routed[0] === intent;
  if (
    !skill || more.length > 0 || same || !lexical(skill.intent, skills, known) ||
    prediction.confidence < SECOND_OPINION_CONFIDENCE || !opinionCouldApply(result, skills, known)
  ) return notApplied;
  const said = result.clauses.filter((c) => !c.negated);
  const context = said.map((c) => c.context).filter(Boolean).join("; ");
  const task = taskFor(
    skill,
    said.map((c) => c.clause).join(" and "),
    options.priority ?? "background",
    context || undefined,
  );
  return replacedBy(result, [task], prediction);
}

/** The lexicons' result with the model's tasks in place of theirs. */
export function replacedBy(
  result: RouteResult,
  tasks: TaskSpec[],
  prediction: IntentPrediction,
): Reconsidered {
  return {
    tasks,
    // What the lexicons found no skill for is now in a task; what was negated or filler is not.
    skipped: result.skipped.filter((s) => s.reason === "negated" || s.reason === "filler"),
    unrouted: false,
    clauses: result.clauses,
    margin: result.margin,
    learned: { ...opinionOf(prediction), applied: true },
  };
}

function opinionOf(prediction: IntentPrediction) {
  return {
    intents: prediction.intents,
    confidence: Math.round(prediction.confidence * 1000) / 1000,
  };
}
