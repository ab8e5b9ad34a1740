/**
 * @module
 * The `browser` skill: "open the QA dashboard to verify deploy status", done by Gemini Computer
 * Use driving a real Chromium. The model loop runs in a sandboxed worker; Playwright runs in the
 * supervised driver process; `prepare` opens a browser context per job and `cleanup` closes it.
 */
import type { JobRecord } from "@shared/schemas/mod.ts";
import { UnrecoverableError } from "../../engine/worker_errors.ts";
import type { Skill, SkillContext } from "../skill.ts";
import { BROWSER_PATTERNS, urlFromClause } from "./browser_patterns.ts";
import { DriverSupervisor } from "./driver_supervisor.ts";

export const DEFAULT_BROWSER_MODEL = "gemini-2.5-computer-use-preview-10-2025";
const DEFAULT_GEMINI_URL = "https://generativelanguage.googleapis.com";
const VIEWPORT = { width: 1440, height: 900 };

function hostPort(url: string): string {
  const u = new URL(url);
  return `${u.hostname}:${u.port || (u.protocol === "https:" ? "443" : "80")}`;
}

interface Plan {
  mode: "model" | "check";
  url?: string;
  expect?: string;
}

/** Model loop when a key (or a stand-in) is configured, else the model-free check. */
export function planFor(job: Pick<JobRecord, "spec">, ctx: SkillContext): Plan {
  const p = job.spec.params;
  const url = (typeof p.url === "string" && p.url) || urlFromClause(job.spec.instruction) ||
    ctx.env("BROWSER_QA_URL");
  const expect = typeof p.expect === "string" ? p.expect : undefined;
  if (p.mode === "check" || !ctx.env("GEMINI_API_KEY")) {
    if (!url) {
      throw new UnrecoverableError(
        "no_api_key",
        "GEMINI_API_KEY is not set and the request names no URL to check: set GEMINI_API_KEY, or give params { mode: 'check', url, expect }",
      );
    }
    return { mode: "check", url, ...(expect ? { expect } : {}) };
  }
  return { mode: "model", ...(url ? { url } : {}) };
}

export function createBrowserSkill(
  options: { chromiumPath?: string } = {},
): { skill: Skill; close(): Promise<void>; supervisor: DriverSupervisor } {
  const supervisor = new DriverSupervisor(
    options.chromiumPath ? { chromiumPath: options.chromiumPath } : {},
  );
  const jobs = new Map<string, { driverUrl: string; token: string; context: string }>();
  const skill: Skill = {
    intent: "browser",
    description: "Gemini Computer Use driving Chromium, or a model-free page check.",
    patterns: BROWSER_PATTERNS,
    paramsFromClause: (clause) => {
      const url = urlFromClause(clause);
      return url ? { url } : {};
    },
    worker: new URL("./browser_worker.ts", import.meta.url),
    async prepare(job, ctx) {
      planFor(job, ctx); // refuse early what cannot run
      const client = await supervisor.ensure();
      const opened = await client.call({ op: "open_context", ...VIEWPORT });
      jobs.set(job.job_id, {
        driverUrl: client.url,
        token: client.token,
        context: opened.context!,
      });
      return {};
    },
    permissions: (ctx, job) => {
      const j = jobs.get(job.job_id);
      const net = [ctx.env("GEMINI_BASE_URL") || DEFAULT_GEMINI_URL].map(hostPort);
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
      const j = jobs.get(job.job_id)!;
      return {
        mode: plan.mode,
        ...(plan.url ? { url: plan.url } : {}),
        ...(plan.expect ? { expect: plan.expect } : {}),
        ...(ctx.env("GEMINI_API_KEY") ? { api_key: ctx.env("GEMINI_API_KEY")! } : {}),
        ...(ctx.env("GEMINI_BASE_URL") ? { base_url: ctx.env("GEMINI_BASE_URL")! } : {}),
        model: ctx.env("BROWSER_MODEL") || DEFAULT_BROWSER_MODEL,
        driver_url: j.driverUrl,
        driver_token: j.token,
        context_id: j.context,
        ...VIEWPORT,
        max_steps: 20,
        page_timeout_ms: typeof job.spec.params.timeout_ms === "number"
          ? Math.min(120_000, Math.max(100, job.spec.params.timeout_ms))
          : 20_000,
      };
    },
    async cleanup(job) {
      const j = jobs.get(job.job_id);
      jobs.delete(job.job_id);
      if (!j) return;
      try {
        const client = await supervisor.ensure();
        await client.call({ op: "close_context", context: j.context });
      } catch { /* the driver died with its contexts */ }
    },
    retry: { attempts: 3, base_delay_ms: 1_000, max_delay_ms: 20_000, timeout_ms: 300_000 },
    concurrency: 2,
  };
  return { skill, supervisor, close: () => supervisor.close() };
}
