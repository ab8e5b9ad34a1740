import { assertEquals } from "@shared/testing/asserts.ts";
import { MemoryQueue } from "../queue/memory/memory_queue.ts";
import { Tracer } from "../traces/tracer.ts";
import { Metrics } from "../metrics/metrics.ts";
import { createApp } from "../app.ts";
import { artifactType } from "./artifact_route.ts";

Deno.test("artifactType() maps extensions to content types", () => {
  const cases: [string, string][] = [
    ["step-01.png", "image/png"],
    ["SHOT.PNG", "image/png"],
    ["patch.diff", "text/x-diff; charset=utf-8"],
    ["actions.json", "application/json; charset=utf-8"],
    ["response.md", "text/markdown; charset=utf-8"],
    ["notes.txt", "text/plain; charset=utf-8"],
    ["binary", "application/octet-stream"],
    ["page.html", "application/octet-stream"], // never rendered as a page of this origin
    ["archive.tar.gz", "application/octet-stream"],
  ];
  for (const [name, type] of cases) assertEquals(artifactType(name), type, name);
});

Deno.test("GET /artifacts/:job_id/:name serves files with their type and rejects bad paths", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "artifacts-" });
  const queue = new MemoryQueue();
  const tracer = new Tracer([]);
  const app = createApp({
    queue,
    tracer,
    metrics: new Metrics(() => queue.depth()),
    skills: [],
    dataDir,
  });
  try {
    await Deno.mkdir(`${dataDir}/artifacts/J1`, { recursive: true });
    await Deno.mkdir(`${dataDir}/artifacts/J1/sub.dir`);
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
    await Deno.writeFile(`${dataDir}/artifacts/J1/step-01.png`, png);
    await Deno.writeTextFile(`${dataDir}/artifacts/J1/patch.diff`, "+new\n");
    await Deno.writeTextFile(`${dataDir}/artifacts/J1/actions.json`, "[]");
    await Deno.writeTextFile(`${dataDir}/secret.txt`, "outside");
    await Deno.symlink(`${dataDir}/secret.txt`, `${dataDir}/artifacts/J1/link.txt`);

    const png200 = await app.request("/artifacts/J1/step-01.png");
    assertEquals(png200.status, 200);
    assertEquals(png200.headers.get("content-type"), "image/png");
    assertEquals(png200.headers.get("x-content-type-options"), "nosniff");
    assertEquals(new Uint8Array(await png200.arrayBuffer()), png);
    const diff = await app.request("/artifacts/J1/patch.diff");
    assertEquals([diff.headers.get("content-type"), await diff.text()], [
      "text/x-diff; charset=utf-8",
      "+new\n",
    ]);
    assertEquals(
      (await app.request("/artifacts/J1/actions.json")).headers.get("content-type"),
      "application/json; charset=utf-8",
    );

    const cases: [string, number, string][] = [
      ["/artifacts/J1/missing.png", 404, "No artifact 'missing.png' for job 'J1'"],
      ["/artifacts/J2/patch.diff", 404, "No artifact 'patch.diff' for job 'J2'"],
      ["/artifacts/J1/sub.dir", 404, "No artifact 'sub.dir' for job 'J1'"],
      ["/artifacts/J1/link.txt", 404, "No artifact 'link.txt' for job 'J1'"],
      ["/artifacts/J1/..%2Fsecret.txt", 400, "Invalid artifact name"],
      ["/artifacts/J1/.hidden", 400, "Invalid artifact name"],
      ["/artifacts/J1/a..b", 400, "Invalid artifact name"],
      ["/artifacts/..%2F..%2Fetc/passwd", 400, "Invalid job id in artifact path"],
      ["/artifacts/J1%2F..%2F/secret.txt", 400, "Invalid job id in artifact path"],
    ];
    for (const [path, status, message] of cases) {
      const res = await app.request(path);
      const body = await res.json();
      assertEquals(
        [res.status, body.message.startsWith(message)],
        [status, true],
        `${path}: ${body.message}`,
      );
    }
    // A path the router splits differently never reaches a file either.
    assertEquals((await app.request("/artifacts/J1/../../secret.txt")).status, 404);
  } finally {
    await tracer.close();
    await Deno.remove(dataDir, { recursive: true });
  }
});
