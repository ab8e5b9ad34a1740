/**
 * @module
 * LogTape configuration used by every program: JSON Lines to stderr and to a file, with
 * secrets redacted before any sink sees them. Call once in `main.ts`; dispose on shutdown so
 * the buffered file sink is flushed.
 */
import {
  configure,
  dispose,
  getJsonLinesFormatter,
  getStreamSink,
  type LogLevel,
  type Sink,
  type TextFormatter,
} from "@logtape/logtape";
import { redactByField } from "@logtape/redaction";
import { dirname } from "node:path";
import { redactText, registerEnvSecrets } from "./redact.ts";
import { getAppendSink } from "./append_sink.ts";

export interface LoggingOptions {
  /** JSON Lines file to append to; its folder is created. No file when omitted. */
  logFile?: string;
  /** Lowest level written. @default "info" */
  level?: LogLevel;
  /** Also write JSON Lines to stderr. @default true */
  stderr?: boolean;
  /** Extra sink, e.g. a test collector. */
  extraSink?: Sink;
}

const FIELD_PATTERNS = [
  /api[-_]?key/i,
  /^authorization$/i,
  /token$/i,
  /secret/i,
  /password/i,
];

function redactingFormatter(inner: TextFormatter): TextFormatter {
  return (record) => redactText(inner(record));
}

/** Configures LogTape. Returns a function that flushes and closes every sink. */
export async function setupLogging(options: LoggingOptions = {}): Promise<() => Promise<void>> {
  registerEnvSecrets();
  const formatter = redactingFormatter(getJsonLinesFormatter({ properties: "flatten" }));
  const sinks: Record<string, Sink> = {};
  if (options.stderr ?? true) {
    sinks.stderr = redactByField(
      getStreamSink(Deno.stderr.writable, { formatter }),
      FIELD_PATTERNS,
    );
  }
  if (options.logFile) {
    await Deno.mkdir(dirname(options.logFile), { recursive: true });
    sinks.file = redactByField(
      // Written off the main thread in batches, so a write never stalls the audio loop or a
      // request; its dispose waits for every write, so the last lines before an exit stay.
      getAppendSink(options.logFile, { formatter, bufferChars: 8192, flushIntervalMs: 500 }),
      FIELD_PATTERNS,
    );
  }
  if (options.extraSink) sinks.extra = redactByField(options.extraSink, FIELD_PATTERNS);
  await configure({
    reset: true,
    sinks,
    loggers: [
      { category: ["logtape", "meta"], sinks: [], lowestLevel: "warning" },
      { category: [], sinks: Object.keys(sinks), lowestLevel: options.level ?? "info" },
    ],
  });
  return async () => {
    await dispose();
  };
}
