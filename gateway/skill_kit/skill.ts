/**
 * @module
 * What a skill declares: how the router recognises it, which worker module runs it, the Deno
 * permissions that worker gets (everything else is denied), its retry policy and concurrency.
 * Adding a skill means one new folder under `gateway/skills/` and one line in `registry.ts`.
 * The engine, the router and the skills all depend on this kit, never on each other.
 */
import type { JobRecord, JobResult, JsonValue } from "@shared/schemas/mod.ts";
import type { RetryPolicy } from "./retry_policy.ts";
import type { SkillLexicon } from "./lexicon.ts";

/** A weighted pattern for the intent router. */
export interface SkillPattern {
  pattern: RegExp;
  weight: number;
}

/** Gateway settings a skill may read when it builds its worker's config and permissions. */
export interface SkillContext {
  dataDir: string;
  /** Reads the gateway's environment (workers have no env access of their own). */
  env(name: string): string | undefined;
  /** Command-line settings relevant to skills (workspace roots, budgets, driver URL...). */
  settings: Readonly<Record<string, string | number | boolean | undefined>>;
}

export interface Skill {
  intent: string;
  description: string;
  /**
   * What it does, said to a user in a few words after "I can" ("change code"); the answer to a
   * request nothing matched names these. A skill without one is not offered.
   */
  ability?: string;
  /** Router patterns; the best-scoring skill above the threshold takes a clause. */
  patterns: readonly SkillPattern[];
  /** What the skill acts on and how (verbs × objects); the router decides by the object. */
  lexicon?: SkillLexicon;
  /** Parameters derived from a routed clause (e.g. a URL, the text to echo). */
  paramsFromClause?(clause: string): Record<string, JsonValue>;
  /** Worker module, run as a Web Worker with {@link permissions}. */
  worker: URL;
  /**
   * Other modules the skill starts by URL at run time (e.g. a driver process). A compiled
   * gateway embeds these and {@link worker}, since `deno compile` cannot see them.
   */
  modules?: readonly URL[];
  /** The only permissions the worker gets. May depend on the job (e.g. its workspace). */
  permissions(ctx: SkillContext, job: JobRecord): Deno.PermissionOptionsObject;
  /** Configuration sent with each job (base URLs, keys, limits). */
  config(ctx: SkillContext, job: JobRecord): Record<string, JsonValue>;
  retry: RetryPolicy;
  /** Jobs of this skill running at once in one engine. */
  concurrency: number;
  /**
   * Runs outside the sandbox after the worker's result, with the engine's permissions
   * (e.g. `git apply --check`). Its return value is the job's result.
   */
  finalize?(job: JobRecord, result: JobResult, ctx: SkillContext): Promise<JobResult>;
  /**
   * Runs outside the sandbox before the job starts; its value is merged into the job config
   * (e.g. a browser context opened on the driver process).
   */
  prepare?(job: JobRecord, ctx: SkillContext): Promise<Record<string, JsonValue>>;
  /**
   * The model a job will be billed for. With a cost budget set, a job whose model has no price
   * is refused before it starts (`unpriced_model`); without one it runs with `cost_usd: null`.
   */
  pricedModel?(ctx: SkillContext, job: JobRecord): { provider: string; model: string } | undefined;
  /** Cleans up what `prepare` created, whatever the outcome. */
  cleanup?(job: JobRecord, ctx: SkillContext): Promise<void>;
}

/** A skill as the registry builds it, and what to stop when the gateway stops. */
export interface SkillInstance {
  skill: Skill;
  /** Stops what the skill started (a driver process). */
  close?(): Promise<void>;
}

/** One line of the registry: builds a skill from the gateway's settings (absent in tools). */
export type SkillFactory = (ctx?: SkillContext) => SkillInstance;

/** Thrown when an intent has no registered skill. */
export class UnknownSkillError extends Error {
  override name = "UnknownSkillError";
}
