/**
 * @quipu/testkit — conformance suites every adapter runs, and helpers for checking that nothing
 * leaks credentials.
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
export { createRecordingLogger, type LogLevel, type LogRecord, type RecordingLogger } from "./recording-logger.js";
export * from "./packages/index.js";
