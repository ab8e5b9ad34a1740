/**
 * @module
 * The stand-in's model-generation rules, as the Messages API applies them. The Claude 5.x
 * family answers `400 invalid_request_error` to a non-default `temperature` or `top_p`, to any
 * `top_k` and to manual extended thinking (`thinking: {type: "enabled"}`); its thinking is
 * adaptive and on unless asked otherwise. Older models accept sampling parameters and manual
 * thinking, and adaptive thinking only from the 4.6 models on. Independent of the client's own
 * rules on purpose: the stand-in is what checks them.
 */
import type { MessagesRequest } from "./messages_request.ts";

/** A Claude model id of major version 5 or later (`claude-sonnet-5-5`, `claude-opus-5-…`). */
export function isClaude5(model: string): boolean {
  const major = Number(/^claude-[a-z]+-(\d+)(?:-|$)/.exec(model)?.[1] ?? 0);
  return major >= 5 && major < 100;
}

/** Older models that already take `thinking: {type: "adaptive"}`. */
const ADAPTIVE_LEGACY = /^claude-(opus|sonnet)-4-[6-9]/;

/** The thinking switch of a request, if it carries one. */
export function thinkingType(body: MessagesRequest): string | undefined {
  const thinking = (body as { thinking?: unknown }).thinking;
  if (typeof thinking !== "object" || thinking === null) return undefined;
  const type = (thinking as { type?: unknown }).type;
  return typeof type === "string" ? type : undefined;
}

/** Whether the answer starts with a thinking block. */
export function thinks(body: MessagesRequest): boolean {
  const type = thinkingType(body);
  if (isClaude5(body.model)) return type !== "disabled";
  return type === "enabled" || type === "adaptive";
}

/** The 400 message the API gives this request for its model, or undefined when accepted. */
export function generationRefusal(body: MessagesRequest): string | undefined {
  const sampling = body as { temperature?: unknown; top_p?: unknown; top_k?: unknown };
  const type = thinkingType(body);
  if (isClaude5(body.model)) {
    // The defaults (temperature 1, top_p 1, no top_k) are accepted; anything else is not.
    if (sampling.temperature !== undefined && sampling.temperature !== 1) {
      return "`temperature` is deprecated for this model.";
    }
    if (sampling.top_p !== undefined && sampling.top_p !== 1) {
      return "`top_p` is deprecated for this model.";
    }
    if (sampling.top_k !== undefined) return "`top_k` is deprecated for this model.";
    if (type === "enabled") {
      return '`thinking.type: "enabled"` is not supported for this model. Use `thinking.type: "adaptive"` and `output_config.effort` to control thinking.';
    }
    return undefined;
  }
  if (type === "adaptive" && !ADAPTIVE_LEGACY.test(body.model)) {
    return '`thinking.type: "adaptive"` is not supported for this model. Use `thinking.type: "enabled"` with `budget_tokens`.';
  }
  return undefined;
}
