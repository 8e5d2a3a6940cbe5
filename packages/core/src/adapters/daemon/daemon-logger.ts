/**
 * The daemons' JSON-lines logger (pino, an optional peer of @quipu/core). Secrets are removed from
 * the finished line, so they are hidden wherever they sit: in the message, in bindings, nested in
 * objects or in serialized errors.
 */
import pino from "pino";
import type { Logger } from "../../ports/logger.js";
import { REDACTED } from "../../provisioning/scrub-secrets.js";
import { isSecretName, redactUrlCredentials } from "../../daemon/secret-redaction.js";

export interface DaemonLogger extends Logger {
  fatal(obj: object, msg?: string): void;
  trace(obj: object, msg?: string): void;
  child(bindings: object): DaemonLogger;
  level: string;
  /** Writes out anything buffered (before the process exits). */
  flush(): void;
}

export interface DaemonLoggerOptions {
  /** The daemon's name, logged as `name` on every line. */
  readonly name: string;
  /** pino level name; default `info`. */
  readonly level?: string;
  /** Where lines go; default stdout, written synchronously so nothing is lost at exit. */
  readonly destination?: { write(line: string): unknown };
}

// A JSON string or number value under a key that names a secret: `"apiKey":"…"`, `"authorization":"…"`.
const JSON_MEMBER = /"((?:[^"\\]|\\.)*)":("(?:[^"\\]|\\.)*"|-?\d[\d.eE+-]*)/g;
// Credentials written out in text, as in a logged header line.
const AUTH_SCHEME = /\b(Basic|Bearer|Token)\s+[A-Za-z0-9+/=._~-]{4,}/g;

/** Removes secrets from one serialized log line (or any JSON text). */
export function redactLogLine(line: string): string {
  const members = line.replace(JSON_MEMBER, (whole, key: string) => (isSecretName(key) ? `"${key}":"${REDACTED}"` : whole));
  return redactUrlCredentials(members).replace(AUTH_SCHEME, `$1 ${REDACTED}`);
}

/** Creates the pino JSON logger of a daemon, with secrets redacted from every line. */
export function createDaemonLogger(options: DaemonLoggerOptions): DaemonLogger {
  const destination = options.destination ?? pino.destination({ dest: 1, sync: true });
  const logger = pino(
    {
      name: options.name,
      level: options.level ?? "info",
      hooks: { streamWrite: redactLogLine },
    },
    destination as pino.DestinationStream,
  );
  return logger as unknown as DaemonLogger;
}
