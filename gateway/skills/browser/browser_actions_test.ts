import { assertEquals } from "@shared/testing/asserts.ts";
import type { Content } from "@google/genai/web";
import {
  keyNames,
  normalizeUrl,
  parseKeyCombination,
  pruneScreenshots,
} from "./browser_actions.ts";
import { scale } from "./browser_config.ts";

Deno.test("scale() maps the 0-999 grid onto the viewport and clamps", () => {
  const cases: [number, number, number][] = [
    [0, 1440, 0],
    [500, 1440, 720],
    [999, 1440, 1439],
    [208, 1440, 300],
    [183, 900, 165],
    [-20, 900, 0],
    [5000, 900, 899],
    [Number.NaN, 900, 0],
  ];
  for (const [value, size, px] of cases) assertEquals(scale(value, size), px, `${value}/${size}`);
});

Deno.test("parseKeyCombination() maps model key names to Playwright's", () => {
  const cases: [string, string[] | null][] = [
    ["Enter", ["Enter"]],
    ["return", ["Enter"]],
    ["control+c", ["Control", "c"]],
    ["Control+A", ["Control", "a"]],
    ["ctrl+shift+T", ["Control", "Shift", "t"]],
    ["cmd+l", ["Meta", "l"]],
    ["alt+F4", ["Alt", "F4"]],
    ["esc", ["Escape"]],
    ["PageDown", ["PageDown"]],
    ["up", ["ArrowUp"]],
    ["A", ["A"]],
    ["control+plus", ["Control", "+"]],
    ["", null],
    ["control+", null],
    ["hyper", null],
  ];
  for (const [keys, want] of cases) assertEquals(parseKeyCombination(keys), want, keys);
});

Deno.test("keyNames() maps a list of key names, pressed together, to Playwright's", () => {
  const cases: [string[], string[] | null][] = [
    [["control", "a"], ["Control", "a"]],
    [["Shift", "Tab"], ["Shift", "Tab"]],
    [["+"], ["+"]],
    [["control", "+"], ["Control", "+"]],
    [["enter"], ["Enter"]],
    [[], null],
    [["control", ""], null],
    [["hyper"], null],
  ];
  for (const [keys, want] of cases) assertEquals(keyNames(keys), want, keys.join(","));
});

Deno.test("normalizeUrl() adds https:// to a bare host and leaves schemes alone", () => {
  const cases: [string, string][] = [
    ["example.com", "https://example.com"],
    [" localhost:8080/qa ", "https://localhost:8080/qa"],
    ["localhost:8080", "https://localhost:8080"],
    ["http://a.test/", "http://a.test/"],
    ["about:blank", "about:blank"],
    ["file:///x", "file:///x"],
  ];
  for (const [url, want] of cases) assertEquals(normalizeUrl(url), want, url);
});

function png(tag: string) {
  return { inlineData: { mimeType: "image/png", data: tag } };
}
function reply(tag: string): Content {
  return {
    role: "user",
    parts: [{ functionResponse: { name: "click_at", response: { url: "u" }, parts: [png(tag)] } }],
  };
}
const model: Content = { role: "model", parts: [{ functionCall: { name: "click_at", args: {} } }] };

Deno.test("pruneScreenshots() keeps screenshots in the last three turns only", () => {
  const cases: [number, string[]][] = [
    [1, ["s0", "s1"]],
    [2, ["s0", "s1", "s2"]],
    [3, ["s1", "s2", "s3"]],
    [5, ["s3", "s4", "s5"]],
  ];
  for (const [turns, kept] of cases) {
    const contents: Content[] = [{ role: "user", parts: [{ text: "go" }, png("s0")] }];
    for (let i = 1; i <= turns; i++) contents.push(model, reply(`s${i}`));
    pruneScreenshots(contents);
    const left = contents.flatMap((c) =>
      (c.parts ?? []).flatMap((p) =>
        p.inlineData
          ? [p.inlineData.data]
          : (p.functionResponse?.parts ?? []).map((q) => q.inlineData?.data)
      )
    );
    assertEquals(left, kept, `${turns} turns`);
    // Older turns keep their text, URL and function names.
    assertEquals(contents[0]!.parts?.[0], { text: "go" });
    assertEquals(contents.at(-1)!.parts?.[0]?.functionResponse?.response, { url: "u" });
    assertEquals(contents.length, 1 + 2 * turns);
  }
});
