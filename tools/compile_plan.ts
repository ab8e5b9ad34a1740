/**
 * @module
 * The `deno compile` command lines for the single executables (pure, so a test can check that
 * every embedded file exists): the edge for Windows and Linux, the gateway for Linux, with the
 * Silero model, the ONNX runtime binding, the worker modules and the driver embedded, and the
 * same permission flags as `deno task edge` / `deno task gateway`.
 */

export interface CompileTarget {
  name: string;
  target: string;
  entry: string;
  output: string;
  permissions: string[];
  include: string[];
}

const ORT = "node_modules/onnxruntime-node/bin/napi-v6";

export const EDGE_PERMISSIONS = [
  "--allow-read",
  "--allow-write",
  "--allow-run",
  "--allow-net",
  "--allow-env",
  "--allow-ffi",
  "--allow-sys",
];

export const GATEWAY_PERMISSIONS = [
  "--allow-net",
  "--allow-read",
  "--allow-write",
  "--allow-env",
  "--allow-sys",
  "--allow-ffi",
  "--allow-run=git,tar,deno",
];

/** Worker and subprocess modules the gateway loads by URL at run time. */
export const GATEWAY_MODULES = [
  "gateway/skills/echo/echo_worker.ts",
  "gateway/skills/coding/coding_worker.ts",
  "gateway/skills/browser/browser_worker.ts",
  "gateway/skills/browser/driver_main.ts",
  "gateway/traces/libsql_worker.ts",
];

export function compilePlan(): CompileTarget[] {
  const model = "node_modules/@ricky0123/vad-web/dist/silero_vad_v5.onnx";
  return [
    {
      name: "edge (Linux x64)",
      target: "x86_64-unknown-linux-gnu",
      entry: "edge/main.ts",
      output: "dist/voice-edge-linux-x64",
      permissions: EDGE_PERMISSIONS,
      include: [model, `${ORT}/linux/x64`],
    },
    {
      name: "edge (Windows x64)",
      target: "x86_64-pc-windows-msvc",
      entry: "edge/main.ts",
      output: "dist/voice-edge-windows-x64.exe",
      permissions: EDGE_PERMISSIONS,
      include: [model, `${ORT}/win32/x64`],
    },
    {
      name: "gateway (Linux x64)",
      target: "x86_64-unknown-linux-gnu",
      entry: "gateway/main.ts",
      output: "dist/voice-gateway-linux-x64",
      permissions: GATEWAY_PERMISSIONS,
      include: [...GATEWAY_MODULES, "data/datasette/metadata.json"],
    },
  ];
}

export function compileArgs(t: CompileTarget): string[] {
  return [
    "compile",
    "--no-check",
    ...t.permissions,
    "--unstable-kv",
    "--unstable-worker-options",
    "--target",
    t.target,
    ...t.include.flatMap((p) => ["--include", p]),
    "--output",
    t.output,
    t.entry,
  ];
}
