/**
 * @module
 * The `coding` worker (sandboxed: reads the workspace, talks to the Anthropic API host, nothing
 * else). Gathers context, streams a Claude answer through `@anthropic-ai/sdk`, reports tokens
 * and cost as they come, and stores the proposal as artifacts. `git apply --check` happens
 * outside the sandbox, in the skill's `finalize`.
 */
/// <reference lib="deno.worker" />
import Anthropic from "@anthropic-ai/sdk";
import { usageWithCost } from "@shared/pricing/pricing.ts";
import { serveJobs } from "../../engine/worker_runtime.ts";
import { JobAbortedError, UnrecoverableError, WorkerError } from "../../engine/worker_errors.ts";
import { buildContext, SYSTEM_PROMPT } from "./context.ts";
import { extractDiff, InvalidDiffError, validateDiff } from "./diff.ts";
import { CodingConfig, emptySdkEnv } from "./coding_config.ts";
import { parseClaudeStream } from "./claude_cli.ts";

function retryAfterMs(headers: Headers | undefined): number | undefined {
  const value = headers?.get("retry-after");
  if (!value) return undefined;
  const seconds = Number(value);
  return Number.isFinite(seconds) ? seconds * 1000 : undefined;
}

/** Maps a provider error to how the engine should treat it. */
function providerError(err: unknown): Error {
  if (err instanceof Anthropic.APIUserAbortError) {
    return new JobAbortedError("aborted while streaming");
  }
  if (err instanceof Anthropic.APIConnectionError) {
    return new WorkerError(
      "provider_unreachable",
      `Cannot reach the Anthropic API: ${err.message}`,
    );
  }
  if (err instanceof Anthropic.APIError) {
    const status = err.status ?? 0;
    const message = `Anthropic API answered ${status}: ${err.message}`;
    if (status === 429 || status === 529 || status >= 500) {
      const after = retryAfterMs(err.headers as Headers | undefined);
      return new WorkerError(
        status === 429 ? "rate_limited" : "provider_overloaded",
        message,
        after === undefined ? {} : { retryAfterMs: after },
      );
    }
    if (status === 401 || status === 403) {
      return new UnrecoverableError("provider_auth", `${message}. Check ANTHROPIC_API_KEY.`);
    }
    return new UnrecoverableError("provider_rejected", message);
  }
  return err instanceof Error ? err : new Error(String(err));
}

serveJobs(async (ctx) => {
  const config = CodingConfig.parse(ctx.config);
  const decoder = new TextDecoder();
  const read = (path: string): string | null => {
    try {
      return decoder.decode(Deno.readFileSync(`${config.workspace}/${path}`));
    } catch (err) {
      if (err instanceof Deno.errors.NotCapable) throw err;
      return null;
    }
  };
  ctx.progress({ fraction: 0.02, message: `reading ${config.files.length} tracked files` });
  const context = buildContext(ctx.spec.instruction, config.files, read, config.max_context_chars);
  ctx.artifact(
    "prompt_files.json",
    JSON.stringify(
      { files: context.files.map((f) => f.path), map_files: config.files.length },
      null,
      2,
    ),
  );
  let text = "";
  if (config.backend === "claude-cli") {
    text = await runClaudeCli(ctx, config, context.prompt);
  } else {
    text = await streamMessages(ctx, config, context.prompt);
  }
  ctx.artifact("response.md", text);
  const rationale = /Rationale:\s*(.+)/.exec(text)?.[1]?.trim() ?? "";
  const raw = extractDiff(text);
  if (!raw) {
    return {
      summary: "The model proposed no patch",
      rationale,
      applies: false,
      apply_error: "the answer contained no unified diff",
      files_changed: [],
    };
  }
  try {
    const diff = validateDiff(raw, new Set(config.files));
    ctx.artifact("patch.diff", diff.patch);
    ctx.progress({ fraction: 0.95, message: "checking the patch" });
    return {
      summary: `Patch proposal for ${diff.files.join(", ")}`,
      rationale,
      files_changed: diff.files,
      patch_valid: true,
    };
  } catch (err) {
    if (!(err instanceof InvalidDiffError)) throw err;
    ctx.artifact("patch.diff", raw);
    return {
      summary: "The model's patch is malformed",
      rationale,
      applies: false,
      apply_error: `malformed diff: ${err.message}`,
      files_changed: [],
    };
  }
});

/** The default backend: the Messages API, streamed, with usage reported as it arrives. */
async function streamMessages(
  ctx: Parameters<Parameters<typeof serveJobs>[0]>[0],
  config: CodingConfig,
  prompt: string,
): Promise<string> {
  emptySdkEnv();
  const client = new Anthropic({
    apiKey: config.api_key,
    authToken: null,
    webhookKey: null,
    baseURL: config.base_url,
    maxRetries: 0,
    logLevel: "warn",
    // Tracing off: no OpenTelemetry probing, and no reads of its environment switches.
    openTelemetry: false,
  });
  let text = "";
  let input = { input_tokens: 0, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 };
  let outputTokens = 0;
  const report = () =>
    ctx.usage(usageWithCost({
      provider: "anthropic",
      model: config.model,
      input_tokens: input.input_tokens,
      output_tokens: outputTokens,
      cache_read_input_tokens: input.cache_read_input_tokens,
      cache_creation_input_tokens: input.cache_creation_input_tokens,
    }));
  try {
    const stream = client.messages.stream({
      model: config.model,
      max_tokens: config.max_tokens,
      system: SYSTEM_PROMPT,
      messages: [{ role: "user", content: prompt }],
    }, { signal: ctx.signal });
    ctx.progress({ fraction: 0.1, message: `asking ${config.model}` });
    for await (const event of stream) {
      if (event.type === "message_start") {
        const u = event.message.usage;
        input = {
          input_tokens: u.input_tokens,
          cache_read_input_tokens: u.cache_read_input_tokens ?? 0,
          cache_creation_input_tokens: u.cache_creation_input_tokens ?? 0,
        };
        outputTokens = u.output_tokens;
        report();
      } else if (event.type === "content_block_delta" && event.delta.type === "text_delta") {
        text += event.delta.text;
        ctx.progress({
          fraction: Math.min(0.9, 0.1 + (0.8 * text.length) / (config.max_tokens * 4)),
          message: `streaming (${text.length} chars)`,
        });
      } else if (event.type === "message_delta") {
        // Cumulative; the input side is repeated when known (e.g. after server tools ran).
        const u = event.usage;
        outputTokens = u.output_tokens;
        input = {
          input_tokens: u.input_tokens ?? input.input_tokens,
          cache_read_input_tokens: u.cache_read_input_tokens ?? input.cache_read_input_tokens,
          cache_creation_input_tokens: u.cache_creation_input_tokens ??
            input.cache_creation_input_tokens,
        };
        report();
      }
    }
  } catch (err) {
    throw providerError(err);
  }
  return text;
}

/** The optional backend: Claude Code's CLI, its stream-json result mapped to the same shape. */
async function runClaudeCli(
  ctx: Parameters<Parameters<typeof serveJobs>[0]>[0],
  config: CodingConfig,
  prompt: string,
): Promise<string> {
  ctx.progress({ fraction: 0.1, message: "running claude -p" });
  const child = new Deno.Command("claude", {
    args: [
      "-p",
      "--output-format",
      "stream-json",
      "--verbose",
      "--model",
      config.model,
      `${SYSTEM_PROMPT}\n\n${prompt}`,
    ],
    cwd: config.workspace,
    env: { ANTHROPIC_API_KEY: config.api_key, ANTHROPIC_BASE_URL: config.base_url },
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
  }).spawn();
  const onAbort = () => child.kill("SIGTERM");
  ctx.signal.addEventListener("abort", onAbort, { once: true });
  const out = await child.output();
  ctx.signal.removeEventListener("abort", onAbort);
  if (ctx.signal.aborted) throw new JobAbortedError("aborted");
  const outcome = parseClaudeStream(new TextDecoder().decode(out.stdout), config.model);
  ctx.usage({
    provider: "anthropic",
    model: outcome.model,
    ...outcome.usage,
    cost_usd: outcome.cost_usd,
  });
  ctx.log("info", `claude -p: ${outcome.turns} turns in ${outcome.duration_ms} ms`, {
    turns: outcome.turns,
  });
  if (outcome.error) throw new WorkerError("claude_cli_failed", outcome.error);
  return outcome.text;
}
