/**
 * @module
 * Which router answers: the deterministic patterns, or Claude when they are unsure.
 *
 * - `patterns`: the lexicon router, with the learned model's second opinion where the lexicons
 *   are unsure (offline; see `learned/second_opinion.ts`).
 * - `auto` (default): the model is asked only when one is configured and the patterns matched
 *   nothing or decided a clause by less than the margin threshold.
 * - `model`: the model whenever one is configured.
 *
 * Whatever goes wrong with the model (timeout, error status, a bad answer), the patterns'
 * decision stands; the returned `reason` says what happened, for the trace.
 */
import type { Priority, Usage } from "@shared/schemas/mod.ts";
import type { RoutableSkill } from "./router.ts";
import { corpusModel, routeOffline } from "./learned/corpus_model.ts";
import type { Reconsidered } from "./learned/second_opinion.ts";
import { type ModelRouterOptions, routeWithModel } from "./model_router.ts";

export const ROUTER_MODES = ["patterns", "auto", "model"] as const;
export type RouterMode = typeof ROUTER_MODES[number];

/** A margin below this makes `auto` ask the model. */
export const DEFAULT_MARGIN_THRESHOLD = 1;

export interface Routing extends Reconsidered {
  by: "patterns" | "model";
  /** Why this decision: the patterns were sure, the model decided (and its reason), or failed. */
  reason: string;
  /** The model call's tokens and cost, when one was made and answered. */
  usage?: Usage;
}

export type Route = (text: string, priority: Priority) => Promise<Routing>;

export interface RoutingOptions {
  mode?: RouterMode;
  /** The model; without one every mode is `patterns`. */
  model?: ModelRouterOptions;
  /** @default {@link DEFAULT_MARGIN_THRESHOLD} */
  marginThreshold?: number;
}

/** Builds the route function the HTTP API uses. */
export function createRouting(
  skills: readonly RoutableSkill[],
  options: RoutingOptions = {},
): Route {
  const mode = options.mode ?? "auto";
  const threshold = options.marginThreshold ?? DEFAULT_MARGIN_THRESHOLD;
  // Trained here, once per process, so that no request waits for it.
  corpusModel();
  return async (text, priority) => {
    const patterns = routeOffline(text, skills, { priority });
    const sure = !patterns.unrouted && patterns.margin >= threshold;
    if (!options.model || mode === "patterns") {
      return { ...patterns, by: "patterns", reason: `patterns (${offlineWhy(patterns)})` };
    }
    if (mode === "auto" && sure) {
      return { ...patterns, by: "patterns", reason: `patterns sure (${offlineWhy(patterns)})` };
    }
    const why = mode === "model"
      ? "router mode model"
      : patterns.unrouted
      ? "patterns matched nothing"
      : `patterns unsure (margin ${patterns.margin} < ${threshold})`;
    try {
      const model = await routeWithModel(text, skills, priority, options.model);
      return {
        tasks: model.tasks,
        skipped: [],
        unrouted: model.tasks.length === 0,
        clauses: patterns.clauses,
        margin: patterns.margin,
        by: "model",
        reason: `${why}; model: ${model.reason}`,
        usage: model.usage,
      };
    } catch (err) {
      const detail = err instanceof Error ? err.message : String(err);
      return { ...patterns, by: "patterns", reason: `${why}; model failed (${detail}); patterns` };
    }
  };
}

/** "margin 0.5; learned model: browser (0.93), applied". */
function offlineWhy(r: Reconsidered): string {
  if (!r.learned) return `margin ${r.margin}`;
  const said = r.learned.intents.join("+") || "none";
  const applied = r.learned.applied ? "applied" : "not applied";
  return `margin ${r.margin}; learned model: ${said} (${r.learned.confidence}), ${applied}`;
}
