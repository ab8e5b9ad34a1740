/**
 * @module
 * The browser driver's loopback RPC: one POST per call, `{ op, ... }` in, JSON out, a bearer
 * token on every call. Coordinates are viewport pixels (the worker scales the model's 0–999).
 */
import { z } from "zod";

const Context = z.string().regex(/^ctx-[0-9a-f-]{8,64}$/);
const Px = z.number().int().min(0).max(10_000);

export const DriverCall = z.discriminatedUnion("op", [
  z.object({ op: z.literal("open_context"), width: Px, height: Px }),
  z.object({ op: z.literal("close_context"), context: Context }),
  z.object({
    op: z.literal("navigate"),
    context: Context,
    url: z.string().max(4000),
    timeout_ms: z.number().int().min(100).max(120_000).default(20_000),
  }),
  z.object({ op: z.literal("screenshot"), context: Context }),
  z.object({ op: z.literal("click"), context: Context, x: Px, y: Px }),
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
  z.object({ op: z.literal("key"), context: Context, keys: z.string().max(100) }),
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
  z.object({ op: z.literal("check"), context: Context, expect: z.string().min(1).max(2000) }),
  z.object({ op: z.literal("text_at"), context: Context, x: Px, y: Px }),
]);
export type DriverCall = z.input<typeof DriverCall>;

/** Every answer carries where the page is now. */
export const DriverReply = z.object({
  ok: z.boolean(),
  url: z.string().optional(),
  context: z.string().optional(),
  png_base64: z.string().optional(),
  found: z.boolean().optional(),
  text: z.string().optional(),
  error: z.string().optional(),
});
export type DriverReply = z.infer<typeof DriverReply>;
