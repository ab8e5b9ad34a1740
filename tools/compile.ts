/**
 * @module
 * `deno task compile`: builds the single executables into `dist/` (see `compile_plan.ts`).
 * `deno compile` downloads a `denort` runtime per target; where that cannot be reached (our
 * offline build machines), it says so and exits 1 — CI on GitHub builds the release binaries.
 */
import { compileArgs, compilePlan } from "./compile_plan.ts";

if (Deno.args.includes("--help")) {
  console.log(
    "deno task compile [--dry-run]\n\nBuilds dist/voice-edge-{linux-x64,windows-x64.exe} and dist/voice-gateway-linux-x64.\n--dry-run prints the deno compile commands only.",
  );
  Deno.exit(0);
}
const dry = Deno.args.includes("--dry-run");
let failed = 0;
for (const target of compilePlan()) {
  const args = compileArgs(target);
  console.log(`▶ ${target.name}: deno ${args.join(" ")}`);
  if (dry) continue;
  const out = await new Deno.Command(Deno.execPath(), { args, stdout: "inherit", stderr: "piped" })
    .output();
  const err = new TextDecoder().decode(out.stderr);
  if (out.success) {
    console.log(`  ✔ ${target.output}`);
    continue;
  }
  failed++;
  console.error(err.trim().split("\n").slice(-3).join("\n"));
  if (/denort|download|dl\.deno\.land|error sending request/i.test(err)) {
    console.error(
      "  ✘ deno compile could not download its runtime for this target (no internet here); the GitHub release workflow builds it.",
    );
  }
}
Deno.exit(failed ? 1 : 0);
