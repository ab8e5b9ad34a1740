/**
 * @module
 * The dashboard's browser script as the pages embed it: the SSE parser's source (tested in
 * `sse_parser.ts`), then `gateway/dashboard_client/dashboard_client.js` as it is. That file is plain JavaScript,
 * type-checked by `deno check` with the DOM library through JSDoc types, so the page runs
 * exactly the checked file with no build step.
 */
import { createSseParser } from "./sse_parser.ts";
import SCRIPT from "../dashboard_client/dashboard_client.js" with { type: "text" };

/** The script the dashboard pages embed: the SSE parser's source, then the page logic. */
export const CLIENT_SCRIPT = `const createSseParser = ${createSseParser.toString()};\n${SCRIPT}`;
