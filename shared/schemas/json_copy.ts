/**
 * @module
 * `jsonCopy(value)`: what `JSON.parse(JSON.stringify(value))` gives, without the text in
 * between. Trace data is copied so on every request (a detached, JSON-clean record of a routing
 * decision); walking the values costs a fraction of printing and reading them back.
 *
 * The same rules as `JSON.stringify`: `toJSON` is called, boxed primitives are unwrapped, a
 * non-finite number becomes null, `undefined`, functions and symbols are left out of objects
 * and become null in arrays, only own enumerable string keys are copied, a BigInt or a cycle
 * throws a TypeError. A value that prints as nothing (undefined at the top) throws a
 * SyntaxError, as `JSON.parse(undefined)` does.
 */
import type { JsonValue } from "./json_value.ts";

/** `JSON.parse(JSON.stringify(value))`, computed by walking the value. */
export function jsonCopy(value: unknown): JsonValue {
  const out = copy(value, "", []);
  if (out === undefined) throw new SyntaxError(`"undefined" is not valid JSON`);
  return out;
}

/** `ancestors`: the objects being copied, outermost first (a short list: nesting is shallow). */
function copy(value: unknown, key: string, ancestors: object[]): JsonValue | undefined {
  if (value !== null && (typeof value === "object" || typeof value === "bigint")) {
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === "function") value = toJSON.call(value, key);
  }
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      // -0 prints as 0.
      return Number.isFinite(value) ? value + 0 : null;
    case "bigint":
      throw new TypeError("Do not know how to serialize a BigInt");
    case "object":
      break;
    default:
      return undefined; // undefined, function, symbol
  }
  if (value === null) return null;
  if (value instanceof Number || value instanceof String || value instanceof Boolean) {
    return copy(value.valueOf(), key, ancestors);
  }
  if (ancestors.includes(value)) throw new TypeError("Converting circular structure to JSON");
  ancestors.push(value);
  let out: JsonValue;
  if (Array.isArray(value)) {
    const list: JsonValue[] = new Array(value.length);
    for (let i = 0; i < value.length; i++) list[i] = copy(value[i], String(i), ancestors) ?? null;
    out = list;
  } else {
    const record: { [key: string]: JsonValue } = {};
    for (const k of Object.keys(value)) {
      const v = copy((value as Record<string, unknown>)[k], k, ancestors);
      if (v === undefined) continue;
      // An own "__proto__" key, as JSON.parse makes it, not a new prototype.
      if (k === "__proto__") {
        Object.defineProperty(record, k, {
          value: v,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      } else record[k] = v;
    }
    out = record;
  }
  ancestors.pop();
  return out;
}
