/**
 * @module
 * Command-line flags of `deno task gateway` and `deno task worker`, parsed and validated.
 */
import { parseArgs } from "node:util";
import { z } from "zod";
import { isHostPattern, normaliseOrigin } from "./web_safety.ts";

export const GATEWAY_HELP = `Voice-to-agent orchestration gateway

Usage: deno task gateway [options]

Options:
  --host HOST            address to listen on (default 127.0.0.1, env GATEWAY_HOST)
  --port PORT            port to listen on, 0 for any free one (default 8787, env GATEWAY_PORT)
  --data-dir DIR         queue store, traces.sqlite and artifacts (default data)
  --logs-dir DIR         JSONL logs and traces (default logs)
  --queue BACKEND        kv (default, durable), redis (scale-out) or memory (ephemeral)
  --redis-url URL        Redis for --queue redis (default redis://127.0.0.1:6379, env REDIS_URL)
  --concurrency N        jobs running at once in this process (default 16)
  --lease-ms N           how long a job stays leased without a heartbeat before another
                         engine may take it over (default 15000)
  --confirm-timeout-ms N how long a job waits for POST /jobs/{id}/confirm before it fails
                         with confirmation_timeout (default 600000)
  --no-engine            serve HTTP only; run jobs with 'deno task worker' processes
  --skills LIST          comma-separated skills to enable (default: all)
  --workspace DIR        git repository for the coding skill (env CODING_WORKSPACE)
  --max-cost-usd N       stop a job whose model cost would exceed N dollars
  --max-cost-usd-per-utterance N
                         stop a job when its utterance's jobs together would exceed N dollars
  --rate-limit N         POST /task requests per second per client, 0 for none (default 100)
  --router MODE          patterns (offline: the lexicons and a learned model), auto (default:
                         ask Claude only when ANTHROPIC_API_KEY is set and the patterns are
                         unsure or match nothing) or model (ask Claude for every request;
                         patterns if it fails)
  --allowed-host HOST    also answer requests whose Host is HOST ('name' for any port, or
                         'name:port'); repeatable. Loopback names and the listening address
                         always pass; others get 403 (421 on pages), against DNS rebinding
  --allow-origin ORIGIN  let pages from ORIGIN (e.g. http://localhost:3000) change state
                         and read answers (CORS); repeatable. Others get 403
  --traces-url URL       libSQL URL for traces (default file:<data-dir>/traces.sqlite)
  --log-level LEVEL      debug, info, warning or error (default info)
  -h, --help             show this help

Environment:
  GATEWAY_TOKEN          require 'Authorization: Bearer <token>' on the API (not on /healthz,
                         the dashboard shell, /docs and /openapi.json)
  ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL
                         the coding skill's Claude account and endpoint
  CODING_MODEL           Claude model (default claude-sonnet-5-5; older ones such as
                         claude-sonnet-4-6 still work)
  ROUTER_MODEL           Claude model that routes unsure requests (default claude-haiku-4-5)
  CODING_MAX_TOKENS      answer limit per request, thinking included (default 16000 for
                         Claude 5.x, 4096 for older models)
  CODING_CONTEXT_CHARS   how much of the workspace goes into a prompt (default 60000)
  CODING_WORKSPACE_ROOTS folders (a path list, ':'-separated; ';' on Windows) that a job's
                         params.workspace may lie under
  GEMINI_API_KEY, GEMINI_BASE_URL
                         the browser skill's Gemini account and endpoint
  BROWSER_MODEL          Gemini Computer Use model (default gemini-3.5-flash; the legacy
                         gemini-2.5-computer-use-preview-10-2025, gemini-3-flash-preview and
                         gemini-3.1-pro-preview get the legacy function set)
  BROWSER_MAX_TURNS      model turns a browser job may take before turn_limit (default 30)
  BROWSER_QA_URL         the page a browser job opens when its request names no URL
  CHROMIUM_PATH          Chromium for the browser skill (default /usr/bin/chromium)
  TRACES_AUTH_TOKEN      token for a remote libSQL --traces-url

Full reference: README.md (configuration) and docs/.`;

const Port = z.coerce.number().int().min(0).max(65535);
const Money = z.coerce.number().positive();

export const GatewayFlags = z.object({
  host: z.string().min(1),
  port: Port,
  data_dir: z.string().min(1),
  logs_dir: z.string().min(1),
  queue: z.enum(["kv", "redis", "memory"]),
  redis_url: z.string().regex(/^rediss?:\/\//, "must start with redis:// or rediss://"),
  concurrency: z.coerce.number().int().min(1).max(1024),
  lease_ms: z.coerce.number().int().min(100).max(3_600_000),
  confirm_timeout_ms: z.coerce.number().int().min(1_000).max(86_400_000),
  engine: z.boolean(),
  skills: z.array(z.string()).optional(),
  workspace: z.string().optional(),
  max_cost_usd: Money.optional(),
  max_cost_usd_per_utterance: Money.optional(),
  traces_url: z.string().optional(),
  rate_limit: z.coerce.number().min(0),
  router: z.enum(["patterns", "auto", "model"]),
  allowed_host: z.array(
    z.string().refine(isHostPattern, "must be a host name, optionally with :port"),
  ),
  allow_origin: z.array(
    z.string().refine(
      (v) => normaliseOrigin(v) !== undefined,
      "must be an origin such as http://localhost:3000 (scheme, host, port; no path)",
    ),
  ),
  log_level: z.enum(["debug", "info", "warning", "error"]),
  help: z.boolean(),
});
export type GatewayFlags = z.infer<typeof GatewayFlags>;

/** Thrown for unusable flags; `main` prints the message and exits 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

export function parseGatewayFlags(
  args: string[],
  env: (name: string) => string | undefined = () => undefined,
): GatewayFlags {
  let values: Record<string, string | boolean | string[] | undefined>;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        host: { type: "string" },
        port: { type: "string" },
        "data-dir": { type: "string" },
        "logs-dir": { type: "string" },
        queue: { type: "string" },
        "redis-url": { type: "string" },
        concurrency: { type: "string" },
        "lease-ms": { type: "string" },
        "confirm-timeout-ms": { type: "string" },
        "no-engine": { type: "boolean" },
        skills: { type: "string" },
        workspace: { type: "string" },
        "max-cost-usd": { type: "string" },
        "max-cost-usd-per-utterance": { type: "string" },
        "traces-url": { type: "string" },
        "rate-limit": { type: "string" },
        router: { type: "string" },
        "allowed-host": { type: "string", multiple: true },
        "allow-origin": { type: "string", multiple: true },
        "log-level": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (err) {
    throw new UsageError(
      `${String(err instanceof Error ? err.message : err).replace(/\.$/, "")}. See --help.`,
    );
  }
  const raw = {
    host: values.host ?? env("GATEWAY_HOST") ?? "127.0.0.1",
    port: values.port ?? env("GATEWAY_PORT") ?? "8787",
    data_dir: values["data-dir"] ?? "data",
    logs_dir: values["logs-dir"] ?? "logs",
    queue: values.queue ?? "kv",
    redis_url: values["redis-url"] ?? env("REDIS_URL") ?? "redis://127.0.0.1:6379",
    concurrency: values.concurrency ?? "16",
    lease_ms: values["lease-ms"] ?? "15000",
    confirm_timeout_ms: values["confirm-timeout-ms"] ?? "600000",
    engine: !values["no-engine"],
    skills: typeof values.skills === "string"
      ? values.skills.split(",").map((s) => s.trim()).filter(Boolean)
      : undefined,
    workspace: values.workspace ?? env("CODING_WORKSPACE"),
    max_cost_usd: values["max-cost-usd"],
    max_cost_usd_per_utterance: values["max-cost-usd-per-utterance"],
    traces_url: values["traces-url"],
    rate_limit: values["rate-limit"] ?? "100",
    router: values.router ?? "auto",
    allowed_host: values["allowed-host"] ?? [],
    allow_origin: values["allow-origin"] ?? [],
    log_level: values["log-level"] ?? "info",
    help: values.help ?? false,
  };
  const parsed = GatewayFlags.safeParse(Object.fromEntries(
    Object.entries(raw).filter(([, v]) => v !== undefined),
  ));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UsageError(
      `Invalid --${String(issue.path[0]).replaceAll("_", "-")}: ${issue.message}. See --help.`,
    );
  }
  return parsed.data;
}
