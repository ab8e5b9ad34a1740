/**
 * @module
 * What the served page defines before `dashboard_client.js`: the SSE parser and the page
 * formatting, prepended from their own tested modules (see `client_script.ts`).
 */
declare const createSseParser: typeof import("../../shared/io/sse_parser.ts").createSseParser;
declare const esc: typeof import("../dashboard/page_format.ts").esc;
declare const fmtMs: typeof import("../dashboard/page_format.ts").fmtMs;
declare const fmtCost: typeof import("../dashboard/page_format.ts").fmtCost;
declare const fmtTime: typeof import("../dashboard/page_format.ts").fmtTime;
declare const diffHtml: typeof import("../dashboard/page_format.ts").diffHtml;
declare const chartHtml: typeof import("../dashboard/page_format.ts").chartHtml;
