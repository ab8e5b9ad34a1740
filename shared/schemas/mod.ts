/**
 * @module
 * zod schemas shared by the edge, the gateway and the workers: one source of types.
 */
export * from "./task.ts";
export * from "./usage.ts";
export * from "./job.ts";
export * from "./trace.ts";
export * from "./worker_protocol.ts";
export * from "./json_depth.ts";
export * from "./json_value.ts";
export * from "./wire.ts";
