import { assertEquals } from "@shared/testing/asserts.ts";
import { claimRoom, MAX_CLAIM_BATCH } from "./claim_room.ts";

const skill = (intent: string, concurrency: number, running = 0) => ({
  intent,
  concurrency,
  running,
});

Deno.test("claimRoom(): every skill with room claims unfiltered, capped by the tightest", () => {
  assertEquals(claimRoom([skill("echo", 32), skill("coding", 2)], 16, true), { count: 2 });
  assertEquals(claimRoom([skill("echo", 32, 30), skill("coding", 4)], 16, true), { count: 2 });
});

Deno.test("claimRoom(): a full skill is left out of the filter", () => {
  assertEquals(claimRoom([skill("echo", 32, 4), skill("coding", 2, 2)], 16, true), {
    count: 10,
    intents: ["echo"],
  });
});

Deno.test("claimRoom(): the engine's free slots and the batch size cap the count", () => {
  assertEquals(claimRoom([skill("echo", 32)], 3, true), { count: 3 });
  assertEquals(claimRoom([skill("echo", 64)], 40, true), { count: MAX_CLAIM_BATCH });
});

Deno.test("claimRoom(): nothing is claimed with no free slot or no skill with room", () => {
  assertEquals(claimRoom([skill("echo", 32)], 0, true), { count: 0 });
  assertEquals(claimRoom([skill("echo", 1, 1), skill("coding", 2, 2)], 16, true), { count: 0 });
});

Deno.test("claimRoom(): an engine for some skills only always filters by them", () => {
  assertEquals(claimRoom([skill("coding", 2)], 16, false), { count: 2, intents: ["coding"] });
});

Deno.test("claimRoom(): an engine with no skill takes any job, to fail it", () => {
  assertEquals(claimRoom([], 16, true), { count: 10 });
  assertEquals(claimRoom([], 16, false), { count: 0 });
});
