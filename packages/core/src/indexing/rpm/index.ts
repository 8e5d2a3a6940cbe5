/** Pure .rpm reading and dnf/yum repodata writing: bytes in, metadata and index bytes out. */
export { RpmFileFlag, RpmSense, RpmSigTag, RpmTag, RpmTagType, type RpmTagTypeId } from "./tag-ids.js";
export { RpmHeader, readRpmHeader, decodeHeaderString, type RpmHeaderEntry, type ReadRpmHeaderOptions } from "./rpm-header.js";
export {
  readRpm,
  type ReadRpmOptions,
  type RpmPackageMetadata,
  type RpmDependencies,
  type RpmFile,
  type RpmFileType,
  type RpmChangelogEntry,
} from "./rpm-reader.js";
export { comparisonOf, isPreRequirement, splitEvr, type RpmComparison, type RpmDependency, type SplitEvr } from "./rpm-dependency.js";
export { rpmVersionCompare } from "./rpm-vercmp.js";
export {
  toRepodataPackage,
  isPrimaryPath,
  DEFAULT_CHANGELOG_LIMIT,
  type RepodataPackage,
  type RepodataDependency,
  type RepodataFile,
  type RepodataChangelog,
  type RepodataRules,
} from "./repodata-package.js";
export { repodataChecksumTypes, type PackageFileFacts, type RepodataChecksumType } from "./package-facts.js";
export { repodataChecksum } from "./repodata-checksum.js";
export { escapeXmlText, escapeXmlAttribute, stripInvalidXmlChars } from "./xml-writer.js";
export { renderPrimaryPackage, renderPrimaryXml, primaryXmlHead, PRIMARY_XML_FOOT } from "./primary-xml.js";
export { renderFilelistsPackage, renderFilelistsXml, filelistsXmlHead, FILELISTS_XML_FOOT } from "./filelists-xml.js";
export { renderOtherPackage, renderOtherXml, otherXmlHead, OTHER_XML_FOOT } from "./other-xml.js";
export { renderRepomdXml, type RepomdDocument, type RepomdRecord, type RepomdTags } from "./repomd-xml.js";
export {
  createRpmRepositoryEntry,
  checkRpmRepositoryEntry,
  type CreateRpmRepositoryEntryOptions,
  type RenderedRpmPackage,
  type RpmRepositoryEntry,
} from "./rpm-repository-entry.js";
export {
  buildRpmRepository,
  renderRpmPackage,
  compareRpmEntries,
  type BuildRpmRepositoryOptions,
  type RenderRpmPackageOptions,
  type RpmRepositoryFile,
} from "./rpm-repository.js";
