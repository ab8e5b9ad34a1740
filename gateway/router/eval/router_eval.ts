/**
 * @module
 * Scores the router against the labelled utterances in `utterances.json`: exact match of the
 * set of intents, overall, per class and per split, plus a confusion table (expected intent set
 * → routed intent set). Pure apart from {@link loadEvalSet}.
 */
import { z } from "zod";

export const EvalItem = z.object({
  /** What kind of phrasing it tests (fillers, negation, spoken names...). */
  class: z.string().min(1),
  text: z.string().min(1),
  /** The intents it should reach, sorted; empty means unrouted. */
  intents: z.array(z.string()),
  /**
   * `dev` is tuned against; `holdout`, `holdout2` and `holdout3` were each written later, without
   * sight of the set or the lexicons, measured before any change they led to, and are kept to
   * check that fixes generalise. `blind` is `blind.json`: written the same way, and never tuned
   * on, so that its score stays a first-sight figure.
   */
  split: z.enum([
    "dev",
    "holdout",
    "holdout2",
    "holdout3",
    "holdout4",
    "holdout5",
    "holdout6",
    "blind",
  ]),
});
export type EvalItem = z.infer<typeof EvalItem>;
export const EvalSet = z.array(EvalItem).min(1);

/** Reads and validates an evaluation set: the repository's, or another file of the same form. */
export async function loadEvalSet(
  url: URL = new URL("./utterances.json", import.meta.url),
): Promise<EvalItem[]> {
  return EvalSet.parse(JSON.parse(await Deno.readTextFile(url)));
}

export interface Accuracy {
  correct: number;
  total: number;
  accuracy: number;
}

export interface Miss {
  item: EvalItem;
  got: string[];
}

export interface EvalReport {
  overall: Accuracy;
  bySplit: Record<string, Accuracy>;
  byClass: Record<string, Accuracy>;
  /** expected label → routed label → count, labels as "browser+coding" or "(none)". */
  confusion: Record<string, Record<string, number>>;
  misses: Miss[];
}

/** "browser+coding", or "(none)" for an empty set. */
export function intentLabel(intents: readonly string[]): string {
  const set = [...new Set(intents)].sort();
  return set.length ? set.join("+") : "(none)";
}

function tally(map: Map<string, Accuracy>, key: string, ok: boolean): void {
  const a = map.get(key) ?? { correct: 0, total: 0, accuracy: 0 };
  a.total++;
  if (ok) a.correct++;
  a.accuracy = a.correct / a.total;
  map.set(key, a);
}

/** Routes every item with `route` (which returns the routed intents) and scores the result. */
export function evaluate(
  items: readonly EvalItem[],
  route: (text: string) => readonly string[],
): EvalReport {
  const overall = new Map<string, Accuracy>();
  const bySplit = new Map<string, Accuracy>();
  const byClass = new Map<string, Accuracy>();
  const confusion: Record<string, Record<string, number>> = {};
  const misses: Miss[] = [];
  for (const item of items) {
    const got = [...new Set(route(item.text))].sort();
    const expected = intentLabel(item.intents);
    const label = intentLabel(got);
    const ok = expected === label;
    tally(overall, "all", ok);
    tally(bySplit, item.split, ok);
    tally(byClass, item.class, ok);
    const row = (confusion[expected] ??= {});
    row[label] = (row[label] ?? 0) + 1;
    if (!ok) misses.push({ item, got });
  }
  return {
    overall: overall.get("all") ?? { correct: 0, total: 0, accuracy: 0 },
    bySplit: Object.fromEntries(bySplit),
    byClass: Object.fromEntries(byClass),
    confusion,
    misses,
  };
}

/** The confusion table as fixed-width text (rows: expected, columns: routed). */
export function formatConfusion(confusion: EvalReport["confusion"]): string {
  const rows = Object.keys(confusion).sort();
  const cols = [...new Set(rows.flatMap((r) => Object.keys(confusion[r]!)))].sort();
  const head = ["expected \\ routed", ...cols];
  const body = rows.map((r) => [r, ...cols.map((c) => String(confusion[r]![c] ?? ""))]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join("  ");
  return [line(head), ...body.map(line)].join("\n");
}
