/**
 * @module
 * The libSQL trace sink run in its own Web Worker (see `libsql_worker.ts`): same contract as
 * {@link LibsqlTraceSink}, with the SQLite work off the request path. The worker may read and
 * write only the database's folder (plus FFI for the native driver).
 */
import { dirname, resolve } from "node:path";
import type { TraceEvent } from "@shared/schemas/mod.ts";
import type { LibsqlSinkOptions } from "./libsql_sink.ts";
import type { TraceFilter, TraceSink } from "./tracer.ts";
import { jsonArrays } from "./json_arrays.ts";

const encoder = new TextEncoder();

export class TraceStoreError extends Error {
  override name = "TraceStoreError";
}

export class WorkerLibsqlTraceSink implements TraceSink {
  readonly name = "libsql";
  readonly #worker: Worker;
  readonly #pending = new Map<number, PromiseWithResolvers<unknown>>();
  readonly #ready: Promise<unknown>;
  #next = 0;

  constructor(options: LibsqlSinkOptions) {
    const file = options.url.startsWith("file:") ? resolve(options.url.slice(5)) : undefined;
    const dir = file ? dirname(file) : undefined;
    this.#worker = new Worker(new URL("./libsql_worker.ts", import.meta.url), {
      type: "module",
      name: "traces-libsql",
      deno: {
        permissions: {
          read: dir ? [dir] : false,
          write: dir ? [dir] : false,
          ffi: true,
          env: true,
          sys: true,
          net: file ? false : [new URL(options.url.replace(/^libsql:/, "https:")).host],
          run: false,
          import: false,
        },
      },
    });
    this.#worker.onmessage = (e: MessageEvent) => {
      const { id, ok, value, error } = e.data as {
        id: number;
        ok: boolean;
        value?: unknown;
        error?: string;
      };
      const waiter = this.#pending.get(id);
      this.#pending.delete(id);
      if (ok) waiter?.resolve(value);
      else waiter?.reject(new TraceStoreError(`Trace store: ${error}`));
    };
    this.#worker.onerror = (e) => {
      e.preventDefault();
      for (const w of this.#pending.values()) w.reject(new TraceStoreError(e.message));
      this.#pending.clear();
    };
    this.#ready = this.#call("open", { ...options, ...(file ? { url: `file:${file}` } : {}) });
    // A store that fails to open fails each write and query, which the tracer reports; it must
    // not end the process as an unhandled rejection before anything has asked for it.
    this.#ready.catch(() => {});
  }

  #call(op: string, arg?: unknown, transfer: Transferable[] = []): Promise<unknown> {
    const id = this.#next++;
    const waiter = Promise.withResolvers<unknown>();
    this.#pending.set(id, waiter);
    this.#worker.postMessage({ id, op, arg }, transfer);
    return waiter.promise;
  }

  write(events: readonly TraceEvent[]): Promise<void> {
    return this.writeLines(events.map((e) => JSON.stringify(e)));
  }

  async writeLines(lines: readonly string[]): Promise<void> {
    await this.#ready;
    // A few long JSON arrays, not every event, and SQLite reads the JSON itself (see
    // LibsqlTraceSink). Each goes as its UTF-8 bytes, handed over rather than copied: a
    // structured clone copies a long string on the gateway's thread, and under load this sink's
    // share of that thread fell from 189 to 122 ms per 8 s with the bytes.
    const arrays = jsonArrays(lines).map((array) => encoder.encode(array));
    await this.#call("write", arrays, arrays.map((bytes) => bytes.buffer));
  }

  async query(filter: TraceFilter): Promise<TraceEvent[]> {
    await this.#ready;
    return (await this.#call("query", filter)) as TraceEvent[];
  }

  async ping(): Promise<void> {
    await this.#ready;
    await this.#call("ping");
  }

  async close(): Promise<void> {
    try {
      await this.#ready;
      await this.#call("close");
    } finally {
      this.#worker.terminate();
    }
  }
}
