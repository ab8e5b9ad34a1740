import { assertEquals } from "@shared/testing/asserts.ts";
import { createSkillSet } from "./registry.ts";

Deno.test("--skills narrows what runs here, not what is routed or how often it is tried", async () => {
  const set = createSkillSet({ only: ["coding", "browser"] });
  try {
    assertEquals(set.skills.map((s) => s.intent), ["coding", "browser"]);
    assertEquals(set.routable.map((s) => s.intent), ["echo", "coding", "browser"]);
    assertEquals(set.registered.map((s) => s.intent), ["echo", "coding", "browser"]);
  } finally {
    await set.close();
  }
});
