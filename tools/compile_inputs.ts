/**
 * @module
 * What `deno task compile` reads from this checkout to build its command lines: the module
 * graphs (`deno info --json`) of a target's entry and embedded modules, turned into the
 * `--exclude` list of `npm_excludes.ts`, keeping only paths that exist; and the modules the
 * registered skills load at run time.
 */
import { relative } from "node:path";
import { fileURLToPath } from "node:url";
import { registeredModules } from "@gateway/skills/registry.ts";
import type { SkillFactory } from "@gateway/skill_kit/skill.ts";
import type { CompileTarget } from "./compile_plan.ts";
import { DenoInfo, npmExcludes } from "./npm_excludes.ts";

/** The project root (the folder holding `deno.json`). */
export const ROOT = fileURLToPath(new URL("../", import.meta.url));

export class DenoInfoError extends Error {
  override name = "DenoInfoError";
}

/** `deno info --json` of one module, parsed. */
export async function denoInfo(module: string, root = ROOT): Promise<DenoInfo> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", module],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new DenoInfoError(
      `Cannot read the module graph of '${module}': ${new TextDecoder().decode(out.stderr).trim()}`,
    );
  }
  return DenoInfo.parse(JSON.parse(new TextDecoder().decode(out.stdout)));
}

/** The modules whose graphs a target embeds: its entry and its embedded TypeScript modules. */
export function graphRoots(target: CompileTarget): string[] {
  const modules = target.include.filter((p) => /\.(ts|tsx|js|mjs)$/.test(p));
  return [target.entry, ...modules];
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}

/** The `--exclude` paths for a target, relative to `root`, each existing. */
export async function excludesFor(target: CompileTarget, root = ROOT): Promise<string[]> {
  const infos = await Promise.all(graphRoots(target).map((m) => denoInfo(m, root)));
  // Embedded data files (the model) live inside packages no module imports: keep those.
  const keep = await Promise.all(target.include.map((p) => Deno.realPath(`${root}/${p}`)));
  const candidates = npmExcludes(infos, { root, platform: target.platform, keep });
  const present = await Promise.all(candidates.map((p) => exists(`${root}/${p}`)));
  return candidates.filter((_, i) => present[i]);
}

/**
 * Every module the registered skills load by URL (workers, driver processes), relative to
 * `root`, in registry order and without repeats: what a compiled gateway must embed.
 */
export async function skillModulePaths(
  factories?: readonly SkillFactory[],
  root = ROOT,
): Promise<string[]> {
  const urls = await registeredModules(factories);
  return [...new Set(urls.map((u) => relative(root, fileURLToPath(u))))];
}
