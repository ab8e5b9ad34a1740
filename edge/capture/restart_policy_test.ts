import { assertEquals } from "@shared/testing/asserts.ts";
import { nextRestart, type RestartDecision } from "./restart_policy.ts";

const table: [string, { restarts: number; ranMs: number }, RestartDecision][] = [
  ["the first stop waits 400 ms", { restarts: 0, ranMs: 10 }, { restarts: 1, delayMs: 400 }],
  ["the delay doubles", { restarts: 2, ranMs: 10 }, { restarts: 3, delayMs: 1600 }],
  ["the fifth in a row waits 5 s at most", { restarts: 4, ranMs: 10 }, {
    restarts: 5,
    delayMs: 5000,
  }],
  ["a sixth in a row gives up", { restarts: 5, ranMs: 59_999 }, null],
  ["a run of 60 s starts the count again", { restarts: 5, ranMs: 60_000 }, {
    restarts: 1,
    delayMs: 400,
  }],
];

for (const [name, state, expected] of table) {
  Deno.test(`nextRestart(): ${name}`, () => assertEquals(nextRestart(state), expected));
}

Deno.test("nextRestart() takes its limits from the options", () => {
  assertEquals(nextRestart({ restarts: 1, ranMs: 0 }, { maxRestarts: 1 }), null);
  assertEquals(nextRestart({ restarts: 1, ranMs: 500 }, { maxRestarts: 1, stableMs: 500 }), {
    restarts: 1,
    delayMs: 400,
  });
});
