/**
 * @module
 * Which parts of `node_modules/` a compiled program does not need, from `deno info --json` of
 * its entry and of every module it embeds. With a local `node_modules/` directory,
 * `deno compile` embeds every installed package (about 550 MB here, most of it the other
 * platforms' onnxruntime binaries and packages only the tests or other programs use);
 * excluding what the module graphs cannot reach brings the edge to about 210 MB.
 *
 * One more exclusion works around a crash: `deno compile` 2.9 overflows its stack on
 * `bintrees/test/perf/100k`, a 2 MB extensionless test file that prom-client pulls in.
 */
import { z } from "zod";
import type { Platform } from "./compile_plan.ts";

/** The part of `deno info --json` used here. */
export const DenoInfo = z.object({
  modules: z.array(
    z.looseObject({ npmPackage: z.string().optional(), error: z.string().optional() }),
  ),
  npmPackages: z.record(
    z.string(),
    z.looseObject({
      name: z.string(),
      dependencies: z.array(z.string()).default([]),
      localPath: z.string().optional(),
    }),
  ).default({}),
});
export type DenoInfo = z.infer<typeof DenoInfo>;

const PLATFORMS: readonly Platform[] = [
  { os: "linux", arch: "x64" },
  { os: "linux", arch: "arm64" },
  { os: "win32", arch: "x64" },
  { os: "win32", arch: "arm64" },
  { os: "darwin", arch: "x64" },
  { os: "darwin", arch: "arm64" },
];

/** Test folders that break `deno compile` when embedded. */
const BROKEN_TEST_DIRS: Readonly<Record<string, string>> = { bintrees: "test" };

/** npm package ids reachable from the graphs' npm modules, through their dependencies. */
export function reachablePackages(infos: readonly DenoInfo[]): Set<string> {
  const seen = new Set<string>();
  for (const info of infos) {
    const stack = info.modules.flatMap((m) => (m.npmPackage ? [m.npmPackage] : []));
    while (stack.length) {
      const id = stack.pop()!;
      if (seen.has(id)) continue;
      seen.add(id);
      stack.push(...(info.npmPackages[id]?.dependencies ?? []));
    }
  }
  return seen;
}

/** `absolute` relative to `root` with forward slashes, or undefined when outside it. */
function relativeTo(root: string, absolute: string): string | undefined {
  const norm = (p: string) => p.replaceAll("\\", "/").replace(/\/+$/, "");
  const r = norm(root);
  const a = norm(absolute);
  return a.startsWith(r + "/") ? a.slice(r.length + 1) : undefined;
}

export interface NpmExcludeOptions {
  /** The project root that `localPath`s are under (absolute). */
  root: string;
  /** The platform the executable is for: the other platforms' onnxruntime binaries go. */
  platform: Platform;
  /** Absolute real paths the executable embeds on purpose: their packages stay. */
  keep?: readonly string[];
}

/**
 * Paths (relative to `root`) to pass to `deno compile --exclude`: every installed package that
 * no graph reaches and that holds nothing in `keep`, the onnxruntime-node binaries of other platforms, and the test folders that
 * break the compiler. Sorted, without duplicates.
 */
export function npmExcludes(infos: readonly DenoInfo[], options: NpmExcludeOptions): string[] {
  const reachable = reachablePackages(infos);
  const out = new Set<string>();
  const all = new Map<string, { name: string; localPath?: string | undefined }>();
  for (const info of infos) {
    for (const [id, pkg] of Object.entries(info.npmPackages)) all.set(id, pkg);
  }
  // Two ids (peer-dependency variants) may share a folder: keep it when either is reachable.
  const needed = new Set<string>();
  for (const [id, pkg] of all) if (reachable.has(id) && pkg.localPath) needed.add(pkg.localPath);
  const norm = (p: string) => p.replaceAll("\\", "/");
  const holdsKept = (dir: string) =>
    (options.keep ?? []).some((k) => norm(k) === norm(dir) || norm(k).startsWith(norm(dir) + "/"));
  for (const [id, pkg] of all) {
    const dir = pkg.localPath && relativeTo(options.root, pkg.localPath);
    if (!dir) continue;
    if (!reachable.has(id)) {
      if (!needed.has(pkg.localPath!) && !holdsKept(pkg.localPath!)) out.add(dir);
      continue;
    }
    if (pkg.name === "onnxruntime-node") {
      for (const p of PLATFORMS) {
        if (p.os !== options.platform.os || p.arch !== options.platform.arch) {
          out.add(`${dir}/bin/napi-v6/${p.os}/${p.arch}`);
        }
      }
    }
    const broken = BROKEN_TEST_DIRS[pkg.name];
    if (broken) out.add(`${dir}/${broken}`);
  }
  return [...out].sort();
}
