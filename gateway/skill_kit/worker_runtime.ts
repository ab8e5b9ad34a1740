/**
 * @module
 * The worker side of the engine protocol. A skill's worker module calls {@link serveJobs} at
 * its top level; this registers the message handler synchronously (before any `await`, or
 * Deno drops early messages), then runs one job at a time and reports through typed messages.
 */
/// <reference lib="deno.worker" />
import {
  FromWorker,
  type JobError,
  type JobProgress,
  type JobResult,
  type TaskSpec,
  ToWorker,
  type Usage,
} from "@shared/schemas/mod.ts";
import { JobAbortedError, WorkerError } from "./worker_errors.ts";

export interface JobContext {
  job_id: string;
  utterance_id: string;
  attempt: number;
  spec: TaskSpec;
  config: Record<string, unknown>;
  /** Aborted when the job is cancelled or times out. */
  signal: AbortSignal;
  progress(progress: JobProgress): void;
  log(
    level: "debug" | "info" | "warning" | "error",
    message: string,
    data?: Record<string, unknown>,
  ): void;
  /** Reports usage so far (cumulative for this attempt). */
  usage(usage: Usage): void;
  /** Stores a file under `data/artifacts/<job_id>/<name>` (written by the engine). */
  artifact(name: string, content: string | Uint8Array): void;
  /** Pauses the job until a person allows or denies `prompt`. */
  awaitConfirmation(prompt: string, action?: unknown): Promise<"allow" | "deny">;
}

export type JobHandler = (ctx: JobContext) => Promise<JobResult>;

function post(message: FromWorker): void {
  self.postMessage(message);
}

function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

/** Maps any thrown value to the protocol's error shape. */
export function toJobError(err: unknown): JobError {
  if (err instanceof WorkerError) {
    return {
      code: err.code,
      message: err.message,
      retryable: err.retryable,
      ...(err.retryAfterMs !== undefined ? { retry_after_ms: err.retryAfterMs } : {}),
    };
  }
  if (err instanceof Deno.errors.NotCapable || err instanceof Deno.errors.PermissionDenied) {
    return { code: "permission_denied", message: (err as Error).message, retryable: false };
  }
  if (err instanceof JobAbortedError) {
    return { code: "aborted", message: err.message, retryable: false };
  }
  const e = err instanceof Error ? err : new Error(String(err));
  return { code: "worker_error", message: `${e.name}: ${e.message}`, retryable: true };
}

/** Serves jobs with `handler` for the life of this worker. */
export function serveJobs(handler: JobHandler): void {
  let current: {
    id: string;
    abort: AbortController;
    confirm?: ((d: "allow" | "deny") => void) | undefined;
  } | null = null;

  self.onmessage = (event: MessageEvent) => {
    const parsed = ToWorker.safeParse(event.data);
    if (!parsed.success) {
      console.error(`worker: ignored malformed message: ${parsed.error.message}`);
      return;
    }
    const msg = parsed.data;
    if (msg.type === "abort") {
      if (current?.id === msg.job_id) current.abort.abort(new JobAbortedError(msg.reason));
      return;
    }
    if (msg.type === "confirmation") {
      if (current?.id === msg.job_id) current.confirm?.(msg.decision);
      return;
    }
    const abort = new AbortController();
    const job = { id: msg.job_id, abort } as NonNullable<typeof current>;
    current = job;
    // Progress waits for the event loop to turn before it is posted, and a newer report
    // replaces it meanwhile. A job that reports its last step and answers in the same turn
    // then sends one message instead of two (each wakes the engine's thread, and the engine
    // keeps only the latest progress, dropping what is pending once the job answers). Any
    // other message posts the held progress first, so the order is kept.
    let heldProgress: JobProgress | undefined;
    let heldTimer: ReturnType<typeof setTimeout> | undefined;
    const dropProgress = () => {
      clearTimeout(heldTimer);
      heldTimer = undefined;
      heldProgress = undefined;
    };
    const flushProgress = () => {
      const progress = heldProgress;
      dropProgress();
      if (progress) post({ type: "progress", job_id: msg.job_id, progress });
    };
    const send = (message: FromWorker) => {
      flushProgress();
      post(message);
    };
    const ctx: JobContext = {
      job_id: msg.job_id,
      utterance_id: msg.utterance_id,
      attempt: msg.attempt,
      spec: msg.spec,
      config: msg.config,
      signal: abort.signal,
      progress: (progress) => {
        heldProgress = progress;
        heldTimer ??= setTimeout(flushProgress, 0);
      },
      log: (level, message, data) =>
        send({
          type: "log",
          job_id: msg.job_id,
          level,
          message: message.slice(0, 4000),
          ...(data ? { data: JSON.parse(JSON.stringify(data)) } : {}),
        }),
      usage: (usage) => send({ type: "usage", job_id: msg.job_id, usage }),
      artifact: (name, content) =>
        send(
          typeof content === "string"
            ? { type: "artifact", job_id: msg.job_id, name, text: content }
            : { type: "artifact", job_id: msg.job_id, name, base64: toBase64(content) },
        ),
      awaitConfirmation: (prompt, action) =>
        new Promise((resolve, reject) => {
          job.confirm = (d) => {
            job.confirm = undefined;
            resolve(d);
          };
          abort.signal.addEventListener("abort", () => reject(abort.signal.reason), {
            once: true,
          });
          send({
            type: "await_confirmation",
            job_id: msg.job_id,
            prompt,
            ...(action !== undefined ? { action: JSON.parse(JSON.stringify(action)) } : {}),
          });
        }),
    };
    handler(ctx).then(
      (result) => {
        dropProgress();
        post({ type: "result", job_id: msg.job_id, result });
      },
      (err) => {
        dropProgress();
        post({ type: "error", job_id: msg.job_id, error: toJobError(err) });
      },
    ).finally(() => {
      if (current === job) current = null;
    });
  };
  post({ type: "ready" });
}
