/**
 * What a compile embeds, checked without the `denort` runtime this machine cannot download:
 * the module graphs resolve, `deno compile` itself builds the Linux executables' embedded file
 * system (with a stand-in runtime binary, so nothing is downloaded), and the model and the
 * worker modules are found through the same code paths a compiled program runs.
 */
import { assert, assertEquals, assertStringIncludes } from "@shared/testing/asserts.ts";
import { basename } from "node:path";
import { compileArgs, compilePlan, VAD_MODEL } from "./compile_plan.ts";
import { denoInfo, excludesFor, graphRoots, ROOT, skillModulePaths } from "./compile_inputs.ts";
import { defaultModelPath, SileroVad } from "@edge/speech/silero_vad.ts";
import { createSkillSet } from "@gateway/skills/registry.ts";

const plan = compilePlan({ skillModules: await skillModulePaths() });

/**
 * `deno compile` lists what it embeds as a tree, folding a folder with one child into
 * `a/b` and a folder whose files it does not list into `dir/*`: accept either form.
 */
function assertListed(log: string, path: string, what: string) {
  const parts = path.split("/");
  const forms = [` ${parts.at(-1)} (`];
  for (let end = parts.length - 1; end > 0; end--) {
    for (let start = 0; start < end; start++) {
      forms.push(` ${parts.slice(start, end).join("/")}/* (`);
    }
  }
  for (let start = 0; start < parts.length - 1; start++) {
    forms.push(` ${parts.slice(start).join("/")} (`);
  }
  assert(forms.some((f) => log.includes(f)), `${what}: ${path} is not listed as embedded`);
}
const MB = 1024 * 1024;

Deno.test("the module graph of every entry and embedded module resolves", async () => {
  for (const target of plan) {
    for (const module of graphRoots(target)) {
      const info = await denoInfo(module);
      const broken = info.modules.filter((m) => m.error).map((m) => `${m.specifier}: ${m.error}`);
      assertEquals(broken, [], `${target.name}: ${module}`);
    }
  }
});

Deno.test("the excludes exist and never drop what a target embeds", async () => {
  for (const target of plan) {
    const excludes = await excludesFor(target);
    assert(excludes.length > 0, target.name);
    for (const path of excludes) {
      assert(path.startsWith("node_modules/.deno/"), path);
      await Deno.lstat(`${ROOT}/${path}`);
    }
    if (target.entry === "edge/main.ts") {
      const model = await Deno.realPath(`${ROOT}/${VAD_MODEL}`);
      for (const path of excludes) {
        assert(!model.startsWith(`${ROOT}${path}/`), `${target.name} drops the model: ${path}`);
      }
      const ort = await Deno.realPath(`${ROOT}/${target.include[1]}`);
      assert(!excludes.some((p) => ort.startsWith(`${ROOT}${p}`)), `${target.name} drops ${ort}`);
      const other = target.platform.os === "linux" ? "win32/x64" : "linux/x64";
      assert(excludes.some((p) => p.endsWith(`napi-v6/${other}`)), `${target.name} keeps ${other}`);
    }
  }
});

for (const target of plan.filter((t) => t.target === "x86_64-unknown-linux-gnu")) {
  Deno.test({
    name: `deno compile builds the file system of ${target.name} with everything it loads`,
    // The stand-in runtime must be an executable of the target's format: ELF on Linux.
    ignore: Deno.build.os !== "linux",
    async fn() {
      const dir = await Deno.makeTempDir({ prefix: "compile-" });
      try {
        const args = compileArgs(target, {
          exclude: await excludesFor(target),
          output: `${dir}/${basename(target.output)}`,
        });
        const out = await new Deno.Command(Deno.execPath(), {
          args,
          cwd: ROOT,
          env: { DENORT_BIN: "/bin/true", NO_COLOR: "1" },
          stdout: "piped",
          stderr: "piped",
        }).output();
        const log = new TextDecoder().decode(out.stderr);
        assert(out.success, log.slice(-2000));
        assertStringIncludes(log, "Embedded Files");
        for (const path of target.include) assertListed(log, path, target.name);
        if (target.entry === "edge/main.ts") {
          assertStringIncludes(log, "linux/x64/* (");
          // Other platforms' folders stay as empty entries; none may carry their megabytes.
          assert(
            !/(darwin|win32|arm64)[^\n]*MB/.test(log),
            "another platform's binaries are embedded",
          );
        }
        const size = /^Files: ([\d.]+)MB$/m.exec(log);
        assert(size, "the compile prints the embedded size");
        // Everything installed would be ~550 MB; the excludes keep what the graphs reach.
        assert(Number(size[1]) * MB < 300 * MB, `${target.name}: ${size[1]} MB embedded`);
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    },
  });
}

Deno.test("the edge loads the embedded model through the path a compiled program uses", async () => {
  const fromEnv = Deno.env.get("VAD_MODEL_PATH");
  if (!fromEnv) {
    // The default resolves relative to the module, so it points into the embedded tree.
    assertEquals(
      await Deno.realPath(defaultModelPath()),
      await Deno.realPath(`${ROOT}/${VAD_MODEL}`),
    );
  }
  const vad = await SileroVad.load();
  const p = await vad.probability(new Float32Array(512));
  assert(p >= 0 && p < 0.5, `silence scored ${p}`);
});

Deno.test("every worker module the gateway's skills start is embedded", async () => {
  const set = createSkillSet();
  try {
    const workers = set.skills.map((s) =>
      s.worker.href.slice(new URL("../", import.meta.url).href.length)
    );
    const gateway = plan.find((t) => t.id === "gateway-linux")!;
    for (const w of workers) {
      assert(gateway.include.includes(w), `${w} is not embedded`);
    }
  } finally {
    await set.close();
  }
});
