/**
 * @module
 * How an engine acts on a job's record when the job was steered through the store by any
 * gateway process: a requested cancel aborts the worker, a recorded confirmation answer is
 * passed on. Called when the store announces the job (`watchControl`) and on every heartbeat,
 * so a missed announcement only delays the step. Pure apart from the callbacks it is given.
 */
import type { JobRecord } from "@shared/schemas/mod.ts";

/** The parts of a job running in this engine that steering needs. */
export interface SteerableJob {
  abort(reason: string, kind: "cancel" | "error"): void;
  /** Set while the job waits for a confirmation answer here. */
  confirm?: ((decision: "allow" | "deny") => Promise<boolean>) | undefined;
}

/** Applies what `record` asks of `local`; returns what it did. */
export function applySteering(
  local: SteerableJob,
  record: Pick<JobRecord, "cancel_requested" | "decision"> | null,
  onError: (err: unknown) => void = () => {},
): "cancel" | "allow" | "deny" | null {
  if (!record) return null;
  if (record.cancel_requested) {
    local.abort("cancelled by request", "cancel");
    return "cancel";
  }
  if (record.decision && local.confirm) {
    // `confirm` clears itself first, so an answer seen twice is passed on once.
    local.confirm(record.decision).catch(onError);
    return record.decision;
  }
  return null;
}
