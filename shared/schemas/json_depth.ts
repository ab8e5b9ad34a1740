/**
 * @module
 * Depth of a parsed JSON value, measured without recursion: schema validators recurse, so a
 * body nested thousands of levels deep must be refused before it reaches them.
 */

/** Largest nesting accepted in any request body. */
export const MAX_JSON_DEPTH = 32;

/** True when `value` nests objects/arrays deeper than `limit`. */
export function exceedsDepth(value: unknown, limit = MAX_JSON_DEPTH): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== "object") continue;
    if (depth >= limit) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, depth + 1]);
  }
  return false;
}
