/**
 * @module
 * Errors that render themselves as JSON responses. Routes throw them; one `onError` in
 * `app.ts` turns every error class into its status, so no route needs its own try/catch.
 */
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { z } from "zod";

export interface ErrorBody {
  error: string;
  message: string;
  details?: unknown;
}

export class HttpError extends Error {
  override name = "HttpError";
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  body(): ErrorBody {
    return {
      error: this.code,
      message: this.message,
      ...(this.details !== undefined ? { details: this.details } : {}),
    };
  }

  getResponse(): Response {
    return Response.json(this.body(), { status: this.status, headers: this.headers });
  }
}

/** A request whose content failed schema validation: 422 naming each field path. */
export function validationError(error: z.ZodError, what = "request body"): HttpError {
  const issues = error.issues.map((i) => ({
    path: i.path.length ? i.path.map(String).join(".") : "(root)",
    message: i.message,
  }));
  const fields = [...new Set(issues.map((i) => i.path))].join(", ");
  return new HttpError(422, "validation_failed", `Invalid ${what}: check ${fields}`, issues);
}

export const notFound = (what: string, id: string) =>
  new HttpError(404, "not_found", `No ${what} with id '${id}'`);
