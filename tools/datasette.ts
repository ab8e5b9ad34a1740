/**
 * @module
 * `deno task datasette`: opens `<data-dir>/traces.sqlite` in Datasette with the project's
 * metadata, or says how to install Datasette (exit 1).
 *   deno task datasette [--data-dir data] [--port 8001]
 */
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { datasetteArgs, installHelp } from "./datasette_command.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: { "data-dir": { type: "string" }, port: { type: "string" }, help: { type: "boolean" } },
});
if (values.help) {
  console.log(
    "deno task datasette [--data-dir data] [--port 8001]\nOpens <data-dir>/traces.sqlite in Datasette on 127.0.0.1 with data/datasette/metadata.json.",
  );
  Deno.exit(0);
}
const port = Number(values.port ?? 8001);
if (!Number.isInteger(port) || port < 1 || port > 65535) {
  console.error(`Invalid --port '${values.port}': a number from 1 to 65535`);
  Deno.exit(2);
}
const db = join(values["data-dir"] ?? "data", "traces.sqlite");
const metadata = fileURLToPath(new URL("../data/datasette/metadata.json", import.meta.url));
try {
  await Deno.stat(db);
} catch {
  console.error(
    `No trace database at ${db}: run the gateway first (deno task gateway), or pass --data-dir.`,
  );
  Deno.exit(1);
}
let child: Deno.ChildProcess;
try {
  child = new Deno.Command("datasette", {
    args: datasetteArgs({ db, metadata, port }),
    stdin: "inherit",
    stdout: "inherit",
    stderr: "inherit",
  }).spawn();
} catch (err) {
  if (!(err instanceof Deno.errors.NotFound)) throw err;
  console.error(installHelp(port));
  Deno.exit(1);
}
console.error(`Datasette on http://127.0.0.1:${port}/traces (Ctrl-C stops it)`);
Deno.exit((await child.status).code);
