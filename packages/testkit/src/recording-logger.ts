import type { Logger } from "@quipu/core";

export type LogLevel = "debug" | "info" | "warn" | "error";

export interface LogRecord {
  level: LogLevel;
  /** The logged object merged over the bindings of `child` loggers. */
  obj: Record<string, unknown>;
  msg?: string;
}

export interface RecordingLogger extends Logger {
  /** Every record so far, shared with child loggers, oldest first. */
  readonly records: LogRecord[];
  child(bindings: object): RecordingLogger;
}

/**
 * A Logger that keeps what it is given, for asserting on events and for the secret check:
 * pass `logs: () => logger.records` in a provider contract harness.
 */
export function createRecordingLogger(): RecordingLogger {
  return recordInto([], {});
}

function recordInto(records: LogRecord[], bindings: object): RecordingLogger {
  const record = (level: LogLevel) => (obj: object, msg?: string) => {
    records.push(msg === undefined ? { level, obj: { ...bindings, ...obj } } : { level, obj: { ...bindings, ...obj }, msg });
  };
  return {
    records,
    debug: record("debug"),
    info: record("info"),
    warn: record("warn"),
    error: record("error"),
    child: (childBindings) => recordInto(records, { ...bindings, ...childBindings }),
  };
}
