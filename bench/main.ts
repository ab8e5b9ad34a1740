/**
 * @module
 * Runs every benchmark script (`bench/*_bench.ts`) as its own process, collects the rows each
 * prints, prints one table and writes `bench/results.json`.
 *
 * Contract for a benchmark script: print one JSON object per line on stdout for each figure,
 * shaped as {@linkcode BenchRow}. Lines that are not such rows are shown as progress on stderr.
 * Scripts run one after another so that they do not compete for the two cores.
 *
 * Usage: `deno task bench [name-filter ...]`
 */
import { BenchRow, formatTable, machineInfo } from "./report.ts";

const filters = Deno.args.filter((a) => !a.startsWith("-"));
if (Deno.args.includes("--help") || Deno.args.includes("-h")) {
  console.log(`deno task bench [FILTER ...]

Runs bench/*_bench.ts one after another, prints a table of figures with ratios against
their in-run baselines, and writes bench/results.json.
FILTER keeps only scripts whose file name contains it (e.g. "gateway", "vad").`);
  Deno.exit(0);
}

/**
 * What a benchmark script may do: start the gateway, the edge, load clients and sound tools,
 * serve and call on loopback, read and write its temporary folders, and load onnxruntime's
 * native addon in process (VAD). Not `--allow-all`: each process it starts gets its own flags.
 */
const SCRIPT_PERMISSIONS = [
  "--allow-read",
  "--allow-write",
  "--allow-run",
  "--allow-net",
  "--allow-env",
  "--allow-sys",
  "--allow-ffi",
];

const dir = new URL(".", import.meta.url);
const scripts: string[] = [];
for await (const entry of Deno.readDir(dir)) {
  if (entry.isFile && entry.name.endsWith("_bench.ts")) scripts.push(entry.name);
}
scripts.sort();
const selected = scripts.filter((s) => filters.length === 0 || filters.some((f) => s.includes(f)));

const rows: BenchRow[] = [];
const failures: { script: string; code: number }[] = [];
for (const script of selected) {
  const started = performance.now();
  console.error(`▶ ${script}`);
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", ...SCRIPT_PERMISSIONS, new URL(script, dir).pathname],
    stdout: "piped",
    stderr: "inherit",
    cwd: new URL("..", dir).pathname,
  }).spawn();
  const decoder = new TextDecoderStream();
  let buffered = "";
  for await (const chunk of child.stdout.pipeThrough(decoder)) {
    buffered += chunk;
    let nl: number;
    while ((nl = buffered.indexOf("\n")) >= 0) {
      const line = buffered.slice(0, nl).trim();
      buffered = buffered.slice(nl + 1);
      const parsed = parseRow(line, script);
      if (parsed) {
        rows.push(parsed);
        console.error(`  ${parsed.name}: ${parsed.value} ${parsed.unit}`);
      } else if (line) console.error(`  ${line}`);
    }
  }
  const { code } = await child.status;
  if (code !== 0) failures.push({ script, code });
  console.error(`  done in ${((performance.now() - started) / 1000).toFixed(1)} s (exit ${code})`);
}

function parseRow(line: string, script: string): BenchRow | null {
  if (!line.startsWith("{")) return null;
  try {
    const parsed = BenchRow.safeParse({ script, ...JSON.parse(line) });
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

// A filtered run replaces only its own scripts' rows: the rest of the last full run stays, each
// row still naming the script (and so the run) it came from.
let kept: BenchRow[] = [];
if (filters.length > 0) {
  try {
    const previous = JSON.parse(await Deno.readTextFile(new URL("results.json", dir)));
    kept = (previous.rows as unknown[]).map((r) => BenchRow.safeParse(r))
      .filter((r) => r.success && !selected.includes(r.data.script))
      .map((r) => r.data!);
  } catch { /* no earlier results: write this run's alone */ }
}
const report = {
  generated_at: new Date().toISOString(),
  machine: await machineInfo(),
  rows: [...kept, ...rows].sort((a, b) => scripts.indexOf(a.script) - scripts.indexOf(b.script)),
  failures,
};
await Deno.writeTextFile(new URL("results.json", dir), JSON.stringify(report, null, 2) + "\n");
console.log(formatTable(rows));
console.log(`\nmachine: ${report.machine.summary}`);
console.log(
  `wrote bench/results.json (${rows.length} figures from ${selected.length} scripts` +
    (kept.length ? `, ${kept.length} kept from the last run of the others)` : ")"),
);
if (failures.length > 0) {
  console.error(`failed: ${failures.map((f) => `${f.script} (exit ${f.code})`).join(", ")}`);
  Deno.exit(1);
}
