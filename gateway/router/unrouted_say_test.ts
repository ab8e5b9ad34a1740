import { assertEquals } from "@shared/testing/asserts.ts";
import { unroutedSay } from "./unrouted_say.ts";

Deno.test("unroutedSay() names every skill that says what it can do", () => {
  assertEquals(
    unroutedSay([{}, { ability: "change code" }, { ability: "check a web page" }]),
    "I can change code or check a web page; I didn't catch which.",
  );
  assertEquals(
    unroutedSay([{ ability: "a" }, { ability: "b" }, { ability: "c" }, { ability: "a" }]),
    "I can a, b or c; I didn't catch which.",
  );
  assertEquals(
    unroutedSay([{ ability: "change code" }]),
    "I can change code; I didn't catch which.",
  );
});

Deno.test("unroutedSay() without abilities still answers in one sentence", () => {
  assertEquals(unroutedSay([{}]), "I didn't catch what to do.");
});
