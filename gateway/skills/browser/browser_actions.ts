/**
 * @module
 * Pure parts of the browser loop shared by both function sets (`function_sets/`): what a call
 * becomes (a plan), key names to Playwright's, URLs the browser may open, and the screenshot
 * window of the request.
 */
import type { Content } from "@google/genai/web";
import type { DriverCall } from "./driver_protocol.ts";

/** Turns that keep their screenshots in the request; older ones keep only their text. */
export const KEEP_SCREENSHOT_TURNS = 3;

/** What the loop does with one function call. */
export type ActionPlan =
  | { kind: "call"; call: DriverCall }
  /** Nothing to do in the browser (it is already open), but answer with a screenshot. */
  | { kind: "noop" }
  /**
   * Answer the model with this error and go on. `refused`: the call was not run at all (a name
   * the model's function set lacks, or arguments it cannot take).
   */
  | { kind: "error"; error: string; refused: "unknown_function" | "bad_arguments" };

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
  return keyNames(keys.split("+").map((k) => k.trim()));
}

/**
 * Key names (pressed together, in order) → Playwright's; null when one has none. A letter
 * pressed with others is lower-cased, as in {@link parseKeyCombination}.
 */
export function keyNames(names: readonly string[]): string[] | null {
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

/** The plan for opening `url`: only http(s) and about:blank (the driver refuses the rest too). */
export function navigatePlan(url: string, target: ActionTarget): ActionPlan {
  const normalized = normalizeUrl(url);
  if (!/^https?:\/\//i.test(normalized) && normalized !== "about:blank") {
    return {
      kind: "error",
      refused: "bad_arguments",
      error: `Cannot open '${normalized}': only http(s) URLs are allowed`,
    };
  }
  return {
    kind: "call",
    call: {
      op: "navigate",
      context: target.context_id,
      url: normalized,
      timeout_ms: target.page_timeout_ms ?? 20_000,
    },
  };
}

/** Keys for a driver `key` call, or an error plan naming what cannot be pressed. */
export function keysPlan(
  fnName: string,
  keys: string[] | null,
  shown: string,
  target: ActionTarget,
): ActionPlan {
  if (!keys) {
    return {
      kind: "error",
      refused: "bad_arguments",
      error: `'${fnName}' cannot press '${shown}': use names like 'control+a'`,
    };
  }
  return { kind: "call", call: { op: "key", context: target.context_id, keys } };
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
