/**
 * @module
 * The `coding` skill: "refactor the orchestrator router" → a patch proposal for a git
 * workspace, from Claude. The worker may read only the workspace and reach only the Anthropic
 * API host; listing files and `git apply --check` run here, outside the sandbox, with the
 * engine's permissions (`--allow-run=git,tar`).
 */
import { hostPort } from "../../skill_kit/net_permission.ts";
import { isAbsolute, join, relative, resolve } from "node:path";
import { z } from "zod";
import type { JobRecord } from "@shared/schemas/mod.ts";
import { UnrecoverableError } from "../../skill_kit/worker_errors.ts";
import type { JsonValue } from "@shared/schemas/mod.ts";
import type { Skill, SkillContext } from "../../skill_kit/skill.ts";
import { CODING_LEXICON, CODING_PATTERNS } from "./coding_patterns.ts";
import { checkPatch, headCommit, trackedFiles, WorkspaceError } from "./git_check.ts";
import { modelRules } from "./model_rules.ts";

/** The current Sonnet; older models still work when named in `CODING_MODEL`. */
export const DEFAULT_CODING_MODEL = "claude-sonnet-5-5";
const DEFAULT_BASE_URL = "https://api.anthropic.com";
/** @default answer limit of older models, overridden by `CODING_MAX_TOKENS`. */
export const DEFAULT_MAX_TOKENS = 4096;
/**
 * @default answer limit of 5.x models: `max_tokens` bounds thinking and text together, and
 * their thinking is on.
 */
export const DEFAULT_MAX_TOKENS_THINKING = 16_000;
/** @default context budget in characters, overridden by `CODING_CONTEXT_CHARS`. */
export const DEFAULT_CONTEXT_CHARS = 60_000;

/** The real path, so a symlink cannot carry a workspace out of its root. */
function real(path: string): string {
  try {
    return Deno.realPathSync(path);
  } catch {
    return resolve(path);
  }
}

/** The workspace of a job: the configured one, or `params.workspace` inside the allowed roots. */
export function workspaceFor(ctx: SkillContext, job: Pick<JobRecord, "spec">): string {
  const configured = (ctx.settings.workspace as string | undefined) ?? ctx.env("CODING_WORKSPACE");
  const separator = Deno.build.os === "windows" ? /;/ : /[;:]/;
  const roots = (ctx.env("CODING_WORKSPACE_ROOTS")?.split(separator).filter(Boolean) ??
    (configured ? [configured] : []))
    .map(real);
  const requested = job.spec.params.workspace;
  if (typeof requested === "string" && requested) {
    const path = real(requested);
    const inside = roots.some((root) => {
      const rel = relative(root, path);
      return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
    });
    if (!inside) {
      throw new UnrecoverableError(
        "workspace_not_allowed",
        `Workspace '${requested}' is outside the allowed roots (${
          roots.join(", ") || "none"
        }): set CODING_WORKSPACE_ROOTS`,
      );
    }
    return path;
  }
  if (!configured) {
    throw new UnrecoverableError(
      "no_workspace",
      "No workspace for the coding skill: start the gateway with --workspace DIR or set CODING_WORKSPACE",
    );
  }
  return real(configured);
}

function baseUrl(ctx: SkillContext): string {
  return ctx.env("ANTHROPIC_BASE_URL") || DEFAULT_BASE_URL;
}

function modelOf(ctx: SkillContext): string {
  return ctx.env("CODING_MODEL") || DEFAULT_CODING_MODEL;
}

const Limit = z.coerce.number().int().positive();

/** A positive integer setting from the environment, or its default. */
function limit(ctx: SkillContext, name: string, fallback: number): number {
  const raw = ctx.env(name);
  if (raw === undefined || raw === "") return fallback;
  const parsed = Limit.safeParse(raw);
  if (!parsed.success) {
    throw new UnrecoverableError(
      "bad_setting",
      `${name} must be a positive integer: current value is '${raw}'`,
    );
  }
  return parsed.data;
}

function backendOf(job: Pick<JobRecord, "spec">): "messages" | "claude-cli" {
  return job.spec.params.backend === "claude-cli" ? "claude-cli" : "messages";
}

/** Why Claude Code's CLI cannot be used here, or undefined when it can. */
async function claudeUnavailable(): Promise<string | undefined> {
  try {
    const ok = (await new Deno.Command("claude", {
      args: ["--version"],
      stdout: "null",
      stderr: "null",
    }).output()).success;
    return ok ? undefined : "'claude --version' failed";
  } catch (err) {
    if (err instanceof Deno.errors.NotCapable || err instanceof Deno.errors.PermissionDenied) {
      return "the gateway may not run 'claude': start it with --allow-run=git,tar,deno,claude";
    }
    return "Claude Code's CLI is not on PATH (npm install -g @anthropic-ai/claude-code)";
  }
}

export const codingSkill: Skill = {
  intent: "coding",
  description: "Patch proposals for a git repository from Claude, checked with git apply.",
  ability: "change code",
  patterns: CODING_PATTERNS,
  lexicon: CODING_LEXICON,
  worker: new URL("./coding_worker.ts", import.meta.url),
  permissions: (ctx, job) => ({
    read: [workspaceFor(ctx, job)],
    net: [hostPort(baseUrl(ctx))],
    env: false,
    write: false,
    run: backendOf(job) === "claude-cli" ? ["claude"] : false,
    ffi: false,
    sys: false,
    import: false,
  }),
  // An unpriced model runs (cost null); only a cost budget refuses it, in the engine.
  pricedModel: (ctx) => ({ provider: "anthropic", model: modelOf(ctx) }),
  async prepare(job, ctx) {
    const workspace = workspaceFor(ctx, job);
    const key = ctx.env("ANTHROPIC_API_KEY");
    if (!key) {
      throw new UnrecoverableError(
        "no_api_key",
        "ANTHROPIC_API_KEY is not set: set it (or point ANTHROPIC_BASE_URL at a stand-in and give any key)",
      );
    }
    const unavailable = backendOf(job) === "claude-cli" ? await claudeUnavailable() : undefined;
    if (unavailable) {
      throw new UnrecoverableError(
        "backend_unavailable",
        `params.backend 'claude-cli' cannot run: ${unavailable}`,
      );
    }
    try {
      // The worker cannot run git: the file list and the base commit come from here.
      const [files, commit] = await Promise.all([trackedFiles(workspace), headCommit(workspace)]);
      return { files, base_commit: commit };
    } catch (err) {
      if (err instanceof WorkspaceError) throw new UnrecoverableError("bad_workspace", err.message);
      throw err;
    }
  },
  config: (ctx, job) => {
    const budget = ctx.settings.max_cost_usd;
    const cliEnv: Record<string, JsonValue> = {};
    if (backendOf(job) === "claude-cli") {
      for (const name of ["HOME", "PATH"]) {
        const value = ctx.env(name);
        if (value !== undefined) cliEnv[name] = value;
      }
    }
    return {
      api_key: ctx.env("ANTHROPIC_API_KEY") ?? "",
      base_url: baseUrl(ctx),
      model: modelOf(ctx),
      workspace: workspaceFor(ctx, job),
      files: [],
      max_tokens: limit(
        ctx,
        "CODING_MAX_TOKENS",
        modelRules(modelOf(ctx)).generation === "claude-5"
          ? DEFAULT_MAX_TOKENS_THINKING
          : DEFAULT_MAX_TOKENS,
      ),
      max_context_chars: limit(ctx, "CODING_CONTEXT_CHARS", DEFAULT_CONTEXT_CHARS),
      ...(typeof budget === "number" && budget > 0 ? { max_cost_usd: budget } : {}),
      backend: backendOf(job),
      cli_env: cliEnv,
    };
  },
  async finalize(job, result, ctx) {
    const patch = result.artifacts?.find((a) => a.name === "patch.diff");
    if (!patch || result.patch_valid !== true) return result;
    const { patch_valid: _valid, ...rest } = result;
    const commit = typeof result.base_commit === "string" ? result.base_commit : "HEAD";
    const check = await checkPatch(workspaceFor(ctx, job), join(ctx.dataDir, patch.path), commit);
    return {
      ...rest,
      applies: check.applies,
      ...(check.error ? { apply_error: check.error } : {}),
    };
  },
  retry: { attempts: 4, base_delay_ms: 1_000, max_delay_ms: 30_000, timeout_ms: 300_000 },
  concurrency: 4,
};
