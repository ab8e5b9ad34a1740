/**
 * @module
 * The `browser` skill: "open the QA dashboard to verify deploy status", done by Gemini Computer
 * Use driving a real Chromium. The model loop runs in a sandboxed worker that may reach only
 * the Gemini host and the driver's port; Playwright runs in the supervised driver process;
 * `prepare` opens a browser context per job on the driver and `cleanup` closes it.
 *
 * Without `GEMINI_API_KEY` and `GEMINI_BASE_URL`, a job runs the model-free check mode when it
 * has a URL (its params, a URL in the instruction, or `BROWSER_QA_URL`), and otherwise fails
 * with the unrecoverable error `no_api_key`.
 */
import { hostPort } from "../../skill_kit/net_permission.ts";
import type { JobRecord } from "@shared/schemas/mod.ts";
import { UnrecoverableError, WorkerError } from "../../skill_kit/worker_errors.ts";
import type { JsonValue } from "@shared/schemas/mod.ts";
import type { Skill, SkillContext } from "../../skill_kit/skill.ts";
import { BROWSER_LEXICON, BROWSER_PATTERNS, urlFromClause } from "./browser_patterns.ts";
import {
  DRIVER_MODULE,
  DriverStartError,
  DriverSupervisor,
  type DriverSupervisorOptions,
} from "./driver_supervisor.ts";

export const DEFAULT_BROWSER_MODEL = "gemini-3.5-flash";
/** The hard cap on model turns when `BROWSER_MAX_TURNS` is unset. */
export const DEFAULT_MAX_TURNS = 30;
/** The most `BROWSER_MAX_TURNS` may allow. */
export const MAX_TURNS_LIMIT = 200;
export const DEFAULT_GEMINI_URL = "https://generativelanguage.googleapis.com";
/** The key sent when only `GEMINI_BASE_URL` is configured. */
export const KEYLESS_PLACEHOLDER = "keyless";
/** The viewport the Computer Use documentation recommends. */
export const DEFAULT_VIEWPORT = { width: 1440, height: 900 } as const;

/** `https://host/x` → `host:443`, the form Deno's net permission takes. */

/** How a job runs, decided from its params and the gateway's environment. */
export interface BrowserPlan {
  mode: "model" | "check";
  url?: string;
  expect?: string;
  model: string;
  /** Model turns before `turn_limit`: `BROWSER_MAX_TURNS`, or fewer when the job asks. */
  max_turns: number;
  max_duration_ms: number;
  page_timeout_ms: number;
}

function bounded(v: JsonValue | undefined, min: number, max: number, fallback: number): number {
  return typeof v === "number" && Number.isFinite(v)
    ? Math.min(max, Math.max(min, Math.round(v)))
    : fallback;
}

/**
 * `BROWSER_MAX_TURNS` as a number of turns; unset → {@link DEFAULT_MAX_TURNS}. Throws
 * {@link UnrecoverableError} `bad_config` for anything but a whole number from 1 to
 * {@link MAX_TURNS_LIMIT}.
 */
export function maxTurnsCap(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === "") return DEFAULT_MAX_TURNS;
  const n = Number(raw.trim());
  if (!Number.isInteger(n) || n < 1 || n > MAX_TURNS_LIMIT) {
    throw new UnrecoverableError(
      "bad_config",
      `Cannot run browser jobs as BROWSER_MAX_TURNS must be a whole number from 1 to ${MAX_TURNS_LIMIT}: current value is '${raw}'`,
    );
  }
  return n;
}

/**
 * The model loop when a key or a base URL is configured (a stand-in, or a proxy that adds the
 * key itself, needs only `GEMINI_BASE_URL`), the check mode when asked for or when neither is
 * set but there is a URL.
 * Throws {@link UnrecoverableError} `no_api_key` when neither can run, and `bad_config` for an
 * unusable `BROWSER_MAX_TURNS`. A model without a price runs with `cost_usd: null`; only a cost
 * budget refuses it (the engine's price guard).
 */
export function planFor(job: Pick<JobRecord, "spec">, ctx: SkillContext): BrowserPlan {
  const p = job.spec.params;
  const url = (typeof p.url === "string" && p.url) || urlFromClause(job.spec.instruction) ||
    ctx.env("BROWSER_QA_URL");
  const expect = typeof p.expect === "string" && p.expect ? p.expect : undefined;
  const model = (typeof p.model === "string" && p.model) || ctx.env("BROWSER_MODEL") ||
    DEFAULT_BROWSER_MODEL;
  const cap = maxTurnsCap(ctx.env("BROWSER_MAX_TURNS"));
  const limits = {
    model,
    // A job may ask for fewer turns (`max_turns`, or its older name `max_steps`), never more.
    max_turns: bounded(p.max_turns ?? p.max_steps, 1, cap, cap),
    max_duration_ms: bounded(p.max_duration_ms, 1_000, 280_000, 240_000),
    page_timeout_ms: bounded(p.timeout_ms, 100, 120_000, 20_000),
  };
  const hasKey = Boolean(ctx.env("GEMINI_API_KEY") || ctx.env("GEMINI_BASE_URL"));
  if (p.mode === "check" || (!hasKey && p.mode !== "model")) {
    if (!url) {
      throw new UnrecoverableError(
        hasKey || p.mode === "check" ? "no_url" : "no_api_key",
        hasKey || p.mode === "check"
          ? "Check mode needs a URL: give params { mode: 'check', url, expect }"
          : "GEMINI_API_KEY is not set and the request names no URL to check: set GEMINI_API_KEY (or GEMINI_BASE_URL for a stand-in), give params { mode: 'check', url, expect }, or set BROWSER_QA_URL",
      );
    }
    return { mode: "check", url, ...(expect ? { expect } : {}), ...limits };
  }
  if (!hasKey) {
    throw new UnrecoverableError(
      "no_api_key",
      "Model mode needs GEMINI_API_KEY (or GEMINI_BASE_URL for a stand-in)",
    );
  }
  return { mode: "model", ...(url ? { url } : {}), ...limits };
}

export interface BrowserSkillOptions extends DriverSupervisorOptions {
  /** @default { width: 1440, height: 900 } */
  viewport?: { width: number; height: number };
  /** Jobs running at once in one engine (each has its own browser context). @default 2 */
  concurrency?: number;
}

/** The skill and its driver; `close()` stops the driver and Chromium (call on shutdown). */
export interface BrowserSkill {
  skill: Skill;
  supervisor: DriverSupervisor;
  close(): Promise<void>;
}

export function createBrowserSkill(options: BrowserSkillOptions = {}): BrowserSkill {
  const { viewport = DEFAULT_VIEWPORT, concurrency = 2, ...driverOptions } = options;
  const supervisor = new DriverSupervisor(driverOptions);
  const jobs = new Map<string, { driverUrl: string; token: string; context: string }>();
  const skill: Skill = {
    intent: "browser",
    description: "Gemini Computer Use driving Chromium, or a model-free page check.",
    ability: "check a web page",
    patterns: BROWSER_PATTERNS,
    lexicon: BROWSER_LEXICON,
    paramsFromClause: (clause) => {
      const url = urlFromClause(clause);
      return url ? { url } : {};
    },
    worker: new URL("./browser_worker.ts", import.meta.url),
    modules: [DRIVER_MODULE],
    pricedModel: (ctx, job) => {
      const plan = planFor(job, ctx);
      return plan.mode === "model" ? { provider: "google", model: plan.model } : undefined;
    },
    async prepare(job, ctx) {
      planFor(job, ctx); // refuse early what cannot run, before a browser context is opened
      let opened;
      try {
        const client = await supervisor.ensure();
        opened = await client.call({ op: "open_context", ...viewport });
        jobs.set(job.job_id, {
          driverUrl: client.url,
          token: client.token,
          context: opened.context!,
        });
      } catch (err) {
        if (err instanceof DriverStartError && err.permanent) {
          throw new UnrecoverableError("browser_unavailable", err.message, { cause: err });
        }
        throw new WorkerError(
          "driver_unavailable",
          err instanceof Error ? err.message : String(err),
          { cause: err },
        );
      }
      return {};
    },
    permissions: (ctx, job) => {
      const j = jobs.get(job.job_id);
      const net = [hostPort(ctx.env("GEMINI_BASE_URL") || DEFAULT_GEMINI_URL)];
      if (j) net.push(hostPort(j.driverUrl));
      return {
        net,
        read: false,
        write: false,
        env: false,
        run: false,
        ffi: false,
        sys: false,
        import: false,
      };
    },
    config: (ctx, job) => {
      const plan = planFor(job, ctx);
      const j = jobs.get(job.job_id);
      if (!j) throw new WorkerError("driver_unavailable", "No browser context was opened");
      return {
        mode: plan.mode,
        ...(plan.url ? { url: plan.url } : {}),
        ...(plan.expect ? { expect: plan.expect } : {}),
        // The SDK refuses to send a request without a key; an endpoint reached through
        // GEMINI_BASE_URL alone (a stand-in, a key-adding proxy) gets a placeholder.
        api_key: ctx.env("GEMINI_API_KEY") || KEYLESS_PLACEHOLDER,
        ...(ctx.env("GEMINI_BASE_URL") ? { base_url: ctx.env("GEMINI_BASE_URL")! } : {}),
        model: plan.model,
        driver_url: j.driverUrl,
        driver_token: j.token,
        context_id: j.context,
        ...viewport,
        max_turns: plan.max_turns,
        max_duration_ms: plan.max_duration_ms,
        page_timeout_ms: plan.page_timeout_ms,
      };
    },
    async cleanup(job) {
      const j = jobs.get(job.job_id);
      jobs.delete(job.job_id);
      // A driver that died took its contexts with it: do not start one just to close this.
      const client = supervisor.current;
      if (!j || !client || client.url !== j.driverUrl) return;
      await client.call({ op: "close_context", context: j.context }).catch(() => {});
    },
    retry: { attempts: 3, base_delay_ms: 1_000, max_delay_ms: 20_000, timeout_ms: 300_000 },
    concurrency,
  };
  return { skill, supervisor, close: () => supervisor.close() };
}

/** The registry's line: the browser skill with Chromium at `CHROMIUM_PATH` when it is set. */
export function browserSkillFactory(ctx?: SkillContext): BrowserSkill {
  const chromiumPath = ctx?.env("CHROMIUM_PATH");
  return createBrowserSkill(chromiumPath ? { chromiumPath } : {});
}
