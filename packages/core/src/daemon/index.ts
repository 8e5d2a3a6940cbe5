export {
  daemonConfigJsonSchema,
  daemonEnvName,
  describeDaemonOptions,
  kebabCase,
  parseDaemonCommandLine,
  parseDaemonEnv,
  parseDaemonFlags,
  renderDaemonHelp,
  resolveDaemonConfig,
  type DaemonCommandLine,
  type DaemonConfigSchema,
  type DaemonConfigSources,
  type DaemonHelpOptions,
  type DaemonOption,
  type DaemonOptionKind,
  type ParsedDaemonValues,
} from "./daemon-config.js";
export {
  DAEMON_LOG_LEVELS,
  DaemonUserSchema,
  daemonBaseOptionsShape,
  daemonUsers,
  withDaemonCredentialChecks,
  type DaemonLogLevel,
  type DaemonUser,
} from "./daemon-base-options.js";
export { collectSecrets, hideSecretValues, isSecretName, redactUrlCredentials } from "./secret-redaction.js";
