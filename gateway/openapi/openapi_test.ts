import { assertEquals } from "@shared/testing/asserts.ts";
import { Validator } from "@seriousme/openapi-schema-validator";
import { buildOpenApi } from "./openapi.ts";

Deno.test("the OpenAPI document validates as OpenAPI 3.1", async () => {
  const validator = new Validator();
  const result = await validator.validate(buildOpenApi());
  assertEquals(result.errors ?? [], []);
  assertEquals(result.valid, true);
  assertEquals(validator.version, "3.1");
});

Deno.test("the OpenAPI document describes every gateway route", () => {
  const paths = Object.keys(buildOpenApi().paths as Record<string, unknown>).sort();
  assertEquals(paths, [
    "/events",
    "/healthz",
    "/jobs",
    "/jobs/{job_id}/cancel",
    "/jobs/{job_id}/confirm",
    "/jobs/{job_id}/retry",
    "/metrics",
    "/status/{job_id}",
    "/task",
    "/traces",
    "/utterances/{utterance_id}",
  ]);
});
