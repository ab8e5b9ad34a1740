import { assert, assertEquals } from "../shared/testing/asserts.ts";
import { compileArgs, compilePlan, GATEWAY_MODULES } from "./compile_plan.ts";

const ROOT = new URL("../", import.meta.url);

Deno.test("every file a compile would embed exists", async () => {
  for (const target of compilePlan()) {
    for (const path of [target.entry, ...target.include]) {
      const info = await Deno.stat(new URL(path, ROOT));
      assert(info.isFile || info.isDirectory, `${target.name}: ${path}`);
    }
  }
});

Deno.test("the gateway embeds every worker module the skills load", async () => {
  const found: string[] = [];
  for await (const dir of Deno.readDir(new URL("gateway/skills/", ROOT))) {
    if (!dir.isDirectory) continue;
    for await (const f of Deno.readDir(new URL(`gateway/skills/${dir.name}/`, ROOT))) {
      if (f.name.endsWith("_worker.ts") || f.name === "driver_main.ts") {
        found.push(`gateway/skills/${dir.name}/${f.name}`);
      }
    }
  }
  for (const module of found) assert(GATEWAY_MODULES.includes(module), `${module} is not embedded`);
});

Deno.test("compile arguments bake in the permissions and the unstable features", () => {
  const gateway = compilePlan().find((t) => t.entry === "gateway/main.ts")!;
  const args = compileArgs(gateway);
  assertEquals(args.slice(0, 2), ["compile", "--no-check"]);
  assert(args.includes("--allow-run=git,tar,deno"));
  assert(args.includes("--unstable-kv") && args.includes("--unstable-worker-options"));
  assertEquals(args.at(-1), "gateway/main.ts");
});
