/**
 * @module
 * Runs outside the sandbox: lists a workspace's tracked files and checks a patch with
 * `git apply --check` against a clean export of HEAD in a temporary folder. The workspace's
 * working tree, index and `.git` are never written.
 */

async function git(
  args: string[],
  cwd?: string,
): Promise<{ ok: boolean; out: string; err: string }> {
  const out = await new Deno.Command("git", {
    args,
    ...(cwd ? { cwd } : {}),
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
  }).output();
  return {
    ok: out.success,
    out: new TextDecoder().decode(out.stdout),
    err: new TextDecoder().decode(out.stderr).trim(),
  };
}

export class WorkspaceError extends Error {
  override name = "WorkspaceError";
}

/**
 * Tracked regular files of the repository at `workspace`: symlinks (mode 120000) and submodules
 * (160000) are left out, as the model should see only files of this repository.
 */
export async function trackedFiles(workspace: string): Promise<string[]> {
  const r = await git(["-C", workspace, "ls-files", "--stage", "-z"]);
  if (!r.ok) throw new WorkspaceError(`'${workspace}' is not a git repository: ${r.err}`);
  // Each entry: "<mode> <object> <stage>\t<path>".
  return r.out.split("\0").filter(Boolean).flatMap((entry) => {
    const tab = entry.indexOf("\t");
    const mode = entry.slice(0, 6);
    return tab > 0 && (mode === "100644" || mode === "100755") ? [entry.slice(tab + 1)] : [];
  }).filter((path, i, all) => i === 0 || all[i - 1] !== path); // one row per merge stage
}

/** The commit `HEAD` names, which the proposal is made against. */
export async function headCommit(workspace: string): Promise<string> {
  const r = await git(["-C", workspace, "rev-parse", "--verify", "HEAD^{commit}"]);
  if (!r.ok) throw new WorkspaceError(`'${workspace}' has no commit to propose a patch against`);
  return r.out.trim();
}

/** Whether `patchFile` applies to a clean checkout of `commit`, and why not. */
export async function checkPatch(
  workspace: string,
  patchFile: string,
  commit = "HEAD",
): Promise<{ applies: boolean; error?: string }> {
  const tmp = await Deno.makeTempDir({ prefix: "patch-check-" });
  try {
    const archive = new Deno.Command("git", {
      args: ["-C", workspace, "archive", "--format=tar", commit],
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const tar = new Deno.Command("tar", {
      args: ["-x", "-C", tmp],
      stdin: "piped",
      stderr: "piped",
    }).spawn();
    await archive.stdout.pipeTo(tar.stdin);
    const [a, t] = await Promise.all([archive.output(), tar.output()]);
    if (!a.success || !t.success) {
      return {
        applies: false,
        error: `cannot export ${commit}: ${new TextDecoder().decode(a.stderr)}${
          new TextDecoder().decode(t.stderr)
        }`.trim(),
      };
    }
    const r = await git(["apply", "--check", "--verbose", patchFile], tmp);
    return r.ok
      ? { applies: true }
      : { applies: false, error: r.err || "git apply --check failed" };
  } finally {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
  }
}
