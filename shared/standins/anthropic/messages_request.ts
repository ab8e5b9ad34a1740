/**
 * @module
 * The body of `POST /v1/messages` as the stand-in reads it: parsed with zod (unknown fields
 * pass, as the API ignores what it does not use here), turned into an ordered list of prompt
 * segments for token counting and prompt caching, and its last user text for the script.
 */
import { z } from "zod";

const CacheControl = z.looseObject({
  type: z.literal("ephemeral"),
  ttl: z.enum(["5m", "1h"]).optional(),
});

const Block = z.looseObject({
  type: z.string(),
  text: z.string().optional(),
  cache_control: CacheControl.nullish(),
});

const Content = z.union([z.string(), z.array(Block).min(1)]);

export const MessagesRequest = z.looseObject({
  model: z.string().min(1),
  max_tokens: z.number().int().min(1),
  messages: z.array(z.looseObject({ role: z.enum(["user", "assistant"]), content: Content }))
    .min(1),
  system: Content.optional(),
  stream: z.boolean().optional(),
});
export type MessagesRequest = z.infer<typeof MessagesRequest>;

/** The API's wording for a body that does not validate: `field.path: what is wrong`. */
export function requestErrorMessage(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return "Invalid request";
  const path = issue.path.join(".") || "body";
  const missing = issue.code === "invalid_type" && /received undefined/.test(issue.message);
  return `${path}: ${missing ? "Field required" : issue.message}`;
}

/** One piece of the prompt, in the order the API reads it. */
export interface PromptSegment {
  text: string;
  /** A cache breakpoint ends at this segment. */
  cache: boolean;
}

function blockText(block: z.infer<typeof Block>): string {
  if (block.type === "text" && block.text !== undefined) return block.text;
  const { cache_control: _c, ...rest } = block;
  return JSON.stringify(rest);
}

function contentSegments(content: z.infer<typeof Content>): PromptSegment[] {
  if (typeof content === "string") return [{ text: content, cache: false }];
  return content.map((b) => ({ text: blockText(b), cache: b.cache_control != null }));
}

/** System first, then every message's blocks (the API's cache prefix order). */
export function promptSegments(request: MessagesRequest): PromptSegment[] {
  return [
    ...(request.system === undefined ? [] : contentSegments(request.system)),
    ...request.messages.flatMap((m) => contentSegments(m.content)),
  ];
}

/** The stand-in's token estimate: about four characters a token, at least one. */
export function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

/** Text of the last user message (all its text blocks). */
export function lastUserText(request: MessagesRequest): string {
  const last = request.messages.findLast((m) => m.role === "user");
  if (!last) return "";
  return contentSegments(last.content).map((s) => s.text).join("\n");
}
