/**
 * @module
 * The learned model's second opinion on a request the lexicons gave one skill, when the model is
 * sure it asks for two ("fix the broken image links in the blog, then check the live site on
 * Netlify"): the lexicons missed a job. The model then reads each clause of the request on its own
 * and gives it to whichever of the two it finds likelier; when that gives both skills work, the
 * request is split there, and adjacent clauses of one skill stay one task. Unlike the single
 * intent opinion, this one is heard however sure the lexicons were of the skill they chose: being
 * sure of one job says nothing about a second. Pure.
 */
import type { TaskSpec } from "@shared/schemas/mod.ts";
import { type RoutableSkill, type RouteOptions, type RouteResult, taskFor } from "../router.ts";
import type { IntentPrediction } from "./intent_model.ts";
import {
  lexical,
  type Reconsidered,
  replacedBy,
  SECOND_OPINION_CONFIDENCE,
} from "./second_opinion.ts";

/** What the split needs of the model: each label's probability for a text. */
export interface PartReader {
  probabilities(text: string): Map<string, number>;
}

/** Whether a split could apply: one lexical skill got the request, and it has several clauses. */
export function splitCouldApply(
  result: RouteResult,
  skills: readonly RoutableSkill[],
  known: ReadonlySet<string>,
): boolean {
  const [first] = result.tasks;
  return first !== undefined && result.tasks.every((t) => t.intent === first.intent) &&
    lexical(first.intent, skills, known) &&
    result.clauses.reduce((n, c) => n + (c.negated ? 0 : c.parts?.length ?? 1), 0) > 1;
}

/** The request split between the two skills the model heard, or undefined when it does not apply. */
export function splitOpinion(
  result: RouteResult,
  prediction: IntentPrediction,
  model: PartReader,
  skills: readonly RoutableSkill[],
  known: ReadonlySet<string>,
  options: RouteOptions = {},
): Reconsidered | undefined {
  if (prediction.intents.length !== 2 || prediction.confidence < SECOND_OPINION_CONFIDENCE) return;
  if (!prediction.intents.every((i) => lexical(i, skills, known))) return;
  const routed = new Set(result.tasks.map((t) => t.intent));
  const [have] = routed;
  if (routed.size !== 1 || have === undefined || !prediction.intents.includes(have)) return;
  const missing = prediction.intents.find((i) => i !== have)!;
  const parts = result.clauses.filter((c) => !c.negated).flatMap((c) => c.parts ?? [c.clause]);
  const owners = parts.map((part) => {
    const p = model.probabilities(part);
    return (p.get(missing) ?? 0) > (p.get(have) ?? 0) ? missing : have;
  });
  if (!owners.includes(missing) || !owners.includes(have)) return;
  const tasks: TaskSpec[] = [];
  const priority = options.priority ?? "background";
  owners.forEach((intent, i) => {
    const skill = skills.find((s) => s.intent === intent)!;
    const last = tasks[tasks.length - 1];
    if (last?.intent === intent) {
      tasks[tasks.length - 1] = taskFor(skill, `${last.clause} and ${parts[i]}`, priority);
    } else tasks.push(taskFor(skill, parts[i]!, priority));
  });
  return replacedBy(result, tasks, prediction);
}
