/**
 * @module
 * The `browser` worker (sandboxed: it may reach only the Gemini host and the driver's port).
 * Runs the Computer Use loop: screenshot → Gemini → function calls executed through the driver
 * → function responses with the URL and a new screenshot, until a final answer. Also runs the
 * model-free check mode.
 */
/// <reference lib="deno.worker" />
import { type Content, Environment, GoogleGenAI, type Part } from "@google/genai/web";
import { usageWithCost } from "@shared/pricing/pricing.ts";
import { serveJobs } from "../../engine/worker_runtime.ts";
import { UnrecoverableError, WorkerError } from "../../engine/worker_errors.ts";
import { BrowserConfig as Schema } from "./browser_config.ts";
import { actionToCall, pruneScreenshots } from "./browser_actions.ts";
import { DriverClient, DriverError } from "./driver_client.ts";

function base64ToBytes(b64: string): Uint8Array {
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
}

function providerError(err: unknown): Error {
  const status = (err as { status?: number }).status;
  if (typeof status === "number") {
    const message = `Gemini API answered ${status}: ${(err as Error).message.slice(0, 300)}`;
    if (status === 429 || status >= 500) {
      return new WorkerError(status === 429 ? "rate_limited" : "provider_error", message);
    }
    return new UnrecoverableError(
      status === 401 || status === 403 ? "provider_auth" : "provider_rejected",
      message,
    );
  }
  if (err instanceof DriverError) return new WorkerError("driver_unavailable", err.message);
  return err instanceof Error ? err : new Error(String(err));
}

serveJobs(async (ctx) => {
  const cfg = Schema.parse(ctx.config);
  const driver = new DriverClient(cfg.driver_url, cfg.driver_token);
  const actions: Record<string, unknown>[] = [];
  let step = 0;
  const shoot = async (): Promise<{ png: string; url: string; name: string }> => {
    const r = await driver.call({ op: "screenshot", context: cfg.context_id }, ctx.signal);
    step++;
    const name = `step-${String(step).padStart(2, "0")}.png`;
    ctx.artifact(name, base64ToBytes(r.png_base64!));
    return { png: r.png_base64!, url: r.url ?? "", name };
  };

  if (cfg.mode === "check") {
    if (!cfg.url) throw new UnrecoverableError("no_url", "Check mode needs params.url");
    try {
      await driver.call(
        { op: "navigate", context: cfg.context_id, url: cfg.url, timeout_ms: cfg.page_timeout_ms },
        ctx.signal,
      );
    } catch (err) {
      if (err instanceof DriverError && /unreachable/.test(err.message)) throw providerError(err);
      throw new UnrecoverableError(
        "page_unreachable",
        `Cannot open ${cfg.url}: ${(err as Error).message}`,
      );
    }
    const found = cfg.expect
      ? (await driver.call(
        { op: "check", context: cfg.context_id, expect: cfg.expect },
        ctx.signal,
      )).found
      : true;
    const shot = await shoot();
    ctx.artifact(
      "actions.json",
      JSON.stringify(
        [{ action: "navigate", url: cfg.url }, { action: "check", expect: cfg.expect, found }],
        null,
        2,
      ),
    );
    if (!found) {
      throw new UnrecoverableError(
        "check_failed",
        `Expected '${cfg.expect}' on ${shot.url}, but the page does not show it (see ${shot.name})`,
      );
    }
    const answer = cfg.expect ? `Found '${cfg.expect}' on ${shot.url}` : `Loaded ${shot.url}`;
    return {
      summary: answer,
      answer,
      ok: true,
      final_url: shot.url,
      screenshot: shot.name,
      steps: step,
    };
  }

  const ai = new GoogleGenAI({
    apiKey: cfg.api_key ?? "",
    vertexai: false,
    ...(cfg.base_url ? { httpOptions: { baseUrl: cfg.base_url } } : {}),
  });
  let inputTokens = 0;
  let outputTokens = 0;
  let first = await shoot();
  const contents: Content[] = [{
    role: "user",
    parts: [{ text: ctx.spec.instruction }, {
      inlineData: { mimeType: "image/png", data: first.png },
    }],
  }];
  let answer = "";
  let finalUrl = first.url;
  for (let turn = 0; turn < cfg.max_steps; turn++) {
    ctx.progress({ fraction: Math.min(0.95, turn / cfg.max_steps), message: `step ${turn + 1}` });
    let response;
    try {
      response = await ai.models.generateContent({
        model: cfg.model,
        contents,
        config: {
          tools: [{ computerUse: { environment: Environment.ENVIRONMENT_BROWSER } }],
          abortSignal: ctx.signal,
        },
      });
    } catch (err) {
      throw providerError(err);
    }
    inputTokens += response.usageMetadata?.promptTokenCount ?? 0;
    outputTokens += response.usageMetadata?.candidatesTokenCount ?? 0;
    ctx.usage(
      usageWithCost({
        provider: "google",
        model: cfg.model,
        input_tokens: inputTokens,
        output_tokens: outputTokens,
      }),
    );
    const content = response.candidates?.[0]?.content;
    if (!content?.parts?.length) {
      throw new WorkerError("empty_response", "Gemini returned no content");
    }
    contents.push(content);
    const calls = content.parts.filter((p) => p.functionCall);
    if (calls.length === 0) {
      answer = content.parts.map((p) => p.text ?? "").join("").trim();
      break;
    }
    const replies: Part[] = [];
    for (const part of calls) {
      const { name = "", args = {} } = part.functionCall!;
      const safety = args.safety_decision as
        | { decision?: string; explanation?: string }
        | undefined;
      let acknowledged = false;
      if (safety?.decision === "require_confirmation") {
        const decision = await ctx.awaitConfirmation(safety.explanation ?? `Allow ${name}?`, {
          name,
          args,
        });
        actions.push({ action: "confirmation", name, decision });
        if (decision === "deny") {
          ctx.artifact("actions.json", JSON.stringify(actions, null, 2));
          throw new UnrecoverableError(
            "confirmation_denied",
            `A person denied '${name}': ${safety.explanation ?? ""}`.trim(),
          );
        }
        acknowledged = true;
      }
      const call = actionToCall(name, args, cfg);
      let error: string | undefined;
      if (call === null) error = `Unknown action '${name}'`;
      else if (call !== "noop") {
        try {
          await driver.call(call, ctx.signal);
        } catch (err) {
          if (err instanceof DriverError && /unreachable/.test(err.message)) {
            throw providerError(err);
          }
          error = err instanceof Error ? err.message : String(err);
        }
      }
      const shot = await shoot();
      finalUrl = shot.url;
      actions.push({
        step,
        action: name,
        args,
        ...(call && call !== "noop" ? { executed: call } : {}),
        ...(error ? { error } : {}),
        url: shot.url,
        screenshot: shot.name,
      });
      replies.push({
        functionResponse: {
          name,
          response: {
            url: shot.url,
            ...(acknowledged ? { safety_acknowledgement: "true" } : {}),
            ...(error ? { error } : {}),
          },
          parts: [{ inlineData: { mimeType: "image/png", data: shot.png } }],
        },
      } as Part);
      first = shot;
    }
    contents.push({ role: "user", parts: replies });
    pruneScreenshots(contents);
  }
  ctx.artifact("actions.json", JSON.stringify(actions, null, 2));
  if (!answer) {
    throw new WorkerError("step_limit", `No final answer within ${cfg.max_steps} steps`, {
      retryable: false,
    });
  }
  return { summary: answer, answer, final_url: finalUrl, screenshot: first.name, steps: step };
});
