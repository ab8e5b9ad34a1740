/**
 * @module
 * The learned intent model, trained once per process on the labelled requests in
 * `../eval/utterances.json` (a JSON import: it ships inside the module graph, so no read
 * permission is needed), and the offline route that asks it for a second opinion.
 *
 * The blind set (`../eval/blind.json`) is never part of its training: it stays a first-sight
 * measure of the whole router.
 */
import corpus from "../eval/utterances.json" with { type: "json" };
import { EvalSet } from "../eval/router_eval.ts";
import { type RoutableSkill, type RouteOptions, routeUtterance } from "../router.ts";
import { IntentModel } from "./intent_model.ts";
import { splitCouldApply, splitOpinion } from "./split_opinion.ts";
import { opinionCouldApply, type Reconsidered, secondOpinion } from "./second_opinion.ts";

let trained: IntentModel | undefined;

/** The model trained on the repository's labelled requests (trained on first use). */
export function corpusModel(): IntentModel {
  return trained ??= IntentModel.train(EvalSet.parse(corpus));
}

/** The lexicon router, with the learned model's second opinion where the lexicons are unsure. */
export function routeOffline(
  text: string,
  skills: readonly RoutableSkill[],
  options: RouteOptions & { model?: IntentModel } = {},
): Reconsidered {
  const result = routeUtterance(text, skills, options);
  const model = options.model ?? corpusModel();
  const known = model.intents;
  // Where no opinion could change the decision (sure lexicons, command words), the model is not
  // even asked.
  const split = splitCouldApply(result, skills, known);
  const single = opinionCouldApply(result, skills, known);
  if (!split && !single) return result;
  const prediction = model.predict(text);
  const wasSplit = split
    ? splitOpinion(result, prediction, model, skills, known, options)
    : undefined;
  if (wasSplit) return wasSplit;
  return single ? secondOpinion(result, prediction, skills, known, options) : result;
}
