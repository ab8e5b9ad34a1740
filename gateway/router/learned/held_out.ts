/**
 * @module
 * Scoring a router whose model learned from the very set it is scored on would only show that it
 * remembers. Here each split of a labelled set is routed with a model trained on the other
 * splits alone: what the router does with requests its model has never seen.
 */
import type { EvalItem } from "../eval/router_eval.ts";
import type { RoutableSkill } from "../router.ts";
import { routeOffline } from "./corpus_model.ts";
import { IntentModel } from "./intent_model.ts";

/** The routed intents of every item, each split routed by a model that never saw it. */
export function routeHeldOut(
  items: readonly EvalItem[],
  skills: readonly RoutableSkill[],
): Map<string, string[]> {
  const routed = new Map<string, string[]>();
  for (const split of new Set(items.map((i) => i.split))) {
    const model = IntentModel.train(items.filter((i) => i.split !== split));
    for (const item of items) {
      if (item.split !== split) continue;
      routed.set(item.text, routeOffline(item.text, skills, { model }).tasks.map((t) => t.intent));
    }
  }
  return routed;
}
