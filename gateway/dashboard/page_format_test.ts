import { assertEquals, assertStringIncludes } from "@shared/testing/asserts.ts";
import { chartHtml, diffHtml, esc, fmtCost, fmtMs, fmtTime } from "./page_format.ts";

Deno.test("the dashboard shows an unpriced cost as 'unpriced', not as nothing or $0", () => {
  assertEquals([fmtCost(null), fmtCost(undefined), fmtCost(0), fmtCost(0.01234)], [
    "unpriced",
    "",
    "",
    "$0.0123",
  ]);
});

Deno.test("esc() makes text safe in elements and attribute values", () => {
  assertEquals(
    esc(`<img src="x" onerror='y'>&`),
    "&lt;img src=&quot;x&quot; onerror=&#39;y&#39;&gt;&amp;",
  );
  assertEquals([esc(null), esc(undefined), esc(0)], ["", "", "0"]);
});

Deno.test("fmtMs() and fmtTime() keep durations and times short", () => {
  assertEquals([fmtMs(null), fmtMs(12.4), fmtMs(1500), fmtMs(600_000)], [
    "",
    "12 ms",
    "1.5 s",
    "10 min",
  ]);
  assertEquals(fmtTime("2026-01-02T03:04:05.678Z"), "03:04:05.678");
});

Deno.test("diffHtml() classes each line of a diff and escapes it", () => {
  assertEquals(
    diffHtml("--- a/x\n@@ -1 +1 @@\n-<old>\n+new\n same"),
    [
      '<span class="file">--- a/x</span>',
      '<span class="hunk">@@ -1 +1 @@</span>',
      '<span class="del">-&lt;old&gt;</span>',
      '<span class="add">+new</span>',
      '<span class=""> same</span>',
    ].join("\n"),
  );
});

Deno.test("chartHtml() draws a gap as a break and names the latest value and the maximum", () => {
  const html = chartHtml("queue depth", [1, 2, null, 4], "", 5000);
  assertStringIncludes(html, "queue depth: <b>4</b>");
  assertStringIncludes(html, "max 4");
  assertEquals(html.match(/<polyline/g)?.length, 1); // 1, 2
  assertEquals(html.match(/<circle/g)?.length, 1); // 4 alone after the gap
  assertStringIncludes(chartHtml("p95", [null, null], " ms", 5000), "p95: <b>–</b>");
});
