/**
 * @module
 * `deno task compile`: builds the single executables into `dist/` (see `compile_plan.ts`).
 *   deno task compile [--dry-run] [--only edge-linux,edge-windows,gateway-linux]
 * `deno compile` downloads a `denort` runtime per target; where that cannot be reached (an
 * offline build machine), it says so and exits 1: the release workflow on GitHub builds them.
 */
import { parseArgs } from "node:util";
import { compileArgs, compilePlan } from "./compile_plan.ts";
import { excludesFor, ROOT, skillModulePaths } from "./compile_inputs.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    "dry-run": { type: "boolean" },
    only: { type: "string" },
    help: { type: "boolean" },
  },
});
const plan = compilePlan({ skillModules: await skillModulePaths() });
if (values.help) {
  console.log(`deno task compile [--dry-run] [--only ${plan.map((t) => t.id).join(",")}]

Builds ${plan.map((t) => t.output).join(", ")}
with the Silero model, the onnxruntime binding, the worker modules and the browser driver
embedded and the permission flags of 'deno task edge' / 'deno task gateway' baked in.
--dry-run prints the deno compile command lines only.`);
  Deno.exit(0);
}
const only = values.only?.split(",").map((s) => s.trim()).filter(Boolean);
const unknown = only?.filter((id) => !plan.some((t) => t.id === id)) ?? [];
if (unknown.length) {
  console.error(
    `Unknown target '${unknown.join(", ")}': choose from ${plan.map((t) => t.id).join(", ")}`,
  );
  Deno.exit(2);
}

let failed = 0;
for (const target of plan.filter((t) => !only || only.includes(t.id))) {
  const args = compileArgs(target, { exclude: await excludesFor(target) });
  console.log(`▶ ${target.name}: deno ${args.join(" ")}`);
  if (values["dry-run"]) continue;
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT,
    stdout: "inherit",
    stderr: "piped",
  }).output();
  const err = new TextDecoder().decode(out.stderr);
  if (out.success) {
    console.log(`  ✔ ${target.output}`);
    continue;
  }
  failed++;
  // Warnings about other platforms' optional packages are expected; show the error itself.
  const from = Math.max(0, err.search(/error/i));
  console.error(err.slice(from).split("Stack backtrace")[0]!.trim());
  if (/denort|dl\.deno\.land|error sending request/i.test(err)) {
    console.error(
      `  ✘ ${target.name}: deno compile could not download its denort runtime for ${target.target} (no internet here). The release workflow builds the executables on GitHub; DENORT_BIN=<path to denort> uses a local copy.`,
    );
  }
}
Deno.exit(failed ? 1 : 0);
