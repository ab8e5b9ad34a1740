/**
 * @module
 * `GET /artifacts/:job_id/:name`: a job's artifact from `<dataDir>/artifacts/<job_id>/<name>`
 * (patches, model answers, screenshots, action logs), with its content type. The id and the
 * name are validated before they touch a path: no separators, no `..`, nothing hidden.
 */
import { Hono } from "hono";
import { join } from "node:path";
import { Id } from "@shared/schemas/mod.ts";
import type { AppDeps } from "../app_deps.ts";
import { HttpError } from "../http_errors.ts";

/** The artifact names workers may write (the worker protocol's rule). */
export const ARTIFACT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export const ARTIFACT_TYPES: Readonly<Record<string, string>> = {
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  json: "application/json; charset=utf-8",
  diff: "text/x-diff; charset=utf-8",
  patch: "text/x-diff; charset=utf-8",
  md: "text/markdown; charset=utf-8",
  txt: "text/plain; charset=utf-8",
  log: "text/plain; charset=utf-8",
};

/** The content type served for an artifact name. */
export function artifactType(name: string): string {
  const dot = name.lastIndexOf(".");
  return (dot > 0 && ARTIFACT_TYPES[name.slice(dot + 1).toLowerCase()]) ||
    "application/octet-stream";
}

export function artifactRoute(deps: AppDeps): Hono {
  const app = new Hono();
  app.get("/artifacts/:job_id/:name", async (c) => {
    const id = Id.safeParse(c.req.param("job_id"));
    const name = c.req.param("name");
    if (!id.success) throw new HttpError(400, "invalid_id", "Invalid job id in artifact path");
    if (!ARTIFACT_NAME.test(name) || name.includes("..")) {
      throw new HttpError(
        400,
        "invalid_artifact_name",
        "Invalid artifact name: letters, digits, '.', '_' and '-' only, starting with a letter or digit",
      );
    }
    const path = join(deps.dataDir ?? "data", "artifacts", id.data, name);
    let bytes: Uint8Array;
    try {
      const info = await Deno.lstat(path);
      if (!info.isFile) throw new Deno.errors.NotFound(path);
      bytes = await Deno.readFile(path);
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) {
        throw new HttpError(404, "not_found", `No artifact '${name}' for job '${id.data}'`);
      }
      throw err;
    }
    return c.body(bytes as Uint8Array<ArrayBuffer>, 200, {
      "content-type": artifactType(name),
      "x-content-type-options": "nosniff",
      // Artifacts hold model output: never let one run as a page of this origin.
      "content-security-policy": "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'",
      "cache-control": "private, max-age=60",
    });
  });
  return app;
}
