/**
 * @module
 * Routing by Claude, for utterances the patterns are unsure of: one Messages API call with a
 * single tool whose intent enum is exactly the registered skills, forced with `tool_choice`.
 * The tool input is parsed with zod; any failure (timeout, HTTP error, a malformed or missing
 * tool call) throws a {@link ModelRouteError} so that the caller falls back to the patterns.
 */
import type Anthropic from "@anthropic-ai/sdk";
import { z } from "zod";
import type { Priority, TaskSpec, Usage } from "@shared/schemas/mod.ts";
import { usageWithCost } from "@shared/pricing/pricing.ts";
import type { RoutableSkill } from "./router.ts";

export const ROUTE_TOOL = "route_request";
/** @default model for routing */
export const DEFAULT_ROUTER_MODEL = "claude-haiku-4-5";

export interface ModelRouterOptions {
  client: Anthropic;
  /** @default {@link DEFAULT_ROUTER_MODEL} */
  model?: string;
  /** Gives up after this long. @default 2000 */
  timeoutMs?: number;
}

export interface ModelRoute {
  tasks: TaskSpec[];
  /** The model's own short reason for its decision. */
  reason: string;
  usage: Usage;
}

/** Why the model could not route (the caller falls back to the patterns). */
export class ModelRouteError extends Error {
  override name = "ModelRouteError";
}

/** The tool input as the model must give it; intents limited to `intents`. */
export function routeToolInput(intents: readonly [string, ...string[]]) {
  return z.object({
    tasks: z.array(z.object({
      intent: z.enum(intents),
      instruction: z.string().min(1).max(4000),
      clause: z.string().min(1).max(4000),
    })).max(16),
    reason: z.string().max(1000),
  });
}

/** The tool definition sent to the model: one intent enum entry per registered skill. */
export function routeTool(skills: readonly RoutableSkill[]): Anthropic.Tool {
  return {
    name: ROUTE_TOOL,
    description: "Record which skills should carry out the user's spoken request. One task per " +
      "distinct piece of work; leave out anything the user negated; no tasks when no skill fits.",
    input_schema: {
      type: "object",
      properties: {
        tasks: {
          type: "array",
          items: {
            type: "object",
            properties: {
              intent: { type: "string", enum: skills.map((s) => s.intent) },
              instruction: { type: "string", description: "the task, as an instruction" },
              clause: { type: "string", description: "the words of the request it came from" },
            },
            required: ["intent", "instruction", "clause"],
          },
        },
        reason: { type: "string", description: "one short sentence: why" },
      },
      required: ["tasks", "reason"],
    },
  };
}

function systemPrompt(skills: readonly RoutableSkill[]): string {
  const lines = skills.map((s) => `- ${s.intent}: ${s.ability ?? s.description ?? s.intent}`);
  return `You route a user's spoken request (a speech transcript) to the skills that can do it.
Skills:
${lines.join("\n")}
Call ${ROUTE_TOOL} once. Decide by what is acted on: code (files, functions, components, config,
tests) goes to coding even when it names a web thing; sites, pages, forms, dashboards and URLs
go to browser. Requests no skill does get no tasks.`;
}

/** Asks the model to route `text`; throws {@link ModelRouteError} on any failure. */
export async function routeWithModel(
  text: string,
  skills: readonly RoutableSkill[],
  priority: Priority,
  options: ModelRouterOptions,
): Promise<ModelRoute> {
  const intents = skills.map((s) => s.intent);
  if (intents.length === 0) throw new ModelRouteError("no skills to route to");
  const model = options.model ?? DEFAULT_ROUTER_MODEL;
  const timeout = options.timeoutMs ?? 2000;
  let message: Anthropic.Message;
  try {
    message = await options.client.messages.create({
      model,
      max_tokens: 1024,
      system: systemPrompt(skills),
      tools: [routeTool(skills)],
      tool_choice: { type: "tool", name: ROUTE_TOOL },
      messages: [{ role: "user", content: text }],
    }, { timeout, maxRetries: 0, signal: AbortSignal.timeout(timeout) });
  } catch (err) {
    const name = err instanceof Error ? err.name : "Error";
    const detail = err instanceof Error ? err.message : String(err);
    throw new ModelRouteError(
      /timeout|abort/i.test(`${name} ${detail}`)
        ? `no answer within ${timeout} ms`
        : `${name}: ${detail}`.slice(0, 300),
    );
  }
  const call = message.content.find((b) => b.type === "tool_use" && b.name === ROUTE_TOOL);
  if (!call || call.type !== "tool_use") {
    throw new ModelRouteError(`the answer has no ${ROUTE_TOOL} call`);
  }
  const parsed = routeToolInput(intents as [string, ...string[]]).safeParse(call.input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ModelRouteError(`bad tool input at ${issue.path.join(".")}: ${issue.message}`);
  }
  const counts = {
    provider: "anthropic",
    model,
    input_tokens: message.usage.input_tokens,
    output_tokens: message.usage.output_tokens,
    cache_read_input_tokens: message.usage.cache_read_input_tokens ?? 0,
    cache_creation_input_tokens: message.usage.cache_creation_input_tokens ?? 0,
  };
  // A model without a price row still routes: its cost is null, its tokens counted.
  const usage: Usage = usageWithCost(counts);
  const tasks = parsed.data.tasks.map((t): TaskSpec => {
    const skill = skills.find((s) => s.intent === t.intent)!;
    return {
      intent: t.intent,
      instruction: t.instruction,
      params: skill.paramsFromClause?.(t.clause) ?? {},
      priority,
      clause: t.clause,
    };
  });
  return { tasks, reason: parsed.data.reason, usage };
}
