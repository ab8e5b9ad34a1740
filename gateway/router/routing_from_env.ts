/**
 * @module
 * The gateway's route function from its settings: `--router` and, for the model fallback,
 * `ANTHROPIC_API_KEY`, `ANTHROPIC_BASE_URL` and `ROUTER_MODEL`. Without a key no model is
 * configured and every mode routes by the patterns alone.
 */
import Anthropic from "@anthropic-ai/sdk";
import type { RoutableSkill } from "./router.ts";
import { DEFAULT_ROUTER_MODEL } from "./model_router.ts";
import { createRouting, type Route, type RouterMode } from "./routing.ts";

export function routingFromEnv(
  skills: readonly RoutableSkill[],
  mode: RouterMode,
  env: (name: string) => string | undefined,
): Route {
  const apiKey = env("ANTHROPIC_API_KEY");
  if (!apiKey || mode === "patterns") return createRouting(skills, { mode: "patterns" });
  const client = new Anthropic({
    apiKey,
    authToken: null,
    baseURL: env("ANTHROPIC_BASE_URL") || null,
    // One try within the 2 s budget: a slow or failing model means the patterns answer.
    maxRetries: 0,
  });
  return createRouting(skills, {
    mode,
    model: { client, model: env("ROUTER_MODEL") || DEFAULT_ROUTER_MODEL },
  });
}
