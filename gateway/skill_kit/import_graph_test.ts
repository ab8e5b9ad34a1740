/**
 * The layering of the skill contract, checked on the source: the engine, the router and the
 * skills meet only in `gateway/skill_kit/`, so no module of one imports a module of another.
 */
import { assertEquals } from "@shared/testing/asserts.ts";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const GATEWAY = fileURLToPath(new URL("../", import.meta.url));

/** Folder → folders its modules must not import. */
const FORBIDDEN: Record<string, readonly string[]> = {
  "engine": ["skills", "router"],
  "skills": ["engine", "router"],
  "router": ["skills", "engine"],
  "skill_kit": ["engine", "skills", "router"],
};

const SPECIFIER =
  /^\s*(?:import|export)\s[^"'`;]*?from\s*["']([^"']+)["']|^\s*import\s*["']([^"']+)["']|\bimport\s*\(\s*["']([^"']+)["']\s*\)|new URL\(\s*["']([^"']+\.tsx?)["']\s*,\s*import\.meta\.url/gm;

/** Every import, re-export, dynamic import and worker URL specifier in a module's source. */
export function specifiers(source: string): string[] {
  return [...source.matchAll(SPECIFIER)].map((m) => (m[1] ?? m[2] ?? m[3] ?? m[4])!);
}

/** The gateway folder a specifier from `file` lands in, or undefined outside the gateway. */
function targetFolder(file: string, spec: string, root = GATEWAY): string | undefined {
  const path = spec.startsWith("@gateway/")
    ? join(root, spec.slice("@gateway/".length))
    : spec.startsWith(".")
    ? resolve(dirname(file), spec)
    : undefined;
  if (!path) return undefined;
  const rel = relative(root, path);
  return rel.startsWith("..") ? undefined : rel.split("/")[0];
}

async function* sources(dir: string): AsyncGenerator<string> {
  for await (const e of Deno.readDir(dir)) {
    const path = join(dir, e.name);
    if (e.isDirectory) yield* sources(path);
    else if (/\.tsx?$/.test(e.name)) yield path;
  }
}

/** `file → spec` for every forbidden edge under the checked folders of `root`. */
async function forbiddenEdges(root = GATEWAY): Promise<string[]> {
  const found: string[] = [];
  for (const [folder, banned] of Object.entries(FORBIDDEN)) {
    const dir = join(root, folder);
    if (!(await Deno.stat(dir).catch(() => null))?.isDirectory) continue;
    for await (const file of sources(dir)) {
      // Tests may wire the layers together (an engine running a real skill); products may not.
      if (file.endsWith("_test.ts")) continue;
      for (const spec of specifiers(await Deno.readTextFile(file))) {
        const to = targetFolder(file, spec, root);
        if (to && banned.includes(to)) found.push(`${relative(root, file)} → ${spec}`);
      }
    }
  }
  return found.sort();
}

Deno.test("no module of the engine, the router, the skills or the kit imports across them", async () => {
  assertEquals(await forbiddenEdges(), []);
});

Deno.test("specifiers() finds static, type-only, re-exported, dynamic and worker imports", () => {
  const source = [
    `import { a } from "../engine/engine.ts";`,
    `import type {\n  B,\n  C,\n} from "@gateway/router/router.ts";`,
    `export { d } from "./d.ts";`,
    `import "./side_effect.ts";`,
    `const m = await import("../skills/registry.ts");`,
    `const w = new URL("../skills/echo/echo_worker.ts", import.meta.url);`,
    `// the word import in a comment from "nowhere" is not an import`,
  ].join("\n");
  assertEquals(specifiers(source), [
    "../engine/engine.ts",
    "@gateway/router/router.ts",
    "./d.ts",
    "./side_effect.ts",
    "../skills/registry.ts",
    "../skills/echo/echo_worker.ts",
  ]);
});

Deno.test("a forbidden edge is reported by file and specifier", () => {
  const file = join(GATEWAY, "skills", "echo", "echo_skill.ts");
  assertEquals(targetFolder(file, "../../engine/backoff.ts"), "engine");
  assertEquals(targetFolder(file, "@gateway/router/router.ts"), "router");
  assertEquals(targetFolder(file, "../../skill_kit/skill.ts"), "skill_kit");
  assertEquals(targetFolder(file, "@shared/schemas/mod.ts"), undefined);
  assertEquals(targetFolder(file, "zod"), undefined);
});

Deno.test("the walk reports each forbidden edge of a tree by file and specifier", async () => {
  const root = await Deno.makeTempDir();
  try {
    const write = async (path: string, text: string) => {
      await Deno.mkdir(dirname(join(root, path)), { recursive: true });
      await Deno.writeTextFile(join(root, path), text);
    };
    await write("engine/engine.ts", `import type { Skill } from "../skill_kit/skill.ts";\n`);
    await write("engine/bad.ts", `import { echoSkill } from "../skills/echo/echo_skill.ts";\n`);
    await write(
      "skills/echo/echo_skill.ts",
      `import { backoffDelay } from "@gateway/engine/backoff.ts";\n`,
    );
    await write("skills/echo/echo_test.ts", `import { Engine } from "../../engine/engine.ts";\n`);
    await write(
      "skill_kit/skill.ts",
      `export type { RoutableSkill } from "../router/router.ts";\n`,
    );
    assertEquals(await forbiddenEdges(root), [
      "engine/bad.ts → ../skills/echo/echo_skill.ts",
      "skill_kit/skill.ts → ../router/router.ts",
      "skills/echo/echo_skill.ts → @gateway/engine/backoff.ts",
    ]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
