/**
 * @module
 * The legacy Computer Use function set (`click_at`, `type_text_at`, …), spoken by
 * `gemini-2.5-computer-use-preview-10-2025`, `gemini-3-flash-preview` and
 * `gemini-3.1-pro-preview`: each function's arguments as a zod schema and the driver call it
 * becomes, with coordinates scaled from the 0–999 grid to the viewport.
 */
import { z } from "zod";
import { scale } from "../browser_config.ts";
import { keysPlan, navigatePlan, parseKeyCombination } from "../browser_actions.ts";
import { Coordinate, Direction, fn, type FunctionSet, Point, UrlArg } from "./function_set.ts";

const Magnitude = Coordinate.default(800);

export const LEGACY_SET: FunctionSet = {
  name: "legacy",
  functions: {
    // The browser is already open: nothing to do but answer with a screenshot.
    open_web_browser: fn(z.object({}), () => ({ kind: "noop" })),
    click_at: fn(z.object(Point), (a, t) => ({
      kind: "call",
      call: { op: "click", context: t.context_id, x: scale(a.x, t.width), y: scale(a.y, t.height) },
    })),
    hover_at: fn(z.object(Point), (a, t) => ({
      kind: "call",
      call: { op: "hover", context: t.context_id, x: scale(a.x, t.width), y: scale(a.y, t.height) },
    })),
    type_text_at: fn(
      z.object({
        ...Point,
        text: z.string({ error: "must be a string" }).max(10_000, {
          error: "must be at most 10000 characters",
        }),
        // Both default to true in the Computer Use tool's declaration.
        press_enter: z.boolean({ error: "must be true or false" }).default(true),
        clear_before_typing: z.boolean({ error: "must be true or false" }).default(true),
      }),
      (a, t) => ({
        kind: "call",
        call: {
          op: "type",
          context: t.context_id,
          x: scale(a.x, t.width),
          y: scale(a.y, t.height),
          text: a.text,
          press_enter: a.press_enter,
          clear_before_typing: a.clear_before_typing,
        },
      }),
    ),
    scroll_document: fn(z.object({ direction: Direction }), (a, t) => ({
      kind: "call",
      call: { op: "scroll_document", context: t.context_id, direction: a.direction },
    })),
    scroll_at: fn(
      z.object({ ...Point, direction: Direction, magnitude: Magnitude }),
      (a, t) => ({
        kind: "call",
        call: {
          op: "scroll_at",
          context: t.context_id,
          x: scale(a.x, t.width),
          y: scale(a.y, t.height),
          direction: a.direction,
          // The magnitude is on the same 0-999 grid, along the scrolling axis.
          magnitude: scale(
            a.magnitude,
            a.direction === "left" || a.direction === "right" ? t.width : t.height,
          ),
        },
      }),
    ),
    wait_5_seconds: fn(z.object({}), (_, t) => ({
      kind: "call",
      call: { op: "wait", context: t.context_id, ms: 5000 },
    })),
    go_back: fn(z.object({}), (_, t) => ({
      kind: "call",
      call: { op: "go_back", context: t.context_id },
    })),
    go_forward: fn(z.object({}), (_, t) => ({
      kind: "call",
      call: { op: "go_forward", context: t.context_id },
    })),
    search: fn(z.object({}), (_, t) => navigatePlan(t.search_url ?? "https://www.google.com/", t)),
    navigate: fn(z.object({ url: UrlArg }), (a, t) => navigatePlan(a.url, t)),
    key_combination: fn(
      z.object({ keys: z.string({ error: "must be a string such as 'control+a'" }) }),
      (a, t) => keysPlan("key_combination", parseKeyCombination(a.keys), a.keys, t),
    ),
    drag_and_drop: fn(
      z.object({ ...Point, destination_x: Coordinate, destination_y: Coordinate }),
      (a, t) => ({
        kind: "call",
        call: {
          op: "drag",
          context: t.context_id,
          x: scale(a.x, t.width),
          y: scale(a.y, t.height),
          to_x: scale(a.destination_x, t.width),
          to_y: scale(a.destination_y, t.height),
        },
      }),
    ),
  },
};
