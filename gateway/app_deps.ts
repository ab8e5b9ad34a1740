/**
 * @module
 * `AppDeps`: everything the HTTP app needs, injected so tests build the app in-process.
 */
import type { JobQueue } from "./queue/queue.ts";
import type { Tracer } from "./traces/tracer.ts";
import type { Metrics } from "./metrics/metrics.ts";
import type { Engine } from "./engine/engine.ts";
import type { RoutableSkill } from "./router/router.ts";
import type { Route } from "./router/routing.ts";
import type { WebSafetyOptions } from "./web_safety.ts";

export interface AppDeps {
  queue: JobQueue;
  tracer: Tracer;
  metrics: Metrics;
  /** Skills the router knows (normally the engine's). */
  skills: readonly RoutableSkill[];
  /** How `POST /task` routes text (patterns, or a model when unsure). @default patterns only */
  route?: Route;
  /** Cancels and confirmations go through the engine when one runs in this process. */
  engine?: Engine;
  /** `GATEWAY_TOKEN`: when set, every route but `/healthz` needs it as a bearer token. */
  token?: string;
  /** @default 65536 */
  maxBodyBytes?: number;
  /** Attempts for jobs created through the API, per intent. @default 3 */
  maxAttempts?: (intent: string) => number;
  /** The coding workspace (`--workspace`), whose identifiers `GET /vocabulary` lists. */
  workspace?: string | undefined;
  /** Where artifacts live (served under `/artifacts/`). @default "data" */
  dataDir?: string;
  /** Requests per second per client on `POST /task` (burst twice that); off when 0/undefined. */
  rateLimitPerSecond?: number;
  /** Host and Origin checks: `--allowed-host`, `--allow-origin` and the listening address. */
  webSafety?: WebSafetyOptions;
  /** Wall clock in ms (the rate limiter's). @default Date.now */
  now?: () => number;
}
