import { assertEquals } from "@shared/testing/asserts.ts";
import type { Content } from "@google/genai/web";
import {
  type ActionPlan,
  actionToCall,
  BROWSER_ACTIONS,
  normalizeUrl,
  parseKeyCombination,
  pruneScreenshots,
} from "./browser_actions.ts";
import { scale } from "./browser_config.ts";

const target = { context_id: "ctx-0000-1111", width: 1440, height: 900, page_timeout_ms: 5000 };
const context = target.context_id;

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

Deno.test("actionToCall() turns every Computer Use browser action into its driver call", () => {
  const cases: [string, Record<string, unknown>, ActionPlan][] = [
    ["open_web_browser", {}, { kind: "noop" }],
    ["click_at", { x: 500, y: 500 }, {
      kind: "call",
      call: { op: "click", context, x: 720, y: 450 },
    }],
    ["hover_at", { x: 100, y: 900 }, {
      kind: "call",
      call: { op: "hover", context, x: 144, y: 810 },
    }],
    ["type_text_at", { x: 208, y: 344, text: "hi" }, {
      kind: "call",
      call: {
        op: "type",
        context,
        x: 300,
        y: 310,
        text: "hi",
        press_enter: true,
        clear_before_typing: true,
      },
    }],
    ["type_text_at", { x: 0, y: 0, text: "a", press_enter: false, clear_before_typing: false }, {
      kind: "call",
      call: {
        op: "type",
        context,
        x: 0,
        y: 0,
        text: "a",
        press_enter: false,
        clear_before_typing: false,
      },
    }],
    ["scroll_document", { direction: "down" }, {
      kind: "call",
      call: { op: "scroll_document", context, direction: "down" },
    }],
    ["scroll_at", { x: 500, y: 500, direction: "up", magnitude: 400 }, {
      kind: "call",
      call: { op: "scroll_at", context, x: 720, y: 450, direction: "up", magnitude: 360 },
    }],
    // Horizontal magnitudes scale with the width; the default magnitude is 800.
    ["scroll_at", { x: 500, y: 500, direction: "right" }, {
      kind: "call",
      call: { op: "scroll_at", context, x: 720, y: 450, direction: "right", magnitude: 1152 },
    }],
    ["wait_5_seconds", {}, { kind: "call", call: { op: "wait", context, ms: 5000 } }],
    ["go_back", {}, { kind: "call", call: { op: "go_back", context } }],
    ["go_forward", {}, { kind: "call", call: { op: "go_forward", context } }],
    ["search", {}, {
      kind: "call",
      call: { op: "navigate", context, url: "https://www.google.com/", timeout_ms: 5000 },
    }],
    ["navigate", { url: "http://127.0.0.1:8080/qa/" }, {
      kind: "call",
      call: { op: "navigate", context, url: "http://127.0.0.1:8080/qa/", timeout_ms: 5000 },
    }],
    ["navigate", { url: "example.com/status" }, {
      kind: "call",
      call: { op: "navigate", context, url: "https://example.com/status", timeout_ms: 5000 },
    }],
    ["key_combination", { keys: "control+a" }, {
      kind: "call",
      call: { op: "key", context, keys: ["Control", "a"] },
    }],
    ["drag_and_drop", { x: 100, y: 100, destination_x: 200, destination_y: 300 }, {
      kind: "call",
      call: { op: "drag", context, x: 144, y: 90, to_x: 288, to_y: 270 },
    }],
  ];
  for (const [name, args, plan] of cases) {
    assertEquals(actionToCall(name, args, target), plan, name);
  }
  // Every action the loop claims to support has a case above.
  assertEquals(new Set(cases.map((c) => c[0])), new Set(BROWSER_ACTIONS));
});

Deno.test("actionToCall() answers unknown actions and unusable arguments with an error", () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ["teleport", {}, "Unknown action 'teleport'"],
    ["click_at", { x: "10", y: 5 }, "'click_at' needs numeric 'x' and 'y' on the 0-999 grid"],
    ["type_text_at", { x: 1, y: 1 }, "'type_text_at' needs a string 'text'"],
    [
      "scroll_document",
      { direction: "sideways" },
      "'scroll_document' needs 'direction' to be one of up, down, left, right",
    ],
    ["navigate", {}, "'navigate' needs a string 'url'"],
    [
      "navigate",
      { url: "file:///etc/passwd" },
      "Cannot open 'file:///etc/passwd': only http(s) URLs are allowed",
    ],
    [
      "navigate",
      { url: "javascript:alert(1)" },
      "Cannot open 'javascript:alert(1)': only http(s) URLs are allowed",
    ],
    [
      "key_combination",
      { keys: "hyper+q" },
      "'key_combination' cannot press 'hyper+q': use names like 'control+a'",
    ],
    [
      "drag_and_drop",
      { x: 1, y: 1 },
      "'drag_and_drop' needs numeric 'destination_x' and 'destination_y'",
    ],
  ];
  for (const [name, args, error] of cases) {
    assertEquals(actionToCall(name, args, target), { kind: "error", error }, name);
  }
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
