/**
 * @module
 * Request rules of Claude model generations, by model id. The 5.x family (`claude-sonnet-5`,
 * `claude-sonnet-5-5`, `claude-opus-5`, `claude-opus-5-5`, and their dated ids) answers 400 to
 * non-default sampling parameters (`temperature`, `top_p`, `top_k`) and to manual extended
 * thinking (`thinking: {type: "enabled"}`); its thinking is adaptive (`{type: "adaptive"}`) and
 * on by default, and it may stream `thinking` blocks before the text. Older models keep the
 * request shape they always had: no thinking parameter, sampling as asked. Pure.
 */

export type ClaudeGeneration = "claude-5" | "legacy";

export interface ModelRules {
  generation: ClaudeGeneration;
  /** Non-default `temperature`, `top_p`, `top_k` may be sent. */
  sampling: boolean;
  /** `thinking: {type: "enabled", budget_tokens}` may be sent. */
  manualThinking: boolean;
  /** The `thinking` parameter the request carries, if any. */
  thinking: { type: "adaptive" } | undefined;
}

/** Claude model ids of major version 5 or later, e.g. `claude-sonnet-5-5-20261001`. */
const FIVE_OR_LATER = /^claude-[a-z]+-(\d+)(?:-|$)/;

export function modelRules(model: string): ModelRules {
  const major = Number(FIVE_OR_LATER.exec(model)?.[1] ?? 0);
  // "claude-3-5-haiku" style ids put the version first: they are legacy.
  if (major >= 5 && major < 100) {
    return {
      generation: "claude-5",
      sampling: false,
      manualThinking: false,
      thinking: { type: "adaptive" },
    };
  }
  return { generation: "legacy", sampling: true, manualThinking: true, thinking: undefined };
}

export interface Sampling {
  temperature?: number | undefined;
  top_p?: number | undefined;
  top_k?: number | undefined;
}

/**
 * The model-dependent part of a Messages request: for 5.x the adaptive thinking switch and no
 * sampling parameters; for older models the sampling parameters asked for, unchanged.
 */
export function requestShape(
  model: string,
  sampling: Sampling = {},
): Sampling & { thinking?: { type: "adaptive" } } {
  const rules = modelRules(model);
  if (!rules.sampling) return rules.thinking ? { thinking: rules.thinking } : {};
  const shape: Sampling = {};
  if (sampling.temperature !== undefined) shape.temperature = sampling.temperature;
  if (sampling.top_p !== undefined) shape.top_p = sampling.top_p;
  if (sampling.top_k !== undefined) shape.top_k = sampling.top_k;
  return shape;
}
