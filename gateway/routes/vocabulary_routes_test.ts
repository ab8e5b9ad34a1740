import { assertEquals } from "@shared/testing/asserts.ts";
import { join } from "node:path";
import { createApp } from "../app.ts";
import { MemoryQueue } from "../queue/memory/memory_queue.ts";
import { Tracer } from "../traces/tracer.ts";
import { Metrics } from "../metrics/metrics.ts";

function app(options: { token?: string; workspace?: string } = {}) {
  const queue = new MemoryQueue();
  const tracer = new Tracer([]);
  const metrics = new Metrics(() => queue.depth());
  return {
    app: createApp({ queue, tracer, metrics, skills: [], ...options }),
    close: () => tracer.close(),
  };
}

Deno.test("GET /vocabulary lists the workspace's terms, behind the token", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(
    join(dir, "intent_router.ts"),
    "export function routeIntent() {}\nrouteIntent();\nexport class <bad> {}",
  );
  const t = app({ token: "s3cret", workspace: dir });
  try {
    const denied = await t.app.request("/vocabulary");
    assertEquals(denied.status, 401);
    await denied.body?.cancel();
    const res = await t.app.request("/vocabulary", {
      headers: { authorization: "Bearer s3cret" },
    });
    assertEquals(res.status, 200);
    assertEquals(await res.json(), { terms: ["routeIntent", "intent_router.ts"] });
  } finally {
    await t.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("GET /vocabulary is an empty list without a workspace, 503 with an unreadable one", async () => {
  const none = app();
  try {
    const res = await none.app.request("/vocabulary");
    assertEquals(res.status, 200);
    assertEquals(await res.json(), { terms: [] });
  } finally {
    await none.close();
  }
  const missing = join(await Deno.makeTempDir(), "gone");
  const broken = app({ workspace: missing });
  try {
    const res = await broken.app.request("/vocabulary");
    assertEquals(res.status, 503);
    assertEquals(await res.json(), {
      error: "workspace_unavailable",
      message:
        `Cannot read the coding workspace ${missing}: No such file or directory (os error 2): stat '${missing}'`,
    });
  } finally {
    await broken.close();
  }
});
