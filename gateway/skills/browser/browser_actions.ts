/**
 * @module
 * Pure parts of the browser loop: Computer Use actions to driver calls (coordinates scaled
 * from the model's 0–999 grid to the viewport, key names to Playwright's) and the screenshot
 * window of the request.
 */
import type { Content } from "@google/genai/web";
import { scale } from "./browser_config.ts";
import type { DriverCall } from "./driver_protocol.ts";

/** Turns that keep their screenshots in the request; older ones keep only their text. */
export const KEEP_SCREENSHOT_TURNS = 3;

/** What the loop does with one function call. */
export type ActionPlan =
  | { kind: "call"; call: DriverCall }
  /** Nothing to do in the browser (it is already open), but answer with a screenshot. */
  | { kind: "noop" }
  /** Answer the model with this error and go on (unknown action, unusable arguments). */
  | { kind: "error"; error: string };

/** The viewport and browser context an action runs in. */
export interface ActionTarget {
  context_id: string;
  width: number;
  height: number;
  /** @default 20000 */
  page_timeout_ms?: number;
  /** Where `search` goes. @default "https://www.google.com/" */
  search_url?: string;
}

/** The Computer Use actions of the browser environment that this loop executes. */
export const BROWSER_ACTIONS = [
  "open_web_browser",
  "click_at",
  "hover_at",
  "type_text_at",
  "scroll_document",
  "scroll_at",
  "wait_5_seconds",
  "go_back",
  "go_forward",
  "search",
  "navigate",
  "key_combination",
  "drag_and_drop",
] as const;

const DIRECTIONS = ["up", "down", "left", "right"] as const;
type Direction = (typeof DIRECTIONS)[number];

/** Model key names (any case) to Playwright's. Single characters pass through. */
const KEY_NAMES: Record<string, string> = {
  control: "Control",
  ctrl: "Control",
  shift: "Shift",
  alt: "Alt",
  option: "Alt",
  meta: "Meta",
  cmd: "Meta",
  command: "Meta",
  super: "Meta",
  win: "Meta",
  enter: "Enter",
  return: "Enter",
  escape: "Escape",
  esc: "Escape",
  tab: "Tab",
  backspace: "Backspace",
  delete: "Delete",
  del: "Delete",
  insert: "Insert",
  space: "Space",
  home: "Home",
  end: "End",
  pageup: "PageUp",
  pagedown: "PageDown",
  up: "ArrowUp",
  down: "ArrowDown",
  left: "ArrowLeft",
  right: "ArrowRight",
  arrowup: "ArrowUp",
  arrowdown: "ArrowDown",
  arrowleft: "ArrowLeft",
  arrowright: "ArrowRight",
  plus: "+",
};

/**
 * `"control+a"` → `["Control", "a"]`; null when a key has no Playwright name. A letter pressed
 * with modifiers is lower-cased: "Control+A" means Ctrl+A, not Ctrl+Shift+A.
 */
export function parseKeyCombination(keys: string): string[] | null {
  const names = keys.split("+").map((k) => k.trim());
  if (names.length === 0 || names.some((k) => k === "")) return null;
  const out: string[] = [];
  for (const name of names) {
    const known = KEY_NAMES[name.toLowerCase()];
    if (known) out.push(known);
    else if (/^f([1-9]|1[0-2])$/i.test(name)) out.push(name.toUpperCase());
    else if ([...name].length === 1) out.push(names.length > 1 ? name.toLowerCase() : name);
    else return null;
  }
  return out;
}

/** `example.com/x` → `https://example.com/x`; other schemes are left for the driver to refuse. */
export function normalizeUrl(url: string): string {
  const u = url.trim();
  // `localhost:8080/x` is a host and port, not a scheme.
  return /^[a-z][a-z0-9+.-]*:(?!\d+(?:[/?#]|$))/i.test(u) ? u : `https://${u}`;
}

function isNumber(v: unknown): v is number {
  return typeof v === "number" && Number.isFinite(v);
}

/** The plan for a Computer Use function call. */
export function actionToCall(
  name: string,
  args: Record<string, unknown>,
  target: ActionTarget,
): ActionPlan {
  const context = target.context_id;
  const call = (c: DriverCall): ActionPlan => ({ kind: "call", call: c });
  const point = (): { x: number; y: number } | string =>
    isNumber(args.x) && isNumber(args.y)
      ? { x: scale(args.x, target.width), y: scale(args.y, target.height) }
      : `'${name}' needs numeric 'x' and 'y' on the 0-999 grid`;
  const direction = (): Direction | string =>
    DIRECTIONS.includes(args.direction as Direction)
      ? args.direction as Direction
      : `'${name}' needs 'direction' to be one of ${DIRECTIONS.join(", ")}`;
  switch (name) {
    case "open_web_browser":
      return { kind: "noop" };
    case "click_at":
    case "hover_at": {
      const p = point();
      if (typeof p === "string") return { kind: "error", error: p };
      return call({ op: name === "click_at" ? "click" : "hover", context, ...p });
    }
    case "type_text_at": {
      const p = point();
      if (typeof p === "string") return { kind: "error", error: p };
      if (typeof args.text !== "string") {
        return { kind: "error", error: "'type_text_at' needs a string 'text'" };
      }
      return call({
        op: "type",
        context,
        ...p,
        text: args.text,
        // Both default to true in the Computer Use tool's declaration.
        press_enter: args.press_enter !== false,
        clear_before_typing: args.clear_before_typing !== false,
      });
    }
    case "scroll_document": {
      const d = direction();
      if (!DIRECTIONS.includes(d as Direction)) return { kind: "error", error: d };
      return call({ op: "scroll_document", context, direction: d as Direction });
    }
    case "scroll_at": {
      const p = point();
      if (typeof p === "string") return { kind: "error", error: p };
      const d = direction();
      if (!DIRECTIONS.includes(d as Direction)) return { kind: "error", error: d };
      // The magnitude is on the same 0-999 grid, along the scrolling axis.
      const axis = d === "left" || d === "right" ? target.width : target.height;
      const magnitude = scale(isNumber(args.magnitude) ? args.magnitude : 800, axis);
      return call({ op: "scroll_at", context, ...p, direction: d as Direction, magnitude });
    }
    case "wait_5_seconds":
      return call({ op: "wait", context, ms: 5000 });
    case "go_back":
      return call({ op: "go_back", context });
    case "go_forward":
      return call({ op: "go_forward", context });
    case "search":
      return call({
        op: "navigate",
        context,
        url: target.search_url ?? "https://www.google.com/",
        timeout_ms: target.page_timeout_ms ?? 20_000,
      });
    case "navigate": {
      if (typeof args.url !== "string" || args.url.trim() === "") {
        return { kind: "error", error: "'navigate' needs a string 'url'" };
      }
      const url = normalizeUrl(args.url);
      if (!/^https?:\/\//i.test(url) && url !== "about:blank") {
        return { kind: "error", error: `Cannot open '${url}': only http(s) URLs are allowed` };
      }
      return call({ op: "navigate", context, url, timeout_ms: target.page_timeout_ms ?? 20_000 });
    }
    case "key_combination": {
      const keys = typeof args.keys === "string" ? parseKeyCombination(args.keys) : null;
      if (!keys) {
        return {
          kind: "error",
          error: `'key_combination' cannot press '${
            String(args.keys)
          }': use names like 'control+a'`,
        };
      }
      return call({ op: "key", context, keys });
    }
    case "drag_and_drop": {
      const p = point();
      if (typeof p === "string") return { kind: "error", error: p };
      if (!isNumber(args.destination_x) || !isNumber(args.destination_y)) {
        return {
          kind: "error",
          error: "'drag_and_drop' needs numeric 'destination_x' and 'destination_y'",
        };
      }
      return call({
        op: "drag",
        context,
        ...p,
        to_x: scale(args.destination_x, target.width),
        to_y: scale(args.destination_y, target.height),
      });
    }
    default:
      return { kind: "error", error: `Unknown action '${name}'` };
  }
}

/**
 * Keeps screenshots only in the last `keep` user turns that carry one (the first turn's
 * screenshot included); older turns keep their text, URL and function names.
 */
export function pruneScreenshots(contents: Content[], keep = KEEP_SCREENSHOT_TURNS): void {
  let seen = 0;
  for (let i = contents.length - 1; i >= 0; i--) {
    const content = contents[i]!;
    if (content.role !== "user") continue;
    const parts = content.parts ?? [];
    const hasShot = parts.some((p) => p.inlineData || p.functionResponse?.parts?.length);
    if (!hasShot) continue;
    seen++;
    if (seen <= keep) continue;
    for (const p of parts) if (p.functionResponse) delete p.functionResponse.parts;
    content.parts = parts.filter((p) => !p.inlineData);
  }
}
