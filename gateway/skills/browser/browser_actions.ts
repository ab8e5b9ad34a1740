/**
 * @module
 * Pure parts of the browser loop: Computer Use actions to driver calls (coordinates scaled
 * from the model's 0–999 grid to the viewport) and the screenshot window of the request.
 */
import type { Content } from "@google/genai/web";
import { type BrowserConfig, scale } from "./browser_config.ts";
import type { DriverCall } from "./driver_protocol.ts";

export const KEEP_SCREENSHOT_TURNS = 3;

/** The driver call for a Computer Use action, or null for an unknown one. */
export function actionToCall(
  name: string,
  args: Record<string, unknown>,
  cfg: BrowserConfig,
): DriverCall | "noop" | null {
  const c = cfg.context_id;
  const x = () => scale(args.x, cfg.width);
  const y = () => scale(args.y, cfg.height);
  switch (name) {
    case "open_web_browser":
      return "noop";
    case "click_at":
      return { op: "click", context: c, x: x(), y: y() };
    case "hover_at":
      return { op: "hover", context: c, x: x(), y: y() };
    case "type_text_at":
      return {
        op: "type",
        context: c,
        x: x(),
        y: y(),
        text: String(args.text ?? ""),
        press_enter: args.press_enter !== false,
        clear_before_typing: args.clear_before_typing !== false,
      };
    case "scroll_document":
      return { op: "scroll_document", context: c, direction: (args.direction as "down") ?? "down" };
    case "scroll_at":
      return {
        op: "scroll_at",
        context: c,
        x: x(),
        y: y(),
        direction: (args.direction as "down") ?? "down",
        magnitude: scale(args.magnitude ?? 800, cfg.height),
      };
    case "wait_5_seconds":
      return { op: "wait", context: c, ms: 5000 };
    case "go_back":
      return { op: "go_back", context: c };
    case "go_forward":
      return { op: "go_forward", context: c };
    case "search":
      return { op: "navigate", context: c, url: "https://www.google.com/" };
    case "navigate":
      return {
        op: "navigate",
        context: c,
        url: String(args.url ?? ""),
        timeout_ms: cfg.page_timeout_ms,
      };
    case "key_combination":
      return { op: "key", context: c, keys: String(args.keys ?? "") };
    case "drag_and_drop":
      return {
        op: "drag",
        context: c,
        x: x(),
        y: y(),
        to_x: scale(args.destination_x, cfg.width),
        to_y: scale(args.destination_y, cfg.height),
      };
    default:
      return null;
  }
}

/** Keeps screenshots only in the last `keep` turns that carry function responses. */
export function pruneScreenshots(contents: Content[], keep = KEEP_SCREENSHOT_TURNS): void {
  let seen = 0;
  for (let i = contents.length - 1; i >= 1; i--) {
    const parts = contents[i]!.parts ?? [];
    if (!parts.some((p) => p.functionResponse)) continue;
    seen++;
    if (seen <= keep) continue;
    for (const p of parts) if (p.functionResponse) delete p.functionResponse.parts;
  }
}
