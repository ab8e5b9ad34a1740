/**
 * @module
 * A LogTape sink that appends formatted records to a file in batches, off the caller's path,
 * and whose disposal waits for every write. LogTape's own non-blocking file sink (1.3.6) closes
 * its file while a flush it has already started may still be writing: a program's last lines,
 * logged just before it disposes its sinks at exit (the edge's closing VAD summary, for one),
 * were lost in about half of tries. Here writes go one after another, and disposal writes what
 * is buffered after the write in flight, then closes the file.
 */
import type { LogRecord, Sink, TextFormatter } from "@logtape/logtape";
import { writeAll } from "../io/write_all.ts";

export interface AppendSinkOptions {
  formatter: TextFormatter;
  /** Buffered characters (bytes, for ASCII lines) that start a write at once. @default 8192 */
  bufferChars?: number;
  /** Longest a record waits in the buffer. @default 500 */
  flushIntervalMs?: number;
}

/**
 * Opens (creating) `path` for appending and returns a sink writing to it. Logs are a record,
 * not what makes work durable, so writes are not synced to the disk: a killed process keeps
 * what it wrote, and loses at most its unwritten buffer.
 */
export function getAppendSink(path: string, options: AppendSinkOptions): Sink & AsyncDisposable {
  const { formatter } = options;
  const bufferChars = options.bufferChars ?? 8192;
  const intervalMs = options.flushIntervalMs ?? 500;
  const file = Deno.openSync(path, { append: true, create: true });
  const encoder = new TextEncoder();
  let pending: string[] = [];
  let pendingChars = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let disposed = false;
  /** Settles once every write started so far has finished (a failed one is let go). */
  let writing: Promise<void> = Promise.resolve();

  const flush = (): Promise<void> => {
    if (timer !== undefined) {
      clearTimeout(timer);
      timer = undefined;
    }
    if (pendingChars === 0) return writing;
    const bytes = encoder.encode(pending.join(""));
    pending = [];
    pendingChars = 0;
    writing = writing.then(() => writeAll(file, bytes)).catch(() => {
      // A full disk or a removed file must not break the program that logs.
    });
    return writing;
  };

  const sink = (record: LogRecord) => {
    if (disposed) return;
    const line = formatter(record);
    pending.push(line);
    pendingChars += line.length;
    if (pendingChars >= bufferChars) {
      void flush();
    } else if (timer === undefined) {
      const t = setTimeout(() => void flush(), intervalMs);
      // A buffer waiting to be written does not keep a finished program alive.
      Deno.unrefTimer(t);
      timer = t;
    }
  };

  return Object.assign(sink, {
    async [Symbol.asyncDispose]() {
      if (disposed) return;
      disposed = true;
      await flush();
      file.close();
    },
  });
}
