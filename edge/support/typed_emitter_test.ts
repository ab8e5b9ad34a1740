import { assertEquals } from "@shared/testing/asserts.ts";
import { TypedEmitter } from "./typed_emitter.ts";

Deno.test("TypedEmitter calls listeners in order, survives one that throws, and unsubscribes", () => {
  const errors: [string, string][] = [];
  const events = new TypedEmitter<{ said: { text: string }; count: number }>((name, e) =>
    errors.push([String(name), (e as Error).message])
  );
  const heard: string[] = [];
  const off = events.on("said", (p) => heard.push(`a:${p.text}`));
  events.on("said", () => {
    throw new Error("boom");
  });
  events.on("said", (p) => heard.push(`c:${p.text}`));
  events.on("count", (n) => heard.push(`n:${n}`));
  events.emit("said", { text: "hi" });
  off();
  events.emit("said", { text: "again" });
  events.emit("count", 2);
  assertEquals(heard, ["a:hi", "c:hi", "c:again", "n:2"]);
  assertEquals(errors, [["said", "boom"], ["said", "boom"]]);
});
