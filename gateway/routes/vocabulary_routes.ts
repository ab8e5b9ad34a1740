/**
 * @module
 * `GET /vocabulary`: identifiers and file names of the coding workspace, for the edge's
 * transcription prompt. `{ terms: string[] }`, at most 100; empty without a workspace.
 */
import { Hono } from "hono";
import { getLogger } from "@logtape/logtape";
import { HttpError } from "../http_errors.ts";
import {
  WorkspaceUnavailableError,
  WorkspaceVocabulary,
} from "../vocabulary/workspace_vocabulary.ts";

const log = getLogger(["gateway", "vocabulary"]);

export function vocabularyRoutes(options: { workspace?: string | undefined }): Hono {
  const app = new Hono();
  const vocabulary = new WorkspaceVocabulary({ workspace: options.workspace });
  app.get("/vocabulary", async function getVocabulary(c) {
    try {
      return c.json({ terms: await vocabulary.terms() });
    } catch (err) {
      if (!(err instanceof WorkspaceUnavailableError)) throw err;
      log.warn("{message}", { message: err.message });
      throw new HttpError(503, "workspace_unavailable", err.message);
    }
  });
  return app;
}
