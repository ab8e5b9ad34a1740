/** The browser loop's guard rails as pure state: turn cap, repeated calls, refused-only answers. */
import { assert, assertEquals } from "@shared/testing/asserts.ts";
import { LOOP_REPEATS, TurnGuard } from "./turn_guard.ts";

Deno.test("TurnGuard: the turn cap ends the loop with turn_limit after exactly maxTurns turns", () => {
  for (const max of [1, 2, 30]) {
    const guard = new TurnGuard(max);
    for (let i = 0; i < max; i++) assertEquals(guard.beforeTurn(), null, `turn ${i + 1} of ${max}`);
    const err = guard.beforeTurn();
    assertEquals([err?.code, err?.retryable, err?.message], [
      "turn_limit",
      false,
      `No final answer within ${max} model turns (BROWSER_MAX_TURNS caps them)`,
    ]);
    assertEquals(guard.turns, max);
  }
});

Deno.test("TurnGuard: the third identical call in a row is an action_loop; any change resets", () => {
  assertEquals(LOOP_REPEATS, 3);
  const guard = new TurnGuard(30);
  const click = { x: 10, y: 20 };
  assertEquals(guard.beforeCall("click", click), null);
  assertEquals(guard.beforeCall("click", { y: 20, x: 10 }), null); // same arguments, other order
  const err = guard.beforeCall("click", click);
  assertEquals([err?.code, err?.retryable, err?.message], [
    "action_loop",
    false,
    `The model asked for 'click' with the same arguments 3 times in a row ({"x":10,"y":20}): it is not getting anywhere`,
  ]);

  // Different arguments, a different function, or a call in between: no loop.
  const other = new TurnGuard(30);
  const seq: [string, Record<string, unknown>][] = [
    ["click", { x: 1, y: 1 }],
    ["click", { x: 1, y: 1 }],
    ["click", { x: 1, y: 2 }],
    ["click", { x: 1, y: 2 }],
    ["move", { x: 1, y: 2 }],
    ["click", { x: 1, y: 2 }],
    ["click", { x: 1, y: 2 }],
    ["take_screenshot", {}],
    ["take_screenshot", { extra: undefined }],
  ];
  for (const [name, args] of seq) assertEquals(other.beforeCall(name, args), null, name);
  // Nested arguments are compared by value.
  const nested = new TurnGuard(30);
  const keys = { keys: ["control", "a"] };
  nested.beforeCall("hotkey", keys);
  nested.beforeCall("hotkey", { keys: ["control", "a"] });
  assertEquals(nested.beforeCall("hotkey", { keys: ["control", "a"] })?.code, "action_loop");
  assertEquals(new TurnGuard(30, 2).beforeCall("wait", {}), null);
});

Deno.test("TurnGuard: an answer after only refused calls is no_action; one action done makes it count", () => {
  const refusedOnly = new TurnGuard(30);
  refusedOnly.afterCall("click_at", "refused");
  refusedOnly.afterCall("take_screenshot", "observed");
  refusedOnly.afterCall("click_at", "refused");
  refusedOnly.afterCall("type_text_at", "refused");
  const err = refusedOnly.onAnswer();
  assertEquals([err?.code, err?.retryable, err?.message], [
    "no_action",
    false,
    "The model answered without any action having run: 3 call(s) were refused (click_at, type_text_at); the answer is not trusted",
  ]);

  const cases: [string, ("done" | "observed" | "refused" | "failed")[], boolean][] = [
    ["no calls at all: the first screenshot answered it", [], true],
    ["only observation", ["observed"], true],
    ["an action done after a refusal", ["refused", "done"], true],
    ["an action done before a refusal", ["done", "refused"], true],
    ["a failed page load, no refusal", ["failed"], true],
    ["refused and failed only", ["refused", "failed"], false],
  ];
  for (const [label, outcomes, trusted] of cases) {
    const guard = new TurnGuard(30);
    for (const o of outcomes) guard.afterCall("f", o);
    const answer = guard.onAnswer();
    assert(trusted ? answer === null : answer?.code === "no_action", label);
  }
});
