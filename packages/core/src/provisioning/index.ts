/**
 * Provisioning: the ports mita and duffy create machines and run commands through, their shared
 * validation and error helpers, and the in-memory reference provider.
 */
export {
  createDestroyedIdSet,
  destroyIfPresent,
  type DestroyOutcome,
  type DestroyedIdSet,
  type ListMachinesOptions,
  type ProviderCallOptions,
  type ProvisioningProvider,
} from "./provisioning-provider.js";
export { ProviderCapabilitiesSchema, type ProviderCapabilities } from "./provider-capabilities.js";
export {
  MACHINE_NAME_PATTERN,
  MAX_MACHINE_NAME_LENGTH,
  MAX_METADATA_TAGS,
  MAX_METADATA_VALUE_LENGTH,
  MAX_USER_DATA_BYTES,
  MAX_VOLUME_SIZE_GB,
  METADATA_KEY_PATTERN,
  MachineMetadataSchema,
  MachineRequestSchema,
  MachineVolumeRequestSchema,
  validateMachineRequest,
  type MachineRequest,
  type MachineRequestInput,
} from "./machine-request.js";
export {
  MachineAddressSchema,
  MachineSchema,
  MachineStatusSchema,
  MachineVolumeSchema,
  filterMachinesByTags,
  machineHasTags,
  machineStatusFromNova,
  parseProviderMachine,
  parseProviderMachines,
  type Machine,
  type MachineAddress,
  type MachineStatus,
} from "./machine.js";
export {
  MAX_PROVIDER_BODY_EXCERPT,
  classifyProviderHttpError,
  providerErrorText,
  type ProviderHttpErrorContext,
} from "./provider-http-error.js";
export { REDACTED, scrubSecrets, secretVariants, tailText, truncateText } from "./scrub-secrets.js";
export { waitUntilActive, type WaitUntilActiveOptions } from "./wait-until-active.js";
export {
  MAX_STDERR_TAIL,
  assertCommandSucceeded,
  commandProgram,
  describeRemoteHost,
  quoteShellArgument,
  quoteShellCommand,
  remoteHostSecrets,
  type RemoteCopyFile,
  type RemoteCopyOptions,
  type RemoteExecutor,
  type RemoteHost,
  type RemoteHostAuth,
  type RemoteRunOptions,
  type RemoteRunResult,
} from "./remote-executor.js";
export {
  DEFAULT_MEMORY_CAPABILITIES,
  createMemoryProvider,
  type FailNextOptions,
  type MemoryProvider,
  type MemoryProviderOptions,
  type ProviderOperation,
} from "./memory-provider.js";
