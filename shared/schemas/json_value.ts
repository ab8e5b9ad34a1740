/**
 * @module
 * A value that survives `JSON.stringify` and `JSON.parse` unchanged: what job params, worker
 * configs and results may hold.
 */

export type JsonValue =
  | string
  | number
  | boolean
  | null
  | JsonValue[]
  | { [key: string]: JsonValue };
