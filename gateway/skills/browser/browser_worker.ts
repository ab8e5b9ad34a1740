/**
 * @module
 * The `browser` worker (sandboxed: it may reach only the Gemini host and the driver's port).
 * Runs the Computer Use loop: screenshot → Gemini → function calls (parsed by the model's
 * function set, `function_sets/`) executed through the driver → function responses with the
 * URL and a new screenshot, until a final answer or a guard rail (`turn_guard.ts`) or the time
 * limit ends it. Also runs the model-free check mode. Every screenshot and the action log
 * (`actions.json`) are stored as artifacts, whatever the outcome.
 *
 * It imports `@google/genai/web`: the package's Node entry reads `GOOGLE_SDK_NODE_LOGGING`
 * from the environment when loaded, which this worker may not do; the web entry needs only
 * `fetch` to the API host.
 */
/// <reference lib="deno.worker" />
import { type Content, Environment, GoogleGenAI, type Part } from "@google/genai/web";
import { usageWithCost } from "@shared/pricing/pricing.ts";
import { type JobContext, serveJobs } from "../../skill_kit/worker_runtime.ts";
import { UnrecoverableError, WorkerError } from "../../skill_kit/worker_errors.ts";
import { type BrowserConfig, BrowserConfig as Schema } from "./browser_config.ts";
import { navigatePlan, pruneScreenshots } from "./browser_actions.ts";
import { confirmationNeeded, planCall } from "./function_sets/function_set.ts";
import { functionSetFor } from "./function_sets/function_set_for.ts";
import { type CallOutcome, TurnGuard } from "./turn_guard.ts";
import { DriverClient, DriverError } from "./driver_client.ts";
import { classifyProviderError } from "./provider_errors.ts";

function base64ToBytes(b64: string): Uint8Array {
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
}

/** Driver failures that end the attempt (the rest are reported to the model). */
function driverFailure(err: DriverError): WorkerError {
  switch (err.code) {
    case "page_crashed":
      // A fresh attempt gets a fresh context (and page); a page that always crashes runs out
      // of attempts.
      return new WorkerError("page_crashed", err.message, { cause: err });
    case "unreachable":
    case "unknown_context": // the driver was restarted under this job
      return new WorkerError("driver_unavailable", err.message, { cause: err });
    default:
      return new WorkerError("browser_error", err.message, { cause: err });
  }
}

interface Shot {
  png: string;
  url: string;
  name: string;
}

/**
 * Screenshots, the action log and the step counter of one attempt. A retry's files are named
 * `attempt<N>-...` so that they do not overwrite what the failed attempt showed.
 */
class Recorder {
  readonly actions: Record<string, unknown>[] = [];
  readonly prefix: string;
  step = 0;
  last: Shot | undefined;
  constructor(
    readonly ctx: JobContext,
    readonly driver: DriverClient,
    readonly cfg: BrowserConfig,
  ) {
    this.prefix = ctx.attempt > 1 ? `attempt${ctx.attempt}-` : "";
  }

  async shoot(): Promise<Shot> {
    let reply;
    try {
      reply = await this.driver.call(
        {
          op: "screenshot",
          context: this.cfg.context_id,
          timeout_ms: Math.min(10_000, this.cfg.page_timeout_ms),
        },
        this.ctx.signal,
      );
    } catch (err) {
      if (!(err instanceof DriverError)) throw err;
      if (err.code === "failed") {
        // Without a screenshot the model cannot be answered: the page is stuck.
        throw new UnrecoverableError(
          "page_unresponsive",
          `Cannot take a screenshot of ${this.last?.url ?? "the page"}: ${err.message}`,
          { cause: err },
        );
      }
      throw driverFailure(err);
    }
    this.step++;
    const name = `${this.prefix}step-${String(this.step).padStart(2, "0")}.png`;
    this.ctx.artifact(name, base64ToBytes(reply.png_base64 ?? ""));
    this.last = { png: reply.png_base64 ?? "", url: reply.url ?? "", name };
    return this.last;
  }

  save(): void {
    this.ctx.artifact(`${this.prefix}actions.json`, JSON.stringify(this.actions, null, 2));
  }
}

async function runCheck(ctx: JobContext, cfg: BrowserConfig, rec: Recorder) {
  const url = cfg.url!;
  let opened;
  try {
    opened = await rec.driver.call(
      { op: "navigate", context: cfg.context_id, url, timeout_ms: cfg.page_timeout_ms },
      ctx.signal,
    );
  } catch (err) {
    if (err instanceof DriverError && err.code === "failed") {
      rec.actions.push({ action: "navigate", url, error: err.message });
      throw new UnrecoverableError("page_unreachable", `Cannot open ${url}: ${err.message}`, {
        cause: err,
      });
    }
    if (err instanceof DriverError && err.code === "bad_call") {
      throw new UnrecoverableError("bad_url", `Cannot open '${url}': ${err.message}`);
    }
    throw err instanceof DriverError ? driverFailure(err) : err;
  }
  rec.actions.push({
    action: "navigate",
    url,
    ...(opened.status ? { status: opened.status } : {}),
  });
  if (opened.status !== undefined && opened.status >= 400) {
    // An error page is not the page asked for, whatever words it happens to show.
    const shot = await rec.shoot();
    throw new UnrecoverableError(
      "page_error",
      `${url} answered HTTP ${opened.status} (see ${shot.name})`,
    );
  }
  const check = await rec.driver.call(
    { op: "check", context: cfg.context_id, expect: cfg.expect ?? "body" },
    ctx.signal,
  ).catch((err) => {
    throw err instanceof DriverError ? driverFailure(err) : err;
  });
  const found = check.found === true;
  const shot = await rec.shoot();
  rec.actions.push({
    action: "check",
    ...(cfg.expect ? { expect: cfg.expect } : {}),
    found,
    url: shot.url,
    screenshot: shot.name,
  });
  if (cfg.expect && !found) {
    throw new UnrecoverableError(
      "check_failed",
      `Expected '${cfg.expect}' on ${shot.url}, but the page does not show it (see ${shot.name})`,
    );
  }
  const title = check.title ? ` ("${check.title}")` : "";
  // Without an expectation the page's own words are the answer (no model reads it here).
  const answer = cfg.expect
    ? `Found '${cfg.expect}' on ${shot.url}${title}`
    : `Loaded ${shot.url}${title}: ${(check.text ?? "").slice(0, 200)}`;
  return {
    summary: answer,
    answer,
    ok: true,
    mode: "check",
    final_url: shot.url,
    screenshot: shot.name,
    page_text: check.text ?? "",
    steps: rec.step,
  };
}

/** Token counts with their cost (null for a model the price table lacks: the engine traces it). */
function reportUsage(
  ctx: JobContext,
  tokens: { model: string; input: number; output: number; cached: number },
): void {
  ctx.usage(usageWithCost({
    provider: "google",
    model: tokens.model,
    // Cached prompt tokens are billed at the cache rate, not the input rate.
    input_tokens: tokens.input - tokens.cached,
    output_tokens: tokens.output,
    ...(tokens.cached > 0 ? { cache_read_input_tokens: tokens.cached } : {}),
  }));
}

async function runModel(ctx: JobContext, cfg: BrowserConfig, rec: Recorder) {
  const set = functionSetFor(cfg.model);
  const guard = new TurnGuard(cfg.max_turns);
  const ai = new GoogleGenAI({
    apiKey: cfg.api_key ?? "",
    vertexai: false,
    ...(cfg.base_url ? { httpOptions: { baseUrl: cfg.base_url } } : {}),
  });
  let deadline = Date.now() + cfg.max_duration_ms;
  const checkTime = () => {
    if (Date.now() >= deadline) {
      throw new WorkerError(
        "time_limit",
        `No final answer within ${cfg.max_duration_ms} ms (after ${rec.step} screenshots)`,
        { retryable: false },
      );
    }
  };
  let intro = ctx.spec.instruction;
  if (cfg.url) {
    // Start where the request points, as a person would type the address first.
    const plan = navigatePlan(cfg.url, cfg);
    if (plan.kind === "call") {
      await rec.driver.call(plan.call, ctx.signal).then(
        () => rec.actions.push({ action: "start", url: cfg.url }),
        (err) => {
          if (err instanceof DriverError && err.code === "failed") {
            rec.actions.push({ action: "start", url: cfg.url, error: err.message });
          } else throw err instanceof DriverError ? driverFailure(err) : err;
        },
      );
      if (!ctx.spec.instruction.includes(cfg.url)) intro += `\n\nStart page: ${cfg.url}`;
    }
  }
  const first = await rec.shoot();
  const contents: Content[] = [{
    role: "user",
    parts: [{ text: intro }, { inlineData: { mimeType: "image/png", data: first.png } }],
  }];
  let inputTokens = 0;
  let outputTokens = 0;
  let cachedTokens = 0;
  for (;;) {
    checkTime();
    const limit = guard.beforeTurn();
    if (limit) throw limit;
    const turn = guard.turns - 1;
    ctx.progress({
      fraction: Math.min(0.95, turn / cfg.max_turns),
      message: `turn ${turn + 1}: asking ${cfg.model}`,
    });
    let response;
    // A model turn that outlasts the loop's time is cut off, not waited for.
    const outOfTime = AbortSignal.timeout(Math.max(1, deadline - Date.now()));
    try {
      response = await ai.models.generateContent({
        model: cfg.model,
        contents,
        config: {
          tools: [{ computerUse: { environment: Environment.ENVIRONMENT_BROWSER } }],
          abortSignal: AbortSignal.any([ctx.signal, outOfTime]),
        },
      });
    } catch (err) {
      if (ctx.signal.aborted) throw ctx.signal.reason;
      if (outOfTime.aborted) checkTime();
      throw classifyProviderError(err);
    }
    const meta = response.usageMetadata;
    inputTokens += meta?.promptTokenCount ?? 0;
    outputTokens += (meta?.candidatesTokenCount ?? 0) + (meta?.thoughtsTokenCount ?? 0);
    cachedTokens += meta?.cachedContentTokenCount ?? 0;
    reportUsage(ctx, {
      model: cfg.model,
      input: inputTokens,
      output: outputTokens,
      cached: cachedTokens,
    });
    const candidate = response.candidates?.[0];
    const content = candidate?.content;
    if (!content?.parts?.length) {
      throw new WorkerError(
        "empty_response",
        `Gemini returned no content (finish reason ${candidate?.finishReason ?? "none"})`,
      );
    }
    contents.push(content);
    const calls = content.parts.filter((p) => p.functionCall);
    if (calls.length === 0) {
      const answer = content.parts.map((p) => p.text ?? "").join("").trim();
      if (!answer) throw new WorkerError("empty_response", "Gemini returned an empty answer");
      const untrusted = guard.onAnswer();
      if (untrusted) throw untrusted;
      return answer;
    }
    const replies: Part[] = [];
    for (const part of calls) {
      checkTime();
      const { name = "", args = {}, id } = part.functionCall!;
      const loop = guard.beforeCall(name, args);
      if (loop) {
        rec.actions.push({ action: name, args, error: loop.message });
        throw loop;
      }
      // The same in both function sets: a decision to confirm pauses before the call runs.
      const safety = confirmationNeeded(args);
      let acknowledged = false;
      if (safety) {
        const waited = Date.now();
        const decision = await ctx.awaitConfirmation(
          safety.explanation ?? `Allow the browser action '${name}'?`,
          { name, args },
        );
        deadline += Date.now() - waited; // a person's time does not count against the loop
        rec.actions.push({ action: "confirmation", name, decision });
        if (decision === "deny") {
          throw new UnrecoverableError(
            "confirmation_denied",
            `A person denied '${name}'${safety.explanation ? `: ${safety.explanation}` : ""}`,
          );
        }
        acknowledged = true;
      }
      ctx.progress({
        fraction: Math.min(0.95, (turn + 0.5) / cfg.max_turns),
        message: `turn ${turn + 1}: ${name}`,
      });
      const plan = planCall(set, name, args, cfg);
      let error = plan.kind === "error" ? plan.error : undefined;
      let outcome: CallOutcome = plan.kind === "error"
        ? "refused"
        : plan.kind === "noop"
        ? "observed"
        : "done";
      if (plan.kind === "call") {
        try {
          await rec.driver.call(plan.call, ctx.signal);
        } catch (err) {
          if (!(err instanceof DriverError)) throw err;
          if (err.code !== "failed" && err.code !== "bad_call") {
            rec.actions.push({ action: name, args, executed: plan.call, error: err.message });
            throw driverFailure(err);
          }
          error = err.message; // the model sees what went wrong and may try something else
          outcome = "failed";
        }
      }
      guard.afterCall(name, outcome);
      // Logged before the screenshot, so that an action after which none can be taken shows.
      const entry: Record<string, unknown> = {
        action: name,
        args,
        ...(plan.kind === "call" ? { executed: plan.call } : {}),
        ...(plan.kind === "error" ? { refused: plan.refused } : {}),
        ...(error ? { error } : {}),
      };
      rec.actions.push(entry);
      const shot = await rec.shoot();
      Object.assign(entry, { step: rec.step, url: shot.url, screenshot: shot.name });
      replies.push({
        functionResponse: {
          ...(id ? { id } : {}),
          name,
          response: {
            url: shot.url,
            ...(acknowledged ? { safety_acknowledgement: "true" } : {}),
            ...(error ? { error } : {}),
          },
          parts: [{ inlineData: { mimeType: "image/png", data: shot.png } }],
        },
      });
    }
    contents.push({ role: "user", parts: replies });
    pruneScreenshots(contents);
  }
}

serveJobs(async (ctx) => {
  const cfg = Schema.parse(ctx.config);
  const rec = new Recorder(ctx, new DriverClient(cfg.driver_url, cfg.driver_token), cfg);
  try {
    if (cfg.mode === "check") return await runCheck(ctx, cfg, rec);
    const answer = await runModel(ctx, cfg, rec);
    return {
      summary: answer,
      answer,
      mode: "model",
      model: cfg.model,
      function_set: functionSetFor(cfg.model).name,
      final_url: rec.last?.url ?? "",
      screenshot: rec.last?.name ?? "",
      steps: rec.step,
    };
  } finally {
    rec.save();
  }
});
