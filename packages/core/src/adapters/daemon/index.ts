/**
 * `@quipu/core/daemon` — the I/O side shared by the four daemons: `runDaemon` (the daemon contract:
 * arguments, config file, environment, help, HTTP serving, graceful stop), `loadConfigFile` (YAML or
 * JSON), `createDaemonLogger` (pino with secrets redacted) and the HTTP helpers of the daemons'
 * routes (Basic auth, safe path segments, JSON bodies and errors). pino, yaml and @hono/node-server
 * are optional peers of @quipu/core, needed only by this subpath. The pure parts (schema → env names,
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
  authRequired,
  isAuthorized,
  json,
  jsonError,
  methodNotAllowed,
  notFound,
  pathSegments,
  readJsonObject,
  statusOf,
  text,
  type ApiUser,
  type ReadJsonObjectOptions,
} from "./http-support.js";
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
