/**
 * @module
 * The current Computer Use function set (`click`, `type`, `hotkey`, …), spoken by every Gemini
 * model outside `LEGACY_MODELS` (`gemini-3.5-flash` and later): each function's arguments as a
 * zod schema and the driver call it becomes. Names and arguments follow the reference agent
 * (google-gemini/computer-use-preview, `agent.py`): `type` types into the focused element,
 * `scroll` takes its magnitude on the 0–999 grid like a coordinate, `hotkey` presses its keys
 * together.
 */
import { z } from "zod";
import { scale } from "../browser_config.ts";
import { keyNames, keysPlan, navigatePlan, parseKeyCombination } from "../browser_actions.ts";
import type { DriverCall } from "../driver_protocol.ts";
import type { ActionPlan, ActionTarget } from "../browser_actions.ts";
import { Coordinate, Direction, fn, type FunctionSet, Point, UrlArg } from "./function_set.ts";

/** Longest `wait` the loop runs in one call (a longer wait is refused with this bound). */
export const MAX_WAIT_SECONDS = 10;

const PointArgs = z.object(Point);
type PointArgs = z.infer<typeof PointArgs>;

const call = (c: DriverCall): ActionPlan => ({ kind: "call", call: c });
const px = (a: PointArgs, t: ActionTarget) => ({
  context: t.context_id,
  x: scale(a.x, t.width),
  y: scale(a.y, t.height),
});

/** A click of `button`, `count` times, at the point. */
const click = (button: "left" | "middle" | "right", count: 1 | 2 | 3) =>
  fn(PointArgs, (a, t) =>
    call({
      op: "click",
      ...px(a, t),
      ...(button !== "left" ? { button } : {}),
      ...(count !== 1 ? { count } : {}),
    }));

const KeyArg = z.object({ key: z.string({ error: "must be a key name such as 'enter'" }).min(1) });

/** One key for `key_down` / `key_up`, or an error plan. */
const singleKey = (name: string, op: "key_down" | "key_up") =>
  fn(KeyArg, (a, t) => {
    const keys = keyNames([a.key.trim()]);
    if (!keys) return keysPlan(name, null, a.key, t);
    return call({ op, context: t.context_id, key: keys[0]! });
  });

export const CURRENT_SET: FunctionSet = {
  name: "current",
  functions: {
    // The browser is already open: nothing to do but answer with a screenshot.
    open_web_browser: fn(z.object({}), () => ({ kind: "noop" })),
    take_screenshot: fn(z.object({}), () => ({ kind: "noop" })),
    click: click("left", 1),
    double_click: click("left", 2),
    triple_click: click("left", 3),
    middle_click: click("middle", 1),
    right_click: click("right", 1),
    mouse_down: fn(PointArgs, (a, t) => call({ op: "mouse", ...px(a, t), action: "down" })),
    mouse_up: fn(PointArgs, (a, t) => call({ op: "mouse", ...px(a, t), action: "up" })),
    move: fn(PointArgs, (a, t) => call({ op: "hover", ...px(a, t) })),
    type: fn(
      z.object({
        text: z.string({ error: "must be a string" }).max(10_000, {
          error: "must be at most 10000 characters",
        }),
        press_enter: z.boolean({ error: "must be true or false" }).default(false),
      }),
      (a, t) =>
        call({
          op: "keyboard_type",
          context: t.context_id,
          text: a.text,
          press_enter: a.press_enter,
        }),
    ),
    drag_and_drop: fn(
      z.object({ ...Point, destination_x: Coordinate, destination_y: Coordinate }),
      (a, t) =>
        call({
          op: "drag",
          ...px(a, t),
          to_x: scale(a.destination_x, t.width),
          to_y: scale(a.destination_y, t.height),
        }),
    ),
    scroll: fn(
      z.object({ ...Point, direction: Direction, magnitude: Coordinate.default(800) }),
      (a, t) =>
        call({
          op: "scroll_at",
          ...px(a, t),
          direction: a.direction,
          // Scaled like a coordinate along the scrolling axis.
          magnitude: scale(
            a.magnitude,
            a.direction === "left" || a.direction === "right" ? t.width : t.height,
          ),
        }),
    ),
    wait: fn(
      z.object({
        seconds: z.number({ error: "must be a number of seconds" })
          .min(0, { error: "must be 0 or more" })
          .max(MAX_WAIT_SECONDS, { error: `must be at most ${MAX_WAIT_SECONDS}` })
          .default(1),
      }),
      (a, t) => call({ op: "wait", context: t.context_id, ms: Math.round(a.seconds * 1000) }),
    ),
    press_key: fn(KeyArg, (a, t) => keysPlan("press_key", keyNames([a.key.trim()]), a.key, t)),
    key_down: singleKey("key_down", "key_down"),
    key_up: singleKey("key_up", "key_up"),
    hotkey: fn(
      z.object({
        keys: z.union([z.array(z.string()).min(1), z.string()], {
          error: "must be a list of key names such as ['control', 'a'] (or 'control+a')",
        }),
      }),
      (a, t) =>
        typeof a.keys === "string"
          ? keysPlan("hotkey", parseKeyCombination(a.keys), a.keys, t)
          : keysPlan("hotkey", keyNames(a.keys.map((k) => k.trim())), a.keys.join("+"), t),
    ),
    navigate: fn(z.object({ url: UrlArg }), (a, t) => navigatePlan(a.url, t)),
    go_back: fn(z.object({}), (_, t) => call({ op: "go_back", context: t.context_id })),
    go_forward: fn(z.object({}), (_, t) => call({ op: "go_forward", context: t.context_id })),
  },
};
