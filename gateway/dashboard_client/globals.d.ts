/**
 * @module
 * What the served page defines before `dashboard_client.js`: the SSE parser, prepended from
 * its own tested module (see `client_script.ts`).
 */
declare const createSseParser: typeof import("../dashboard/sse_parser.ts").createSseParser;
