/**
 * @module
 * The row format every benchmark script prints, and the table/markdown rendering of a report.
 */
import { z } from "zod";

/** One measured figure. `ratio` compares it with `baseline`, measured in the same run. */
export const BenchRow = z.object({
  script: z.string(),
  /** Group, e.g. "gateway", "queue", "vad". */
  bench: z.string(),
  name: z.string(),
  value: z.number(),
  unit: z.string(),
  baseline: z.object({ name: z.string(), value: z.number(), unit: z.string() }).optional(),
  /** value / baseline.value unless said otherwise in `notes` (e.g. inverted for latencies). */
  ratio: z.number().optional(),
  goal: z.string().optional(),
  /** Whether the goal was met, when there is one. */
  met: z.boolean().optional(),
  notes: z.string().optional(),
});
export type BenchRow = z.infer<typeof BenchRow>;

/** Prints a row from inside a benchmark script, in the format `bench/main.ts` collects. */
export function emit(row: Omit<BenchRow, "script">): void {
  console.log(JSON.stringify(row));
}

function num(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Math.abs(v) >= 100) return v.toFixed(0);
  if (Math.abs(v) >= 1) return v.toFixed(2);
  return v.toPrecision(3);
}

/** A cell's text with `|` escaped, so that a figure naming a shell pipe stays in its column. */
function cell(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\|/g, "\\|");
}

/** Renders rows as a fixed-width text table (also valid Markdown). */
export function formatTable(rows: readonly BenchRow[]): string {
  const header = ["bench", "figure", "value", "baseline", "ratio", "goal", "met"];
  const body = rows.map((r) =>
    [
      r.bench,
      r.name,
      `${num(r.value)} ${r.unit}`,
      r.baseline ? `${r.baseline.name}: ${num(r.baseline.value)} ${r.baseline.unit}` : "",
      r.ratio === undefined ? "" : `${num(r.ratio)}×`,
      r.goal ?? "",
      r.met === undefined ? "" : r.met ? "yes" : "no",
    ].map(cell)
  );
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    "| " + cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ") + " |";
  return [
    line(header),
    "|" + widths.map((w) => "-".repeat(w + 2)).join("|") + "|",
    ...body.map(line),
  ]
    .join("\n");
}

/** Facts about this machine for the report header. */
export async function machineInfo(): Promise<{ summary: string; cores: number; os: string }> {
  let cpu = "unknown cpu";
  try {
    // Deno treats /proc as privileged beyond --allow-read; `cat` needs only --allow-run.
    const out = await new Deno.Command("cat", { args: ["/proc/cpuinfo"], stdout: "piped" })
      .output();
    const info = new TextDecoder().decode(out.stdout);
    cpu = /model name\s*:\s*(.+)/.exec(info)?.[1] ?? cpu;
  } catch { /* not Linux */ }
  const cores = navigator.hardwareConcurrency;
  const os = `${Deno.build.os}-${Deno.build.arch}`;
  return { summary: `${cpu}, ${cores} cores, ${os}, deno ${Deno.version.deno}`, cores, os };
}

/** p-th percentile (0–100) of a list of numbers, nearest-rank. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}
