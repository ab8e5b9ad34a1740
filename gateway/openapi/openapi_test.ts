import { assert, assertEquals, assertStringIncludes } from "@shared/testing/asserts.ts";
import { Validator } from "@seriousme/openapi-schema-validator";
import { createApp } from "../app.ts";
import { MemoryQueue } from "../queue/memory/memory_queue.ts";
import { Tracer } from "../traces/tracer.ts";
import { Metrics } from "../metrics/metrics.ts";
import { buildOpenApi } from "./openapi.ts";

/** Routes that serve pages or the document itself, not API operations. */
const PAGES = new Set([
  "GET /",
  "GET /job/{job_id}",
  "GET /docs",
  "GET /openapi.json",
  "GET /favicon.ico",
]);

function app(token?: string) {
  const queue = new MemoryQueue();
  const tracer = new Tracer([]);
  const metrics = new Metrics(() => queue.depth());
  return {
    app: createApp({ queue, tracer, metrics, skills: [], ...(token ? { token } : {}) }),
    close: () => tracer.close(),
  };
}

Deno.test("the OpenAPI document validates as OpenAPI 3.1", async () => {
  const validator = new Validator();
  const result = await validator.validate(buildOpenApi());
  assertEquals(result.errors ?? [], []);
  assertEquals(result.valid, true);
  assertEquals(validator.version, "3.1");
});

Deno.test("the OpenAPI document describes exactly the gateway's API routes", async () => {
  const t = app();
  const served = new Set(
    t.app.routes.filter((r) => r.method !== "ALL").map((r) =>
      `${r.method} ${r.path.replace(/:([A-Za-z_]+)/g, "{$1}")}`
    ),
  );
  const documented = new Set(
    Object.entries(buildOpenApi().paths as Record<string, Record<string, unknown>>).flatMap((
      [path, ops],
    ) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`)),
  );
  assertEquals([...served].filter((r) => !PAGES.has(r)).sort(), [...documented].sort());
  assertEquals(documented.size, 13);
  await t.close();
});

Deno.test("every $ref in the document points at a schema it defines", () => {
  const doc = buildOpenApi();
  const refs = new Set<string>();
  JSON.stringify(doc, (key, value) => {
    if (key === "$ref") refs.add(value);
    return value;
  });
  const schemas = (doc.components as { schemas: Record<string, unknown> }).schemas;
  assert(refs.size >= 10, `only ${refs.size} references`);
  for (const ref of refs) {
    assert(ref.startsWith("#/components/schemas/"), ref);
    assert(ref.slice("#/components/schemas/".length) in schemas, `${ref} is not defined`);
  }
});

Deno.test("GET /openapi.json and GET /docs load without the token; the API still needs it", async () => {
  const t = app("openapi-test-token");
  const doc = await t.app.request("/openapi.json");
  assertEquals(doc.status, 200);
  assertEquals(await doc.json(), JSON.parse(JSON.stringify(buildOpenApi())));
  const page = await t.app.request("/docs");
  assertEquals(page.status, 200);
  assertStringIncludes(page.headers.get("content-type") ?? "", "text/html");
  assertStringIncludes(await page.text(), 'fetch("/openapi.json")');
  assertEquals((await t.app.request("/jobs")).status, 401);
  await t.close();
});
