import { assertEquals, assertThrows } from "@shared/testing/asserts.ts";
import { jsonCopy } from "./json_copy.ts";

const roundTrip = (value: unknown) => JSON.parse(JSON.stringify(value));

class Point {
  constructor(public x: number, public y?: number) {}
  get sum() {
    return this.x + (this.y ?? 0);
  }
}

Deno.test("jsonCopy gives what a JSON round trip gives, for every kind of value", () => {
  const proto = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}');
  const values: unknown[] = [
    "text",
    "",
    0,
    -0,
    1.5,
    NaN,
    Infinity,
    -Infinity,
    true,
    false,
    null,
    [],
    {},
    [1, undefined, () => 1, Symbol("s"), NaN, [2, [3]]],
    // deno-lint-ignore no-sparse-arrays
    [1, , 3],
    { a: undefined, b: () => 1, c: Symbol("s"), d: null, e: [undefined], f: { g: -0 } },
    { date: new Date(0), map: new Map([[1, 2]]), set: new Set([1]) },
    { nested: { toJSON: (key: string) => `key ${key}` }, list: [{ toJSON: (k: string) => k }] },
    new Point(1, 2),
    new Point(3),
    [new Number(3), new String("s"), new Boolean(false)],
    { [Symbol("hidden")]: 1, visible: 2 },
    Object.create({ inherited: 1 }, { own: { value: 2, enumerable: true } }),
    proto,
    { z: 1, a: 2, 10: "ten", 2: "two" },
    { text: 'quote " and \\ and \n and \u2028', emoji: "🎙️" },
  ];
  for (const value of values) {
    const copied = jsonCopy(value);
    assertEquals(copied, roundTrip(value), JSON.stringify(value));
    assertEquals(JSON.stringify(copied), JSON.stringify(roundTrip(value)));
  }
  // An own __proto__ key stays a key, as JSON.parse leaves it.
  const copied = jsonCopy(proto) as Record<string, unknown>;
  assertEquals(Object.getPrototypeOf(copied), Object.prototype);
  assertEquals(Object.keys(copied), ["__proto__", "a"]);
  // The copy shares nothing with the original.
  const original = { list: [{ a: 1 }] };
  const copy = jsonCopy(original) as { list: { a: number }[] };
  copy.list[0]!.a = 2;
  assertEquals(original.list[0]!.a, 1);
});

Deno.test("jsonCopy throws where JSON.stringify or JSON.parse would", () => {
  const cycle: Record<string, unknown> = {};
  cycle.self = cycle;
  assertThrows(() => jsonCopy(cycle), TypeError, "circular");
  assertThrows(() => jsonCopy({ n: 1n }), TypeError, "BigInt");
  assertThrows(() => jsonCopy(undefined), SyntaxError);
  // The same object twice, not inside itself, is no cycle.
  const shared = { a: 1 };
  assertEquals(jsonCopy([shared, shared]), [{ a: 1 }, { a: 1 }]);
});
