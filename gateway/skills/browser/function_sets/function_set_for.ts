/**
 * @module
 * The function set a model speaks: {@link LEGACY_SET} for the models in `LEGACY_MODELS`,
 * {@link CURRENT_SET} for every other model.
 */
import { type FunctionSet, functionSetNameFor } from "./function_set.ts";
import { LEGACY_SET } from "./legacy.ts";
import { CURRENT_SET } from "./current.ts";

export function functionSetFor(model: string): FunctionSet {
  return functionSetNameFor(model) === "legacy" ? LEGACY_SET : CURRENT_SET;
}
