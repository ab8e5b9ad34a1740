/**
 * @module
 * `deno task datasette`: opens `data/traces.sqlite` in Datasette with the project's metadata
 * (titles, descriptions, canned queries), or says how to install Datasette.
 *   deno task datasette [--data-dir data] [--port 8001]
 */
import { parseArgs } from "node:util";

const { values } = parseArgs({
  args: Deno.args,
  options: { "data-dir": { type: "string" }, port: { type: "string" }, help: { type: "boolean" } },
});
if (values.help) {
  console.log(
    "deno task datasette [--data-dir data] [--port 8001]\nOpens <data-dir>/traces.sqlite in Datasette on 127.0.0.1.",
  );
  Deno.exit(0);
}
const dataDir = values["data-dir"] ?? "data";
const db = `${dataDir}/traces.sqlite`;
const metadata = new URL("../data/datasette/metadata.json", import.meta.url).pathname;
try {
  await Deno.stat(db);
} catch {
  console.error(
    `No trace database at ${db}: run the gateway first (deno task gateway), or pass --data-dir.`,
  );
  Deno.exit(1);
}
try {
  const child = new Deno.Command("datasette", {
    args: ["serve", db, "-m", metadata, "--host", "127.0.0.1", "--port", values.port ?? "8001"],
    stdout: "inherit",
    stderr: "inherit",
  }).spawn();
  Deno.exit((await child.status).code);
} catch (err) {
  if (!(err instanceof Deno.errors.NotFound)) throw err;
  console.error(`Datasette is not installed. Install it, then run this again:
  pipx install datasette      (or: pip install datasette)
Then open http://127.0.0.1:${values.port ?? "8001"} — start with the canned queries "Slowest jobs",
"Failures" and "Cost per utterance", and the views job_runs and utterance_costs.`);
  Deno.exit(1);
}
