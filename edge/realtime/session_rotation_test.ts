import { assertEquals, assertThrows } from "@shared/testing/asserts.ts";
import { rotationSchedule, RotationSettingsError } from "./session_rotation.ts";

Deno.test("rotationSchedule() rotates at 55 minutes, and by force 30 s before the limit", () => {
  assertEquals(rotationSchedule(), { softInMs: 55 * 60_000, hardInMs: 59.5 * 60_000 });
});

Deno.test("rotationSchedule() counts the session's age from the connection", () => {
  const cases: [number, { softInMs: number; hardInMs: number }][] = [
    [0, { softInMs: 600, hardInMs: 900 }],
    [250, { softInMs: 350, hardInMs: 650 }],
    [700, { softInMs: 0, hardInMs: 200 }],
    [5000, { softInMs: 0, hardInMs: 0 }],
    [-10, { softInMs: 600, hardInMs: 900 }],
  ];
  const settings = { sessionLifetimeMs: 1000, rotateBeforeMs: 400, forceRotateBeforeMs: 100 };
  for (const [elapsed, expected] of cases) {
    assertEquals(rotationSchedule(settings, elapsed), expected, `elapsed ${elapsed}`);
  }
});

Deno.test("rotationSchedule() refuses settings that cannot rotate inside the limit", () => {
  const cases: [Parameters<typeof rotationSchedule>[0], string][] = [
    [
      { rotateBeforeMs: 10_000, forceRotateBeforeMs: 20_000 },
      "Cannot schedule session rotation as 'forceRotateBeforeMs' must not exceed 'rotateBeforeMs' (10000): current value is 20000",
    ],
    [
      { sessionLifetimeMs: 1000, rotateBeforeMs: 1000, forceRotateBeforeMs: 10 },
      "Cannot schedule session rotation as 'rotateBeforeMs' must be less than 'sessionLifetimeMs' (1000): current value is 1000",
    ],
    [
      { sessionLifetimeMs: Number.NaN },
      "Cannot schedule session rotation as 'sessionLifetimeMs' must be a non-negative number of ms: current value is NaN",
    ],
    [
      { forceRotateBeforeMs: -1 },
      "Cannot schedule session rotation as 'forceRotateBeforeMs' must be a non-negative number of ms: current value is -1",
    ],
  ];
  for (const [settings, message] of cases) {
    assertThrows(() => rotationSchedule(settings), RotationSettingsError, message);
  }
});
