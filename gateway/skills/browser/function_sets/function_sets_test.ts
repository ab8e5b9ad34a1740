/**
 * Both Computer Use function sets as tables: every function's driver call (coordinates scaled
 * from the 0–999 grid to 1440×900), the exact errors for unknown names and bad arguments, and
 * which models speak which set.
 */
import { assertEquals } from "@shared/testing/asserts.ts";
import type { ActionPlan } from "../browser_actions.ts";
import {
  confirmationNeeded,
  type FunctionSet,
  functionSetNameFor,
  LEGACY_MODELS,
  planCall,
} from "./function_set.ts";
import { functionSetFor } from "./function_set_for.ts";
import { LEGACY_SET } from "./legacy.ts";
import { CURRENT_SET } from "./current.ts";

const target = { context_id: "ctx-0000-1111", width: 1440, height: 900, page_timeout_ms: 5000 };
const context = target.context_id;
type Case = [string, Record<string, unknown>, ActionPlan];
const call = (c: Record<string, unknown>): ActionPlan =>
  ({ kind: "call", call: { context, ...c } }) as ActionPlan;

function checkTable(set: FunctionSet, cases: Case[]) {
  for (const [name, args, plan] of cases) {
    assertEquals(planCall(set, name, args, target), plan, `${set.name} ${name}`);
  }
  // Every function the set offers has a case above.
  assertEquals(new Set(cases.map((c) => c[0])), new Set(Object.keys(set.functions)));
}

Deno.test("legacy set: every function becomes its driver call", () => {
  checkTable(LEGACY_SET, [
    ["open_web_browser", {}, { kind: "noop" }],
    ["click_at", { x: 500, y: 500 }, call({ op: "click", x: 720, y: 450 })],
    ["hover_at", { x: 100, y: 900 }, call({ op: "hover", x: 144, y: 810 })],
    [
      "type_text_at",
      { x: 208, y: 344, text: "hi" },
      call({
        op: "type",
        x: 300,
        y: 310,
        text: "hi",
        press_enter: true,
        clear_before_typing: true,
      }),
    ],
    [
      "type_text_at",
      { x: 0, y: 0, text: "a", press_enter: false, clear_before_typing: false },
      call({
        op: "type",
        x: 0,
        y: 0,
        text: "a",
        press_enter: false,
        clear_before_typing: false,
      }),
    ],
    ["scroll_document", { direction: "down" }, call({ op: "scroll_document", direction: "down" })],
    [
      "scroll_at",
      { x: 500, y: 500, direction: "up", magnitude: 400 },
      call({
        op: "scroll_at",
        x: 720,
        y: 450,
        direction: "up",
        magnitude: 360,
      }),
    ],
    // Horizontal magnitudes scale with the width; the default magnitude is 800.
    [
      "scroll_at",
      { x: 500, y: 500, direction: "right" },
      call({
        op: "scroll_at",
        x: 720,
        y: 450,
        direction: "right",
        magnitude: 1152,
      }),
    ],
    ["wait_5_seconds", {}, call({ op: "wait", ms: 5000 })],
    ["go_back", {}, call({ op: "go_back" })],
    ["go_forward", {}, call({ op: "go_forward" })],
    ["search", {}, call({ op: "navigate", url: "https://www.google.com/", timeout_ms: 5000 })],
    [
      "navigate",
      { url: "http://127.0.0.1:8080/qa/" },
      call({
        op: "navigate",
        url: "http://127.0.0.1:8080/qa/",
        timeout_ms: 5000,
      }),
    ],
    [
      "navigate",
      { url: "example.com/status" },
      call({
        op: "navigate",
        url: "https://example.com/status",
        timeout_ms: 5000,
      }),
    ],
    ["key_combination", { keys: "control+a" }, call({ op: "key", keys: ["Control", "a"] })],
    [
      "drag_and_drop",
      { x: 100, y: 100, destination_x: 200, destination_y: 300 },
      call({
        op: "drag",
        x: 144,
        y: 90,
        to_x: 288,
        to_y: 270,
      }),
    ],
    // A safety decision is the loop's business, not an argument: the call plans as without it.
    [
      "click_at",
      { x: 500, y: 500, safety_decision: { decision: "require_confirmation" } },
      call({
        op: "click",
        x: 720,
        y: 450,
      }),
    ],
  ]);
});

Deno.test("current set: every function becomes its driver call", () => {
  checkTable(CURRENT_SET, [
    ["open_web_browser", {}, { kind: "noop" }],
    ["take_screenshot", {}, { kind: "noop" }],
    ["click", { x: 500, y: 500 }, call({ op: "click", x: 720, y: 450 })],
    ["double_click", { x: 500, y: 500 }, call({ op: "click", x: 720, y: 450, count: 2 })],
    ["triple_click", { x: 0, y: 999 }, call({ op: "click", x: 0, y: 899, count: 3 })],
    ["middle_click", { x: 100, y: 100 }, call({ op: "click", x: 144, y: 90, button: "middle" })],
    ["right_click", { x: 100, y: 100 }, call({ op: "click", x: 144, y: 90, button: "right" })],
    ["mouse_down", { x: 100, y: 100 }, call({ op: "mouse", x: 144, y: 90, action: "down" })],
    ["mouse_up", { x: 200, y: 300 }, call({ op: "mouse", x: 288, y: 270, action: "up" })],
    ["move", { x: 100, y: 900 }, call({ op: "hover", x: 144, y: 810 })],
    // Types into the focused element; press_enter defaults to false as in the reference agent.
    ["type", { text: "hi" }, call({ op: "keyboard_type", text: "hi", press_enter: false })],
    [
      "type",
      { text: "go", press_enter: true },
      call({
        op: "keyboard_type",
        text: "go",
        press_enter: true,
      }),
    ],
    [
      "drag_and_drop",
      { x: 100, y: 100, destination_x: 200, destination_y: 300 },
      call({
        op: "drag",
        x: 144,
        y: 90,
        to_x: 288,
        to_y: 270,
      }),
    ],
    [
      "scroll",
      { x: 500, y: 500, direction: "down", magnitude: 400 },
      call({
        op: "scroll_at",
        x: 720,
        y: 450,
        direction: "down",
        magnitude: 360,
      }),
    ],
    [
      "scroll",
      { x: 500, y: 500, direction: "left" },
      call({
        op: "scroll_at",
        x: 720,
        y: 450,
        direction: "left",
        magnitude: 1152,
      }),
    ],
    ["wait", { seconds: 2 }, call({ op: "wait", ms: 2000 })],
    ["wait", {}, call({ op: "wait", ms: 1000 })],
    ["press_key", { key: "enter" }, call({ op: "key", keys: ["Enter"] })],
    ["key_down", { key: "shift" }, call({ op: "key_down", key: "Shift" })],
    ["key_up", { key: "Shift" }, call({ op: "key_up", key: "Shift" })],
    ["hotkey", { keys: ["control", "a"] }, call({ op: "key", keys: ["Control", "a"] })],
    ["hotkey", { keys: "ctrl+shift+t" }, call({ op: "key", keys: ["Control", "Shift", "t"] })],
    [
      "navigate",
      { url: "example.com/status" },
      call({
        op: "navigate",
        url: "https://example.com/status",
        timeout_ms: 5000,
      }),
    ],
    ["go_back", {}, call({ op: "go_back" })],
    ["go_forward", {}, call({ op: "go_forward" })],
  ]);
});

Deno.test("function sets: unknown names and bad arguments get the exact error, never a call", () => {
  const current = Object.keys(CURRENT_SET.functions).join(", ");
  const legacy = Object.keys(LEGACY_SET.functions).join(", ");
  const cases: [FunctionSet, string, Record<string, unknown>, ActionPlan][] = [
    [LEGACY_SET, "teleport", {}, {
      kind: "error",
      refused: "unknown_function",
      error: `Unknown function 'teleport': this browser offers ${legacy}`,
    }],
    // A name of the other generation is unknown to this one, both ways.
    [CURRENT_SET, "click_at", { x: 1, y: 1 }, {
      kind: "error",
      refused: "unknown_function",
      error: `Unknown function 'click_at': this browser offers ${current}`,
    }],
    [LEGACY_SET, "click", { x: 1, y: 1 }, {
      kind: "error",
      refused: "unknown_function",
      error: `Unknown function 'click': this browser offers ${legacy}`,
    }],
    // Inherited object keys are not functions.
    [CURRENT_SET, "toString", {}, {
      kind: "error",
      refused: "unknown_function",
      error: `Unknown function 'toString': this browser offers ${current}`,
    }],
    [LEGACY_SET, "click_at", { x: "10", y: 5 }, {
      kind: "error",
      refused: "bad_arguments",
      error: "Cannot run 'click_at': 'x' must be a number on the 0-999 grid",
    }],
    [CURRENT_SET, "click", {}, {
      kind: "error",
      refused: "bad_arguments",
      error:
        "Cannot run 'click': 'x' must be a number on the 0-999 grid; 'y' must be a number on the 0-999 grid",
    }],
    [CURRENT_SET, "double_click", { x: 1000, y: -1 }, {
      kind: "error",
      refused: "bad_arguments",
      error:
        "Cannot run 'double_click': 'x' must be on the 0-999 grid (999 or less); 'y' must be on the 0-999 grid (0 or more)",
    }],
    [LEGACY_SET, "type_text_at", { x: 1, y: 1 }, {
      kind: "error",
      refused: "bad_arguments",
      error: "Cannot run 'type_text_at': 'text' must be a string",
    }],
    [CURRENT_SET, "type", { text: "a".repeat(10_001) }, {
      kind: "error",
      refused: "bad_arguments",
      error: "Cannot run 'type': 'text' must be at most 10000 characters",
    }],
    [CURRENT_SET, "type", { text: "a", press_enter: "yes" }, {
      kind: "error",
      refused: "bad_arguments",
      error: "Cannot run 'type': 'press_enter' must be true or false",
    }],
    [LEGACY_SET, "scroll_document", { direction: "sideways" }, {
      kind: "error",
      refused: "bad_arguments",
      error: "Cannot run 'scroll_document': 'direction' must be one of up, down, left, right",
    }],
    [CURRENT_SET, "scroll", { x: 1, y: 1, direction: "down", magnitude: 5000 }, {
      kind: "error",
      refused: "bad_arguments",
      error: "Cannot run 'scroll': 'magnitude' must be on the 0-999 grid (999 or less)",
    }],
    [CURRENT_SET, "wait", { seconds: 60 }, {
      kind: "error",
      refused: "bad_arguments",
      error: "Cannot run 'wait': 'seconds' must be at most 10",
    }],
    [LEGACY_SET, "navigate", {}, {
      kind: "error",
      refused: "bad_arguments",
      error: "Cannot run 'navigate': 'url' must be a string",
    }],
    [CURRENT_SET, "navigate", { url: "  " }, {
      kind: "error",
      refused: "bad_arguments",
      error: "Cannot run 'navigate': 'url' must not be empty",
    }],
    [CURRENT_SET, "navigate", { url: "file:///etc/passwd" }, {
      kind: "error",
      refused: "bad_arguments",
      error: "Cannot open 'file:///etc/passwd': only http(s) URLs are allowed",
    }],
    [LEGACY_SET, "navigate", { url: "javascript:alert(1)" }, {
      kind: "error",
      refused: "bad_arguments",
      error: "Cannot open 'javascript:alert(1)': only http(s) URLs are allowed",
    }],
    [LEGACY_SET, "key_combination", { keys: "hyper+q" }, {
      kind: "error",
      refused: "bad_arguments",
      error: "'key_combination' cannot press 'hyper+q': use names like 'control+a'",
    }],
    [CURRENT_SET, "hotkey", { keys: ["control", "hyper"] }, {
      kind: "error",
      refused: "bad_arguments",
      error: "'hotkey' cannot press 'control+hyper': use names like 'control+a'",
    }],
    [CURRENT_SET, "hotkey", { keys: 7 }, {
      kind: "error",
      refused: "bad_arguments",
      error:
        "Cannot run 'hotkey': 'keys' must be a list of key names such as ['control', 'a'] (or 'control+a')",
    }],
    [CURRENT_SET, "press_key", { key: "" }, {
      kind: "error",
      refused: "bad_arguments",
      error: "Cannot run 'press_key': 'key' must be a key name such as 'enter'",
    }],
    [CURRENT_SET, "key_down", { key: "hyper" }, {
      kind: "error",
      refused: "bad_arguments",
      error: "'key_down' cannot press 'hyper': use names like 'control+a'",
    }],
    [LEGACY_SET, "drag_and_drop", { x: 1, y: 1 }, {
      kind: "error",
      refused: "bad_arguments",
      error:
        "Cannot run 'drag_and_drop': 'destination_x' must be a number on the 0-999 grid; 'destination_y' must be a number on the 0-999 grid",
    }],
  ];
  for (const [set, name, args, plan] of cases) {
    assertEquals(planCall(set, name, args, target), plan, `${set.name} ${name}`);
  }
});

Deno.test("function sets: the three legacy models get the legacy set, every other the current", () => {
  const cases: [string, "legacy" | "current"][] = [
    ["gemini-2.5-computer-use-preview-10-2025", "legacy"],
    ["gemini-3-flash-preview", "legacy"],
    ["gemini-3.1-pro-preview", "legacy"],
    ["models/gemini-3-flash-preview", "legacy"],
    ["gemini-3.5-flash", "current"],
    ["gemini-3.5-pro", "current"],
    ["gemini-2.5-flash", "current"],
    ["gemini-3-flash", "current"],
    ["gemini-3-flash-preview-02-2026", "current"],
    ["some-future-model", "current"],
  ];
  for (const [model, want] of cases) {
    assertEquals(functionSetNameFor(model), want, model);
    assertEquals(functionSetFor(model).name, want, model);
  }
  assertEquals(LEGACY_MODELS.length, 3);
});

Deno.test("confirmationNeeded(): require_confirmation and unreadable decisions wait for a person", () => {
  const cases: [unknown, { explanation?: string } | null][] = [
    [undefined, null],
    [{ decision: "require_confirmation", explanation: "Buys a thing." }, {
      explanation: "Buys a thing.",
    }],
    [{ decision: "require_confirmation" }, {}],
    [{ decision: "regular" }, null],
    // What the loop cannot read it does not run unasked.
    ["require_confirmation", {}],
    [{ explanation: "no decision" }, {}],
    [{ decision: 7 }, {}],
  ];
  for (const [safety, want] of cases) {
    const args = safety === undefined ? { x: 1 } : { x: 1, safety_decision: safety };
    assertEquals(confirmationNeeded(args), want, JSON.stringify(safety));
  }
});
