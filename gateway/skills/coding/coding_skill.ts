/**
 * @module
 * The `coding` skill: "refactor the orchestrator router" → a patch proposal for a git
 * workspace, from Claude. The worker may read only the workspace and reach only the Anthropic
 * API host; listing files and `git apply --check` run here, outside the sandbox.
 */
import { isAbsolute, join, relative, resolve } from "node:path";
import type { JobRecord } from "@shared/schemas/mod.ts";
import { UnrecoverableError } from "../../engine/worker_errors.ts";
import type { Skill, SkillContext } from "../skill.ts";
import { CODING_PATTERNS } from "./coding_patterns.ts";
import { priceFor, UnknownModelPriceError } from "@shared/pricing/pricing.ts";
import { checkPatch, trackedFiles, WorkspaceError } from "./git_check.ts";

export const DEFAULT_CODING_MODEL = "claude-sonnet-4-5";
const DEFAULT_BASE_URL = "https://api.anthropic.com";

/** The workspace of a job: the configured one, or `params.workspace` inside the allowed roots. */
export function workspaceFor(ctx: SkillContext, job: Pick<JobRecord, "spec">): string {
  const configured = (ctx.settings.workspace as string | undefined) ?? ctx.env("CODING_WORKSPACE");
  const roots = (ctx.env("CODING_WORKSPACE_ROOTS")?.split(/[;:]/).filter(Boolean) ??
    (configured ? [configured] : []))
    .map((r) => resolve(r));
  const requested = job.spec.params.workspace;
  if (typeof requested === "string" && requested) {
    const path = resolve(requested);
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
  return resolve(configured);
}

function baseUrl(ctx: SkillContext): string {
  return ctx.env("ANTHROPIC_BASE_URL") || DEFAULT_BASE_URL;
}

/** `host:port` for Deno's net permission. */
function netHost(url: string): string {
  const u = new URL(url);
  return u.port ? `${u.hostname}:${u.port}` : u.hostname;
}

function modelOf(ctx: SkillContext): string {
  return ctx.env("CODING_MODEL") || DEFAULT_CODING_MODEL;
}

const filesByJob = new Map<string, string[]>();

function backendOf(job: Pick<JobRecord, "spec">): "messages" | "claude-cli" {
  return job.spec.params.backend === "claude-cli" ? "claude-cli" : "messages";
}

async function claudeInstalled(): Promise<boolean> {
  try {
    return (await new Deno.Command("claude", {
      args: ["--version"],
      stdout: "null",
      stderr: "null",
    }).output()).success;
  } catch {
    return false;
  }
}

export const codingSkill: Skill = {
  intent: "coding",
  description: "Patch proposals for a git repository from Claude, checked with git apply.",
  patterns: CODING_PATTERNS,
  worker: new URL("./coding_worker.ts", import.meta.url),
  permissions: (ctx, job) => ({
    read: [workspaceFor(ctx, job)],
    net: [netHost(baseUrl(ctx))],
    env: false,
    write: false,
    run: backendOf(job) === "claude-cli" ? ["claude"] : false,
    ffi: false,
    sys: false,
    import: false,
  }),
  async prepare(job, ctx) {
    const workspace = workspaceFor(ctx, job);
    const key = ctx.env("ANTHROPIC_API_KEY");
    if (!key) {
      throw new UnrecoverableError(
        "no_api_key",
        "ANTHROPIC_API_KEY is not set: set it (or point ANTHROPIC_BASE_URL at a stand-in and give any key)",
      );
    }
    try {
      // Usage is priced as it streams: an unpriced model would fail only after paying for it.
      priceFor("anthropic", modelOf(ctx));
    } catch (err) {
      if (err instanceof UnknownModelPriceError) {
        throw new UnrecoverableError("unpriced_model", err.message);
      }
      throw err;
    }
    if (backendOf(job) === "claude-cli" && !(await claudeInstalled())) {
      throw new UnrecoverableError(
        "backend_unavailable",
        "params.backend 'claude-cli' needs Claude Code's CLI on PATH (npm install -g @anthropic-ai/claude-code)",
      );
    }
    try {
      filesByJob.set(job.job_id, await trackedFiles(workspace));
    } catch (err) {
      if (err instanceof WorkspaceError) throw new UnrecoverableError("bad_workspace", err.message);
      throw err;
    }
    return {};
  },
  config: (ctx, job) => ({
    api_key: ctx.env("ANTHROPIC_API_KEY") ?? "",
    base_url: baseUrl(ctx),
    model: modelOf(ctx),
    workspace: workspaceFor(ctx, job),
    files: filesByJob.get(job.job_id) ?? [],
    max_tokens: 4096,
    max_context_chars: 60_000,
    backend: backendOf(job),
  }),
  async finalize(job, result, ctx) {
    const patch = result.artifacts?.find((a) => a.name === "patch.diff");
    if (!patch || result.patch_valid !== true) return result;
    const { patch_valid: _valid, ...rest } = result;
    const check = await checkPatch(workspaceFor(ctx, job), join(ctx.dataDir, patch.path));
    return {
      ...rest,
      applies: check.applies,
      ...(check.error ? { apply_error: check.error } : {}),
    };
  },
  cleanup(job) {
    filesByJob.delete(job.job_id);
    return Promise.resolve();
  },
  retry: { attempts: 4, base_delay_ms: 1_000, max_delay_ms: 30_000, timeout_ms: 300_000 },
  concurrency: 4,
};
