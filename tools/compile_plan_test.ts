import { assert, assertEquals } from "@shared/testing/asserts.ts";
import {
  compileArgs,
  compilePlan as plan,
  EDGE_PERMISSIONS,
  GATEWAY_CORE_MODULES,
  GATEWAY_PERMISSIONS,
  ortBinaries,
  VAD_MODEL,
} from "./compile_plan.ts";
import { skillModulePaths } from "./compile_inputs.ts";

const ROOT = new URL("../", import.meta.url);
const TASKS = JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT))).tasks as Record<
  string,
  string
>;

const SKILL_MODULES = await skillModulePaths();
const compilePlan = () => plan({ skillModules: SKILL_MODULES });

/** The permission flags of a `deno run ... main.ts` task line. */
const taskPermissions = (task: string) =>
  TASKS[task]!.split(" ").filter((w) => w.startsWith("--allow"));

Deno.test("compilePlan() builds the edge for Linux and Windows and the gateway for Linux", () => {
  assertEquals(
    compilePlan().map((t) => [t.id, t.target, t.entry, t.output]),
    [
      ["edge-linux", "x86_64-unknown-linux-gnu", "edge/main.ts", "dist/voice-edge-linux-x64"],
      [
        "edge-windows",
        "x86_64-pc-windows-msvc",
        "edge/main.ts",
        "dist/voice-edge-windows-x64.exe",
      ],
      [
        "gateway-linux",
        "x86_64-unknown-linux-gnu",
        "gateway/main.ts",
        "dist/voice-gateway-linux-x64",
      ],
    ],
  );
});

Deno.test("every file and folder a compile would embed exists", async () => {
  for (const target of compilePlan()) {
    for (const path of [target.entry, ...target.include]) {
      const info = await Deno.stat(new URL(path, ROOT));
      assert(info.isFile || info.isDirectory, `${target.name}: ${path}`);
    }
  }
});

Deno.test("each edge embeds the model and its own platform's onnxruntime binding", async () => {
  for (const t of compilePlan().filter((t) => t.entry === "edge/main.ts")) {
    assertEquals(t.include, [VAD_MODEL, ortBinaries(t.platform)]);
    const names = [...Deno.readDirSync(new URL(ortBinaries(t.platform), ROOT))].map((e) => e.name);
    assert(names.includes("onnxruntime_binding.node"), `${t.name}: ${names}`);
  }
  assertEquals((await Deno.stat(new URL(VAD_MODEL, ROOT))).size > 1_000_000, true);
});

Deno.test("the baked-in permissions are those of deno task edge and deno task gateway", () => {
  assertEquals([...EDGE_PERMISSIONS].sort(), taskPermissions("edge").sort());
  assertEquals([...GATEWAY_PERMISSIONS].sort(), taskPermissions("gateway").sort());
});

Deno.test("compileArgs() puts flags before the entry and repeats --include and --exclude", () => {
  const gateway = compilePlan().find((t) => t.id === "gateway-linux")!;
  const args = compileArgs(gateway, { exclude: ["node_modules/a", "node_modules/b"] });
  assertEquals(args.slice(0, 3), ["compile", "--no-check", "--self-extracting"]);
  assert(args.includes("--allow-run=git,tar,deno"));
  assert(args.includes("--unstable-kv") && args.includes("--unstable-worker-options"));
  assertEquals(args.filter((a) => a === "--include").length, gateway.include.length);
  const at = args.indexOf("--exclude");
  assertEquals(args.slice(at, at + 4), [
    "--exclude",
    "node_modules/a",
    "--exclude",
    "node_modules/b",
  ]);
  assertEquals(args.slice(-3), ["--output", "dist/voice-gateway-linux-x64", "gateway/main.ts"]);
  assertEquals(compileArgs(gateway, { output: "/tmp/x" }).slice(-3, -1), ["--output", "/tmp/x"]);
  for (const m of [...SKILL_MODULES, ...GATEWAY_CORE_MODULES]) assert(args.includes(m), m);
});

Deno.test("the gateway embeds what the registered skills declare, in registry order", () => {
  assertEquals(SKILL_MODULES, [
    "gateway/skills/echo/echo_worker.ts",
    "gateway/skills/coding/coding_worker.ts",
    "gateway/skills/browser/browser_worker.ts",
    "gateway/skills/browser/driver_main.ts",
  ]);
  const gateway = compilePlan().find((t) => t.id === "gateway-linux")!;
  assertEquals(gateway.include.slice(0, SKILL_MODULES.length), SKILL_MODULES);
});

Deno.test("every worker module under gateway/ is embedded (test data aside)", async () => {
  const found: string[] = [];
  const walk = async (dir: string) => {
    for await (const e of Deno.readDir(new URL(dir, ROOT))) {
      if (e.isDirectory && !e.name.startsWith("_")) await walk(`${dir}${e.name}/`);
      else if (e.isFile && (e.name.endsWith("_worker.ts") || e.name === "driver_main.ts")) {
        found.push(`${dir}${e.name}`);
      }
    }
  };
  await walk("gateway/");
  assertEquals(found.sort(), [...SKILL_MODULES, ...GATEWAY_CORE_MODULES].sort());
});
