/**
 * @module
 * The user message of a coding request as content blocks, ordered for prompt caching: the
 * repository map (the same for every job on a workspace), then the files shown, each ending at
 * a `cache_control` breakpoint, and the instruction last. The next request on the same
 * workspace reads the map, and the files when it shows the same ones, from the provider's
 * cache instead of paying for them again. Pure.
 */
import type Anthropic from "@anthropic-ai/sdk";
import type { Context } from "./context.ts";

type TextBlock = Anthropic.Messages.TextBlockParam;

const BREAKPOINT = { type: "ephemeral" } as const;

export function promptBlocks(
  instruction: string,
  context: Pick<Context, "map" | "files">,
): TextBlock[] {
  const blocks: TextBlock[] = [{
    type: "text",
    text: `<repository_map>\n${context.map}\n</repository_map>`,
    cache_control: BREAKPOINT,
  }];
  if (context.files.length > 0) {
    blocks.push({
      type: "text",
      text: context.files.map((f) => `<file path="${f.path}">\n${f.content}\n</file>`).join(
        "\n\n",
      ),
      cache_control: BREAKPOINT,
    });
  }
  blocks.push({ type: "text", text: `<instruction>\n${instruction}\n</instruction>` });
  return blocks;
}
