/**
 * @module
 * Calls the browser driver's RPC (from the sandboxed worker or the gateway).
 */
import { type DriverCall, DriverReply } from "./driver_protocol.ts";

export class DriverError extends Error {
  override name = "DriverError";
}

export class DriverClient {
  constructor(readonly url: string, readonly token: string) {}

  async call(call: DriverCall, signal?: AbortSignal): Promise<DriverReply> {
    let res: Response;
    try {
      res = await fetch(`${this.url}/rpc`, {
        method: "POST",
        headers: { authorization: `Bearer ${this.token}`, "content-type": "application/json" },
        body: JSON.stringify(call),
        ...(signal ? { signal } : {}),
      });
    } catch (err) {
      if (signal?.aborted) throw signal.reason;
      throw new DriverError(
        `The browser driver is unreachable: ${err instanceof Error ? err.message : err}`,
      );
    }
    const reply = DriverReply.parse(await res.json());
    if (!reply.ok) throw new DriverError(`Browser ${call.op} failed: ${reply.error ?? res.status}`);
    return reply;
  }
}
