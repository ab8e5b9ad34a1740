/**
 * @module
 * Web Worker that owns the libSQL connection, so that SQLite writes (synchronous native calls)
 * never stall the gateway's event loop. Speaks a tiny request/response protocol with
 * {@link WorkerLibsqlTraceSink}.
 */
/// <reference lib="deno.worker" />
import { LibsqlTraceSink } from "./libsql_sink.ts";
import { lowerThreadPriority } from "./thread_priority.ts";

// Batches of trace rows can wait; the gateway's request thread should not wait for a core behind
// them (see thread_priority.ts).
lowerThreadPriority();

let sink: LibsqlTraceSink | undefined;
const decoder = new TextDecoder();

self.onmessage = async (e: MessageEvent) => {
  const { id, op, arg } = e.data as { id: number; op: string; arg: unknown };
  try {
    let value: unknown;
    switch (op) {
      case "open":
        sink = new LibsqlTraceSink(arg as ConstructorParameters<typeof LibsqlTraceSink>[0]);
        await sink.ping();
        break;
      case "write":
        // JSON arrays of events, as UTF-8 bytes (see WorkerLibsqlTraceSink.writeLines).
        await sink!.writeJsonArrays((arg as Uint8Array[]).map((bytes) => decoder.decode(bytes)));
        break;
      case "query":
        value = await sink!.query(arg as Parameters<LibsqlTraceSink["query"]>[0]);
        break;
      case "ping":
        await sink!.ping();
        break;
      case "close":
        await sink?.close();
        break;
    }
    self.postMessage({ id, ok: true, value });
  } catch (err) {
    self.postMessage({ id, ok: false, error: err instanceof Error ? err.message : String(err) });
  }
};
