export {
  AgentLabelSchema,
  AgentSchema,
  AgentStatusSchema,
  canTransitionAgent,
  isAgentAlive,
  type Agent,
  type AgentStatus,
} from "./agent.js";
export { equivalentArchs, isSameArch } from "./arch.js";
export { BinarySchema, GENERIC_DISTRO_VERSIONS, isGenericDistroVersion, type Binary } from "./binary.js";
export {
  BuildExtraSchema,
  BuildSchema,
  BuildStatusSchema,
  isFinalBuildStatus,
  type Build,
  type BuildExtra,
  type BuildStatus,
} from "./build.js";
export { ChacraNodeSchema, HostSchema, chacraNodeBaseUrl, type ChacraNode } from "./chacra-node.js";
export { Sha512HexSchema } from "./checksum.js";
export { parseDistroQuery, type DistroQueryPart } from "./distro-query.js";
export {
  equivalentDistroNames,
  equivalentDistroVersions,
  findDistro,
  isSameDistroRelease,
  normalizeDistroRelease,
  packageTypeOf,
  resolveDistroVersion,
  type NormalizedDistroRelease,
  type ResolvedDistroRelease,
} from "./distro-release.js";
export {
  distroTable,
  type DistroDefinition,
  type DistroFamily,
  type DistroRelease,
  type PackageType,
} from "./distro-table.js";
export { HttpUrlSchema } from "./http-url.js";
export {
  ArchSchema,
  BinaryNameSchema,
  DEFAULT_FLAVOR,
  DistroNameSchema,
  DistroVersionSchema,
  FlavorSchema,
  MAX_SEGMENT_BYTES,
  ProjectNameSchema,
  RefSchema,
  assertSafeSegment,
  isSafeSegment,
  refFromBranch,
  safeSegmentProblem,
  safeSegmentSchema,
} from "./names.js";
export {
  RepoExtraSchema,
  RepoKeySchema,
  RepoSchema,
  RepoStatusReportSchema,
  RepoTypeSchema,
  repoUriPath,
  type Repo,
  type RepoExtra,
  type RepoKey,
  type RepoStatusReport,
  type RepoType,
} from "./repo.js";
export {
  RepoStatusSchema,
  classifyRepoStatusChange,
  isStatusAdvance,
  type RepoStatus,
  type RepoStatusChange,
  type RepoStatusPoint,
} from "./repo-status.js";
export {
  SHA1_ALIASES,
  Sha1RefSchema,
  Sha1Schema,
  StoredSha1Schema,
  isSha1,
  parseSha1,
  sha1Schema,
  type ParseSha1Options,
  type Sha1Alias,
} from "./sha1.js";
export {
  EPOCH_TIMESTAMP,
  TimestampSchema,
  formatLegacyTimestamp,
  normalizeTimestamp,
  timestampFromMs,
} from "./timestamp.js";
