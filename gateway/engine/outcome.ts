/**
 * @module
 * How one attempt of a job ended, and the handle of a job running in this engine: the types
 * the attempt, the settling and the engine's cancel and confirm share.
 */
import type { JobError, JobRecord, JobResult } from "@shared/schemas/mod.ts";

/** How one attempt ended. */
export type Outcome =
  | { kind: "result"; result: JobResult }
  | { kind: "error"; error: JobError; workerHealthy: boolean }
  | { kind: "cancelled"; reason: string }
  | { kind: "lease_lost" };

/** A job running in this engine, as cancel, confirm and steering reach it. */
export interface LocalJob {
  job: JobRecord;
  token: string;
  abort(reason: string, kind: "cancel" | "error", error?: JobError): void;
  confirm?: ((decision: "allow" | "deny") => Promise<boolean>) | undefined;
}
