/**
 * @module
 * The dashboard's browser script as the pages embed it: the SSE parser (`shared/io/sse_parser.ts`) and
 * the page formatting (`page_format.ts`), each from its tested source, then
 * `gateway/dashboard_client/dashboard_client.js` as it is. That file is plain JavaScript,
 * type-checked by `deno check` with the DOM library through JSDoc types, so the page runs
 * exactly the checked file with no build step.
 */
import { createSseParser } from "@shared/io/sse_parser.ts";
import { PAGE_FORMAT } from "./page_format.ts";
import SCRIPT from "../dashboard_client/dashboard_client.js" with { type: "text" };

const embedded = Object.entries({ createSseParser, ...PAGE_FORMAT })
  .map(([name, fn]) => `const ${name} = ${fn.toString()};\n`).join("");

/** The script the dashboard pages embed: the tested helpers' sources, then the page logic. */
export const CLIENT_SCRIPT = `${embedded}${SCRIPT}`;
