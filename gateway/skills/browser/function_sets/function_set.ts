/**
 * @module
 * What a Computer Use function set is, which set a model speaks, and the argument parsing both
 * sets share. Gemini's browser models come in two generations with different predefined
 * functions (`click_at` … for the legacy models, `click` … for the current ones); the tool
 * declared in the request is the same, so the model's name alone decides which names it sends.
 */
import { z } from "zod";
import type { ActionPlan, ActionTarget } from "../browser_actions.ts";

/** The models that speak the legacy function set; every other model speaks the current one. */
export const LEGACY_MODELS = [
  "gemini-2.5-computer-use-preview-10-2025",
  "gemini-3-flash-preview",
  "gemini-3.1-pro-preview",
] as const;

export type FunctionSetName = "legacy" | "current";

/** One predefined function: its arguments' schema and what parsed arguments become. */
export interface FunctionSpec<S extends z.ZodType = z.ZodType> {
  args: S;
  plan(args: z.infer<S>, target: ActionTarget): ActionPlan;
}

/** Declares a function with its argument types checked against its plan. */
export function fn<S extends z.ZodType>(
  args: S,
  plan: (args: z.infer<S>, target: ActionTarget) => ActionPlan,
): FunctionSpec {
  return { args, plan } as FunctionSpec;
}

/** A generation's functions by name. */
export interface FunctionSet {
  name: FunctionSetName;
  functions: Readonly<Record<string, FunctionSpec>>;
}

/** `gemini-3-flash-preview` → legacy, anything else → current. */
export function functionSetNameFor(model: string): FunctionSetName {
  // A models/ prefix (as the REST paths spell it) names the same model.
  const bare = model.trim().replace(/^models\//, "");
  return (LEGACY_MODELS as readonly string[]).includes(bare) ? "legacy" : "current";
}

/** A coordinate on the model's 0–999 grid. */
export const Coordinate = z.number({ error: "must be a number on the 0-999 grid" })
  .min(0, { error: "must be on the 0-999 grid (0 or more)" })
  .max(999, { error: "must be on the 0-999 grid (999 or less)" });

export const Point = { x: Coordinate, y: Coordinate };

export const Direction = z.enum(["up", "down", "left", "right"], {
  error: "must be one of up, down, left, right",
});

/** A URL the model asks for: checked for a scheme the browser may open when planned. */
export const UrlArg = z.string({ error: "must be a string" }).trim().min(1, {
  error: "must not be empty",
});

/** `args.safety_decision`, which either set may carry on any call. */
export const SafetyDecision = z.object({
  decision: z.string(),
  explanation: z.string().optional(),
});
export type SafetyDecision = z.infer<typeof SafetyDecision>;

/**
 * Whether a call must wait for a person, the same in both sets: yes for
 * `decision: "require_confirmation"`, and for a `safety_decision` the loop cannot read (failing
 * safe rather than running what the safety service may have flagged); no without one or for any
 * other decision. `explanation` is the model's reason, when it gave one.
 */
export function confirmationNeeded(
  args: Record<string, unknown>,
): { explanation?: string } | null {
  if (args.safety_decision === undefined) return null;
  const parsed = SafetyDecision.safeParse(args.safety_decision);
  if (!parsed.success) return {};
  if (parsed.data.decision !== "require_confirmation") return null;
  return parsed.data.explanation ? { explanation: parsed.data.explanation } : {};
}

/**
 * The plan for one function call: an error plan (answered to the model, never executed) for a
 * name the set does not have or arguments its schema refuses. `safety_decision` is not an
 * argument of the function: the loop handles it before planning.
 */
export function planCall(
  set: FunctionSet,
  name: string,
  args: Record<string, unknown>,
  target: ActionTarget,
): ActionPlan {
  const spec = Object.hasOwn(set.functions, name) ? set.functions[name] : undefined;
  if (!spec) {
    return {
      kind: "error",
      refused: "unknown_function",
      error: `Unknown function '${name}': this browser offers ${
        Object.keys(set.functions).join(", ")
      }`,
    };
  }
  const { safety_decision: _, ...rest } = args;
  const parsed = spec.args.safeParse(rest);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) =>
      i.path.length ? `'${i.path.join(".")}' ${i.message}` : i.message
    );
    return {
      kind: "error",
      refused: "bad_arguments",
      error: `Cannot run '${name}': ${problems.join("; ")}`,
    };
  }
  return spec.plan(parsed.data, target);
}
