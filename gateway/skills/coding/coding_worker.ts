/**
 * @module
 * The `coding` worker (sandboxed: reads the workspace, talks to the Anthropic API host, nothing
 * else). Gathers context, streams a Claude answer through `@anthropic-ai/sdk`, reports tokens
 * and cost as they come, and stores the proposal as artifacts. `git apply --check` happens
 * outside the sandbox, in the skill's `finalize`. The request follows the model's generation
 * (`model_rules.ts`) and marks the repository context for prompt caching (`prompt_blocks.ts`);
 * `thinking` and `redacted_thinking` blocks are counted, never kept.
 */
/// <reference lib="deno.worker" />
import Anthropic from "@anthropic-ai/sdk";
import { cacheReadShare, findPrice, usageWithCost } from "@shared/pricing/pricing.ts";
import { type JobContext, serveJobs } from "../../skill_kit/worker_runtime.ts";
import { JobAbortedError, UnrecoverableError, WorkerError } from "../../skill_kit/worker_errors.ts";
import { buildContext, type Context, SYSTEM_PROMPT } from "./context.ts";
import { CodingConfig, emptySdkEnv } from "./coding_config.ts";
import { parseClaudeStream } from "./claude_cli.ts";
import { requestShape } from "./model_rules.ts";
import { outputBudget, OutputBudgetError } from "./output_budget.ts";
import { promptBlocks } from "./prompt_blocks.ts";
import { proposalFrom } from "./proposal.ts";
import { providerError } from "./provider_errors.ts";
import { StreamUsage } from "./stream_usage.ts";

interface Answer {
  text: string;
  stopReason: string | null;
  /** What the backend reports of its own run (Claude Code's turns and duration). */
  run?: { turns: number; duration_ms: number };
  /** Share of the prompt read from the prompt cache, when the backend reports it. */
  cacheReadShare?: number;
  /** Thinking blocks the model streamed (their tokens are in the output count). */
  thinkingBlocks?: number;
}

serveJobs(async (ctx) => {
  const config = CodingConfig.parse(ctx.config);
  const decoder = new TextDecoder();
  const skipped: string[] = [];
  const read = (path: string): string | null => {
    try {
      return decoder.decode(Deno.readFileSync(`${config.workspace}/${path}`));
    } catch (err) {
      // A tracked symlink that leads out of the workspace is refused by the sandbox: skip it.
      if (err instanceof Deno.errors.NotCapable) skipped.push(path);
      return null;
    }
  };
  ctx.progress({ fraction: 0.02, message: `reading ${config.files.length} tracked files` });
  const context = buildContext(ctx.spec.instruction, config.files, read, config.max_context_chars);
  if (skipped.length > 0) {
    ctx.log("warning", `skipped ${skipped.length} files outside the workspace`, { skipped });
  }
  ctx.artifact(
    "prompt_files.json",
    JSON.stringify(
      {
        files: context.files.map((f) => f.path),
        map_files: config.files.length,
        prompt_chars: context.prompt.length,
      },
      null,
      2,
    ),
  );
  const answer = config.backend === "claude-cli"
    ? await runClaudeCli(ctx, config, context.prompt)
    : await streamMessages(ctx, config, context);
  ctx.artifact("response.md", answer.text);
  const proposal = proposalFrom(answer.text, new Set(config.files), answer.stopReason);
  if (proposal.patch !== undefined) ctx.artifact("patch.diff", proposal.patch);
  ctx.progress({ fraction: 0.95, message: "checking the patch" });
  return {
    ...proposal.result,
    backend: config.backend,
    ...(answer.run ? { turns: answer.run.turns, backend_duration_ms: answer.run.duration_ms } : {}),
    ...(answer.cacheReadShare !== undefined ? { cache_read_share: answer.cacheReadShare } : {}),
    ...(answer.thinkingBlocks ? { thinking_blocks: answer.thinkingBlocks } : {}),
    ...(config.base_commit ? { base_commit: config.base_commit } : {}),
  };
});

/** The default backend: the Messages API, streamed, with usage reported as it arrives. */
async function streamMessages(
  ctx: JobContext,
  config: CodingConfig,
  context: Context,
): Promise<Answer> {
  let maxTokens = config.max_tokens;
  const price = findPrice("anthropic", config.model);
  if (config.max_cost_usd !== undefined && !price) {
    // The engine refuses such a job before it starts; this keeps the worker honest on its own.
    throw new UnrecoverableError(
      "unpriced_model",
      `Model '${config.model}' (anthropic) has no price, so the budget set by --max-cost-usd cannot be enforced: add its price to shared/pricing/prices.json or run without --max-cost-usd`,
    );
  }
  if (price) {
    try {
      const budget = outputBudget({
        promptChars: SYSTEM_PROMPT.length + context.prompt.length,
        maxTokens,
        budgetUsd: config.max_cost_usd,
        price,
      });
      if (budget.max_tokens < maxTokens) {
        ctx.log("info", `max_tokens lowered to ${budget.max_tokens} to stay within the budget`, {
          budget_usd: config.max_cost_usd ?? null,
          input_tokens_estimate: budget.input_tokens_estimate,
        });
      }
      maxTokens = budget.max_tokens;
    } catch (err) {
      if (err instanceof OutputBudgetError) {
        throw new UnrecoverableError("budget_exceeded", err.message, { cause: err });
      }
      throw err;
    }
  }
  emptySdkEnv();
  const client = new Anthropic({
    apiKey: config.api_key,
    authToken: null,
    webhookKey: null,
    baseURL: config.base_url,
    // The engine's retry policy is the only one (with `retry-after`); see provider_errors.ts.
    maxRetries: 0,
    logLevel: "warn",
    // Tracing off: no OpenTelemetry probing, and no reads of its environment switches.
    openTelemetry: false,
  });
  let text = "";
  let thinkingBlocks = 0;
  const usage = new StreamUsage();
  try {
    const stream = client.messages.stream({
      model: config.model,
      max_tokens: maxTokens,
      system: SYSTEM_PROMPT,
      messages: [{ role: "user", content: promptBlocks(ctx.spec.instruction, context) }],
      ...requestShape(config.model),
    }, { signal: ctx.signal });
    ctx.progress({ fraction: 0.1, message: `asking ${config.model}` });
    for await (const event of stream) {
      if (usage.apply(event)) {
        // Cumulative with cost, so the engine's budget guard can stop the job mid-stream.
        ctx.usage(usageWithCost(usage.counts("anthropic", config.model)));
      } else if (event.type === "content_block_delta" && event.delta.type === "text_delta") {
        text += event.delta.text;
        ctx.progress({
          fraction: Math.min(0.9, 0.1 + (0.8 * text.length) / (maxTokens * 4)),
          message: `streaming (${text.length} chars)`,
        });
      } else if (
        event.type === "content_block_start" &&
        (event.content_block.type === "thinking" ||
          event.content_block.type === "redacted_thinking")
      ) {
        // Thinking is the model's scratch work: counted (its tokens are output tokens), shown
        // nowhere, so it cannot leak into the answer, the patch or an artifact.
        thinkingBlocks++;
        ctx.progress({ fraction: 0.1, message: `${config.model} is thinking` });
      }
    }
  } catch (err) {
    throw providerError(err);
  }
  // The SDK's stream ends quietly when its signal aborts: the job must not look finished.
  if (ctx.signal.aborted) throw new JobAbortedError("aborted while streaming");
  const share = cacheReadShare(usage.counts("anthropic", config.model));
  return {
    text,
    stopReason: usage.stopReason,
    thinkingBlocks,
    ...(share !== undefined ? { cacheReadShare: share } : {}),
  };
}

/** Tools the CLI may not use: the workspace is read, never changed, and nothing is run. */
const CLI_DISALLOWED = "Bash,Edit,MultiEdit,Write,NotebookEdit,WebFetch,WebSearch";

/** The optional backend: Claude Code's CLI, its stream-json result mapped to the same shape. */
async function runClaudeCli(
  ctx: JobContext,
  config: CodingConfig,
  prompt: string,
): Promise<Answer> {
  ctx.progress({ fraction: 0.1, message: "running claude -p" });
  const child = new Deno.Command("claude", {
    args: [
      "-p",
      "--output-format",
      "stream-json",
      "--verbose",
      "--model",
      config.model,
      "--append-system-prompt",
      SYSTEM_PROMPT,
      "--allowedTools",
      "Read,Grep,Glob",
      "--disallowedTools",
      CLI_DISALLOWED,
    ],
    cwd: config.workspace,
    // Only what the CLI needs: not the gateway's environment.
    clearEnv: true,
    env: {
      ...config.cli_env,
      ANTHROPIC_API_KEY: config.api_key,
      ANTHROPIC_BASE_URL: config.base_url,
    },
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const onAbort = () => child.kill("SIGTERM");
  ctx.signal.addEventListener("abort", onAbort, { once: true });
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(prompt));
  await writer.close();
  const out = await child.output();
  ctx.signal.removeEventListener("abort", onAbort);
  if (ctx.signal.aborted) throw new JobAbortedError("aborted");
  const outcome = parseClaudeStream(new TextDecoder().decode(out.stdout), config.model);
  // The CLI's own total: it may have used more than one model and several turns.
  ctx.usage({
    provider: "anthropic",
    model: outcome.model,
    ...outcome.usage,
    cost_usd: outcome.cost_usd,
  });
  ctx.log("info", `claude -p: ${outcome.turns} turns in ${outcome.duration_ms} ms`, {
    turns: outcome.turns,
    duration_ms: outcome.duration_ms,
  });
  if (outcome.error) throw new WorkerError("claude_cli_failed", outcome.error);
  return {
    text: outcome.text,
    stopReason: null,
    run: { turns: outcome.turns, duration_ms: outcome.duration_ms },
  };
}
