import { assertEquals } from "@shared/testing/asserts.ts";
import { claimGroups, MAX_CLAIM_BATCH, type SkillLoad } from "./claim_room.ts";

const skill = (intent: string, concurrency: number, running = 0) => ({
  intent,
  concurrency,
  running,
});

Deno.test("claimGroups(): every skill with room claims unfiltered, up to the free slots", () => {
  assertEquals(claimGroups([skill("echo", 32), skill("coding", 16)], 8, true), [{ count: 8 }]);
  assertEquals(claimGroups([skill("echo", 64)], 40, true), [{ count: MAX_CLAIM_BATCH }]);
});

Deno.test("claimGroups(): a small skill caps the unfiltered group; the rest skips it", () => {
  assertEquals(claimGroups([skill("echo", 32), skill("coding", 2)], 16, true), [
    { count: 2 },
    { count: 8, intents: ["echo"] },
  ]);
  assertEquals(
    claimGroups([skill("echo", 32, 30), skill("coding", 4), skill("browser", 20)], 16, true),
    [{ count: 2 }, { count: 8, intents: ["browser"] }],
  );
});

Deno.test("claimGroups(): a full skill is left out of every group", () => {
  assertEquals(claimGroups([skill("echo", 32, 4), skill("coding", 2, 2)], 16, true), [
    { count: 10, intents: ["echo"] },
  ]);
  assertEquals(claimGroups([skill("echo", 1, 1), skill("coding", 2, 2)], 16, true), []);
});

Deno.test("claimGroups(): nothing is claimed with no free slot", () => {
  assertEquals(claimGroups([skill("echo", 32)], 0, true), []);
});

Deno.test("claimGroups(): an engine for some skills only always filters by them", () => {
  assertEquals(claimGroups([skill("coding", 2)], 16, false), [{ count: 2, intents: ["coding"] }]);
});

Deno.test("claimGroups(): an engine with no skill takes any job, to fail it", () => {
  assertEquals(claimGroups([], 16, true), [{ count: 10 }]);
  assertEquals(claimGroups([], 16, false), []);
});

/** The most jobs of each skill the groups can hand out, whatever the store holds. */
function worstCase(skills: SkillLoad[], groups: ReturnType<typeof claimGroups>) {
  return skills.map((s) =>
    groups.filter((g) => !g.intents || g.intents.includes(s.intent))
      .reduce((n, g) => n + g.count, 0)
  );
}

Deno.test("claimGroups(): no skill is ever handed more jobs than it has room for", () => {
  let seed = 7;
  const random = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
  for (let i = 0; i < 2000; i++) {
    const skills = Array.from({ length: 1 + random(4) }, (_, k) => {
      const concurrency = 1 + random(40);
      return skill(`s${k}`, concurrency, random(concurrency + 1));
    });
    const free = random(20);
    const groups = claimGroups(skills, free, random(2) === 0);
    const total = groups.reduce((n, g) => n + g.count, 0);
    assertEquals(total <= Math.max(0, Math.min(free, MAX_CLAIM_BATCH)), true);
    worstCase(skills, groups).forEach((n, k) =>
      assertEquals(n <= skills[k]!.concurrency - skills[k]!.running, true, JSON.stringify(skills))
    );
  }
});
