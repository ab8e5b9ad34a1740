import { assertEquals } from "@shared/testing/asserts.ts";
import { createSkillSet } from "./registry.ts";

Deno.test("--skills narrows what runs here, not what is routed or how often it is tried", async () => {
  const set = createSkillSet({ only: ["coding", "browser"] });
  try {
    assertEquals(set.skills.map((s) => s.intent), ["coding", "browser"]);
    assertEquals(set.registered.map((s) => s.intent), ["echo", "coding", "browser"]);
  } finally {
    await set.close();
  }
});

Deno.test("coding reaches only its API's host and port, the scheme's default port included", async () => {
  const set = createSkillSet();
  try {
    const coding = set.skills.find((s) => s.intent === "coding")!;
    const job = { spec: { params: {} } } as unknown as Parameters<typeof coding.permissions>[1];
    const ctx = (env: Record<string, string>) => ({
      dataDir: "data",
      env: (n: string) => env[n],
      settings: { workspace: "/tmp" },
    });
    assertEquals(coding.permissions(ctx({}), job).net, ["api.anthropic.com:443"]);
    assertEquals(
      coding.permissions(ctx({ ANTHROPIC_BASE_URL: "http://127.0.0.1:9000" }), job).net,
      ["127.0.0.1:9000"],
    );
  } finally {
    await set.close();
  }
});
