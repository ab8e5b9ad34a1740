/**
 * @module
 * The pure formatting of the dashboard's browser script: escaping, durations, costs, times,
 * diffs and the SVG charts. The page embeds each function's source text (see
 * `client_script.ts`), so each is self-contained apart from `esc`, which is embedded too:
 * tested here, run there.
 */

/** Text made safe for HTML, attribute values included. */
export const esc = (s: unknown): string =>
  String(s ?? "").replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c,
  );

export const fmtMs = (ms: number | null | undefined): string =>
  ms == null
    ? ""
    : ms < 1000
    ? Math.round(ms) + " ms"
    : ms < 120000
    ? (ms / 1000).toFixed(1) + " s"
    : Math.round(ms / 60000) + " min";

/** null is a model without a price: its cost is unknown, not zero. */
export const fmtCost = (usd: number | null | undefined): string =>
  usd === null ? "unpriced" : usd ? "$" + usd.toFixed(4) : "";

/** The time of day of an ISO timestamp, to the millisecond. */
export const fmtTime = (iso: string | undefined): string => String(iso || "").slice(11, 23);

/** A unified diff as lines classed `file`, `hunk`, `add` or `del`. */
export function diffHtml(text: string): string {
  return text.split("\n").map((l) => {
    const cls = l.startsWith("+++") || l.startsWith("---") || l.startsWith("diff ")
      ? "file"
      : l.startsWith("+")
      ? "add"
      : l.startsWith("-")
      ? "del"
      : l.startsWith("@@")
      ? "hunk"
      : "";
    return '<span class="' + cls + '">' + esc(l) + "</span>";
  }).join("\n");
}

/**
 * One chart: its label with the latest value and the maximum, then a line over `values`
 * (oldest first, one per bucket of `bucketMs`); a gap (null) breaks the line.
 */
export function chartHtml(
  label: string,
  values: readonly (number | null)[],
  unit: string,
  bucketMs: number,
): string {
  const w = 320, h = 70;
  const max = Math.max(1, ...values.filter((v): v is number => v != null));
  const step = w / Math.max(1, values.length - 1);
  const segs: string[][] = [];
  let cur: string[] = [];
  values.forEach((v, i) => {
    if (v == null) {
      if (cur.length) segs.push(cur);
      cur = [];
      return;
    }
    cur.push((i * step).toFixed(1) + "," + (h - 2 - (v / max) * (h - 6)).toFixed(1));
  });
  if (cur.length) segs.push(cur);
  const last = [...values].reverse().find((v) => v != null);
  const minutes = Math.round((values.length * bucketMs) / 60000);
  const line = (s: string[]) => {
    if (s.length > 1) {
      return '<polyline fill="none" stroke="#36c" stroke-width="1.5" points="' + s.join(" ") +
        '"/>';
    }
    const [x, y] = (s[0] ?? "0,0").split(",");
    return '<circle r="2" fill="#36c" cx="' + x + '" cy="' + y + '"/>';
  };
  return '<div class="chart-label">' + esc(label) + ": <b>" +
    esc(last == null ? "–" : (Math.round(last * 100) / 100) + unit) + "</b>" +
    ' <span class="muted">max ' + esc(Math.round(max * 100) / 100) + "</span></div>" +
    '<svg width="' + w + '" height="' + h + '" role="img" aria-label="' + esc(label) +
    '"><rect width="' + w + '" height="' + h + '" fill="#fafafa"/>' + segs.map(line).join("") +
    '</svg><div class="muted axis"><span>−' + minutes + " min</span><span>now</span></div>";
}

/** Every function the page embeds, in order. */
export const PAGE_FORMAT = { esc, fmtMs, fmtCost, fmtTime, diffHtml, chartHtml } as const;
