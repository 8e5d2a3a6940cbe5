/**
 * @quipu/testkit — conformance suites every adapter runs, helpers for checking that nothing
 * leaks credentials, and a daemon started as a child process.
 */
export {
  FORCED_PROVIDER_FAILURES,
  describeProviderContract,
  type ForcedProviderFailure,
  type ProviderContractContext,
  type ProviderContractHarness,
  type ProviderContractOptions,
} from "./provider-contract.js";
export { collectSecretsLeaks, expectNoSecretLeaks } from "./secret-leaks.js";
export { startDaemonProcess, type DaemonProcess, type DaemonProcessOptions, type LogEntry } from "./daemon-process.js";
export { createRecordingLogger, type LogLevel, type LogRecord, type RecordingLogger } from "./recording-logger.js";
export * from "./packages/index.js";
