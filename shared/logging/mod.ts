/**
 * @module
 * Logging for every program: LogTape setup and secret redaction.
 */
export * from "./setup_logging.ts";
export * from "./redact.ts";
