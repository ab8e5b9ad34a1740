/**
 * @module
 * The browser driver's loopback RPC: one POST per call, `{ op, ... }` in, JSON out, a bearer
 * token on every call. Coordinates are viewport pixels (the worker scales the model's 0–999).
 * A failed call answers `{ ok: false, code, error }` so callers branch on the code, not the text.
 */
import { z } from "zod";

const Context = z.string().regex(/^ctx-[0-9a-f-]{8,64}$/);
const Px = z.number().int().min(0).max(10_000);

/**
 * Where a page may be sent. The driver runs with every permission, so `file:`, `chrome:`,
 * `data:` and `javascript:` URLs would let a model (or a page's prompt injection) read local
 * files or browser internals into a screenshot.
 */
export const NavigableUrl = z.string().max(4000).refine(
  (u) => u === "about:blank" || /^https?:\/\/[^\s]+$/i.test(u),
  { message: "Only http(s) URLs and about:blank can be opened" },
);

export const DriverCall = z.discriminatedUnion("op", [
  z.object({ op: z.literal("open_context"), width: Px, height: Px }),
  z.object({ op: z.literal("close_context"), context: Context }),
  z.object({
    op: z.literal("navigate"),
    context: Context,
    url: NavigableUrl,
    timeout_ms: z.number().int().min(100).max(120_000).default(20_000),
  }),
  z.object({
    op: z.literal("screenshot"),
    context: Context,
    timeout_ms: z.number().int().min(100).max(120_000).default(10_000),
  }),
  z.object({
    op: z.literal("click"),
    context: Context,
    x: Px,
    y: Px,
    button: z.enum(["left", "middle", "right"]).default("left"),
    /** 2 for a double click, 3 for a triple click. */
    count: z.number().int().min(1).max(3).default(1),
  }),
  /** Moves to the point, then presses or releases the left button there. */
  z.object({
    op: z.literal("mouse"),
    context: Context,
    x: Px,
    y: Px,
    action: z.enum(["down", "up"]),
  }),
  z.object({ op: z.literal("hover"), context: Context, x: Px, y: Px }),
  z.object({
    op: z.literal("type"),
    context: Context,
    x: Px,
    y: Px,
    text: z.string().max(10_000),
    press_enter: z.boolean().default(false),
    clear_before_typing: z.boolean().default(true),
  }),
  /** Types into whatever element has the focus (no click first). */
  z.object({
    op: z.literal("keyboard_type"),
    context: Context,
    text: z.string().max(10_000),
    press_enter: z.boolean().default(false),
  }),
  /** One Playwright key name held down, or released. */
  z.object({ op: z.literal("key_down"), context: Context, key: z.string().min(1).max(30) }),
  z.object({ op: z.literal("key_up"), context: Context, key: z.string().min(1).max(30) }),
  /** Playwright key names, pressed together (`["Control", "a"]`). */
  z.object({
    op: z.literal("key"),
    context: Context,
    keys: z.array(z.string().min(1).max(30)).min(1).max(6),
  }),
  z.object({
    op: z.literal("scroll_document"),
    context: Context,
    direction: z.enum(["up", "down", "left", "right"]),
  }),
  z.object({
    op: z.literal("scroll_at"),
    context: Context,
    x: Px,
    y: Px,
    direction: z.enum(["up", "down", "left", "right"]),
    magnitude: Px.default(800),
  }),
  z.object({ op: z.literal("go_back"), context: Context }),
  z.object({ op: z.literal("go_forward"), context: Context }),
  z.object({ op: z.literal("wait"), context: Context, ms: z.number().int().min(0).max(10_000) }),
  z.object({ op: z.literal("drag"), context: Context, x: Px, y: Px, to_x: Px, to_y: Px }),
  /** Whether the page shows `expect` (as text, or as a CSS selector that matches). */
  z.object({ op: z.literal("check"), context: Context, expect: z.string().min(1).max(2000) }),
  z.object({ op: z.literal("text_at"), context: Context, x: Px, y: Px }),
]);
export type DriverCall = z.input<typeof DriverCall>;

/**
 * Why a call failed: `unauthorized` (wrong token), `bad_call` (the body does not parse),
 * `unknown_context` (closed, or lost in a driver restart), `page_crashed` (the renderer died),
 * `failed` (the browser action itself failed: a timeout, a navigation error).
 */
export const DriverErrorCode = z.enum([
  "unauthorized",
  "bad_call",
  "unknown_context",
  "page_crashed",
  "failed",
]);
export type DriverErrorCode = z.infer<typeof DriverErrorCode>;

/** Every answer carries where the page is now. */
export const DriverReply = z.object({
  ok: z.boolean(),
  url: z.string().optional(),
  title: z.string().optional(),
  context: z.string().optional(),
  png_base64: z.string().optional(),
  found: z.boolean().optional(),
  /** The HTTP status of the document a navigation ended on, when it came over HTTP. */
  status: z.number().int().optional(),
  text: z.string().optional(),
  code: DriverErrorCode.optional(),
  error: z.string().optional(),
});
export type DriverReply = z.infer<typeof DriverReply>;
