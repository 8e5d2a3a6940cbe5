/**
 * `@quipu/core/daemon` — the I/O side shared by the four daemons: `runDaemon` (the daemon contract:
 * arguments, config file, environment, help, HTTP serving, graceful stop), `loadConfigFile` (YAML or
 * JSON) and `createDaemonLogger` (pino with secrets redacted). pino, yaml and @hono/node-server are
 * optional peers of @quipu/core, needed only by this subpath. The pure parts (schema → env names,
 * flags, help, JSON Schema, the base options) are in the root export and re-exported here.
 */
export {
  runDaemon,
  EXIT_FAILURE,
  EXIT_OK,
  EXIT_USAGE,
  type DaemonIo,
  type DaemonService,
  type DaemonStartContext,
  type RunDaemonOptions,
} from "./run-daemon.js";
export { loadConfigFile } from "./config-file.js";
export { createDaemonLogger, redactLogLine, type DaemonLogger, type DaemonLoggerOptions } from "./daemon-logger.js";
export {
  DAEMON_LOG_LEVELS,
  daemonBaseOptionsShape,
  daemonConfigJsonSchema,
  daemonUsers,
  renderDaemonHelp,
  resolveDaemonConfig,
  withDaemonCredentialChecks,
  type DaemonConfigSchema,
  type DaemonLogLevel,
  type DaemonUser,
} from "../../daemon/index.js";
