/**
 * @module
 * Calls the browser driver's RPC (from the sandboxed worker or the gateway).
 */
import { type DriverCall, type DriverErrorCode, DriverReply } from "./driver_protocol.ts";

/** A driver call that failed; `unreachable` when the driver process did not answer at all. */
export class DriverError extends Error {
  override name = "DriverError";
  constructor(
    readonly code: DriverErrorCode | "unreachable",
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export class DriverClient {
  constructor(readonly url: string, readonly token: string) {}

  async call(call: DriverCall, signal?: AbortSignal): Promise<DriverReply> {
    let res: Response;
    let body: unknown;
    try {
      res = await fetch(`${this.url}/rpc`, {
        method: "POST",
        headers: { authorization: `Bearer ${this.token}`, "content-type": "application/json" },
        body: JSON.stringify(call),
        ...(signal ? { signal } : {}),
      });
      body = await res.json();
    } catch (err) {
      if (signal?.aborted) throw signal.reason;
      throw new DriverError(
        "unreachable",
        `The browser driver is unreachable: ${err instanceof Error ? err.message : err}`,
        { cause: err },
      );
    }
    const reply = DriverReply.parse(body);
    if (!reply.ok) {
      throw new DriverError(
        reply.code ?? "failed",
        `Browser ${call.op} failed: ${reply.error ?? `HTTP ${res.status}`}`,
      );
    }
    return reply;
  }
}
