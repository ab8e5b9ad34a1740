/**
 * @module
 * The `deno compile` command lines for the single executables (pure, so tests can check every
 * embedded path): the edge for Windows and Linux, the gateway for Linux, with the Silero model,
 * the ONNX runtime binding, the worker modules and the browser driver embedded, and the same
 * permission flags as `deno task edge` / `deno task gateway`.
 *
 * The binaries are self-extracting: on first run they unpack their files next to themselves
 * (`<exe>.fs/<hash>/`), because onnxruntime-node and libSQL load native libraries that must be
 * real files on disk, and the browser driver is started as a file by path.
 */

/** An OS/architecture pair as npm packages name their prebuilt binaries. */
export interface Platform {
  os: "linux" | "win32" | "darwin";
  arch: "x64" | "arm64";
}

export interface CompileTarget {
  /** Short name for `--only`. */
  id: string;
  name: string;
  /** Rust target triple for `deno compile --target`. */
  target: string;
  platform: Platform;
  entry: string;
  output: string;
  permissions: readonly string[];
  /** Files and folders embedded beside the module graph (workers, model, data). */
  include: readonly string[];
}

/** The Silero v5 model, shipped inside `@ricky0123/vad-web`. */
export const VAD_MODEL = "node_modules/@ricky0123/vad-web/dist/silero_vad_v5.onnx";

/** onnxruntime-node's prebuilt binding (and its shared library) for one platform. */
export const ortBinaries = (p: Platform) =>
  `node_modules/onnxruntime-node/bin/napi-v6/${p.os}/${p.arch}`;

/** `deno task edge`. */
export const EDGE_PERMISSIONS = [
  "--allow-read",
  "--allow-write",
  "--allow-run",
  "--allow-net",
  "--allow-env",
  "--allow-ffi",
  "--allow-sys",
] as const;

/** `deno task gateway`. */
export const GATEWAY_PERMISSIONS = [
  "--allow-net",
  "--allow-read",
  "--allow-write",
  "--allow-env",
  "--allow-sys",
  "--allow-ffi",
  "--allow-run=git,tar,deno",
] as const;

/**
 * Modules the gateway core loads by URL at run time (Web Workers): `deno compile` cannot see
 * them in the module graph, so they are embedded explicitly. The skills' own modules (workers,
 * the browser driver) come from the skill registry, see `skillModulePaths()`.
 */
export const GATEWAY_CORE_MODULES = ["gateway/traces/libsql_worker.ts"] as const;

/**
 * Data files the gateway reads at run time. `deno.json` and `deno.lock` let an installed `deno`
 * run the unpacked browser driver with the same import map and locked versions.
 */
export const GATEWAY_DATA = ["data/datasette/metadata.json", "deno.json", "deno.lock"] as const;

const LINUX_X64: Platform = { os: "linux", arch: "x64" };
const WINDOWS_X64: Platform = { os: "win32", arch: "x64" };

export interface CompilePlanOptions {
  /**
   * What the registered skills load by URL at run time (their workers, the browser driver),
   * relative to the project root: `skillModulePaths()` reads them from the registry.
   */
  skillModules: readonly string[];
}

export function compilePlan(options: CompilePlanOptions): CompileTarget[] {
  return [
    {
      id: "edge-linux",
      name: "edge (Linux x64)",
      target: "x86_64-unknown-linux-gnu",
      platform: LINUX_X64,
      entry: "edge/main.ts",
      output: "dist/voice-edge-linux-x64",
      permissions: EDGE_PERMISSIONS,
      include: [VAD_MODEL, ortBinaries(LINUX_X64)],
    },
    {
      id: "edge-windows",
      name: "edge (Windows x64)",
      target: "x86_64-pc-windows-msvc",
      platform: WINDOWS_X64,
      entry: "edge/main.ts",
      output: "dist/voice-edge-windows-x64.exe",
      permissions: EDGE_PERMISSIONS,
      include: [VAD_MODEL, ortBinaries(WINDOWS_X64)],
    },
    {
      id: "gateway-linux",
      name: "gateway (Linux x64)",
      target: "x86_64-unknown-linux-gnu",
      platform: LINUX_X64,
      entry: "gateway/main.ts",
      output: "dist/voice-gateway-linux-x64",
      permissions: GATEWAY_PERMISSIONS,
      include: [...options.skillModules, ...GATEWAY_CORE_MODULES, ...GATEWAY_DATA],
    },
  ];
}

export interface CompileArgsOptions {
  /** Paths left out of the embedded file system (see `npm_excludes.ts`). */
  exclude?: readonly string[];
  /** Where the executable goes. @default the target's `output` */
  output?: string;
}

/** The arguments after `deno` for one target. */
export function compileArgs(t: CompileTarget, options: CompileArgsOptions = {}): string[] {
  return [
    "compile",
    "--no-check",
    "--self-extracting",
    ...t.permissions,
    "--unstable-kv",
    "--unstable-worker-options",
    "--target",
    t.target,
    ...t.include.flatMap((p) => ["--include", p]),
    ...(options.exclude ?? []).flatMap((p) => ["--exclude", p]),
    "--output",
    options.output ?? t.output,
    t.entry,
  ];
}
