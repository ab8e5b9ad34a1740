/**
 * @module
 * The skill kit: the contract between the engine, the router and the skills. A skill folder
 * imports only from here (and `@shared/`); the engine and the router read skills through the
 * same types. Nothing here imports the engine, the router or a skill.
 *
 * A worker module imports the worker side, `worker_runtime.ts`, directly: it is typed for the
 * inside of a Web Worker (`deno.worker`), which the gateway's own modules are not.
 */
export * from "./skill.ts";
export * from "./retry_policy.ts";
export * from "./lexicon.ts";
export * from "./worker_errors.ts";
export * from "./net_permission.ts";
