/**
 * @module
 * Trace events' JSON lines gathered into JSON arrays of a few hundred each: one insert statement
 * per array in the trace store (SQLite unpacks it with `json_each`), and a few long strings to
 * hand to the store's worker, far cheaper to pass than many short ones.
 */

/** Events per array: one insert statement each. */
export const ROWS_PER_STATEMENT = 500;

/** `lines` (each one event's JSON) as JSON arrays of at most {@linkcode ROWS_PER_STATEMENT}. */
export function jsonArrays(lines: readonly string[]): string[] {
  const arrays: string[] = [];
  for (let i = 0; i < lines.length; i += ROWS_PER_STATEMENT) {
    arrays.push(`[${lines.slice(i, i + ROWS_PER_STATEMENT).join(",")}]`);
  }
  return arrays;
}
