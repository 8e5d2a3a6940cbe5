/**
 * Debian side of repository indexing, pure (bytes in, index bytes out):
 * read a .deb (`readDebControl`, `readDebPackage`) or a .dsc (`readDsc`, `readDscSource`), then
 * `buildAptRepository` turns the entries into Packages/Sources indexes, by-hash copies and a
 * Release file for the caller to write and sign. Lower-level pieces (ar/tar readers, deb822
 * paragraphs, stanza and Release renderers, dpkg version order) are exported for reuse.
 */
export { AR_MAGIC, isArArchive, iterateArMembers, type ArMember, type ArReadOptions } from "./ar-reader.js";
export { iterateTarEntries, normaliseTarPath, type TarEntry, type TarEntryType, type TarReadOptions } from "./tar-reader.js";
export {
  ControlParagraph,
  controlValueLines,
  formatControlParagraph,
  formatControlParagraphs,
  parseControlParagraph,
  parseControlParagraphs,
  type ControlField,
  type ControlParseOptions,
} from "./control-fields.js";
export { compareDebianVersions, parseDebianVersion, type DebianVersion } from "./debian-version.js";
export { decodeControlText, readDebControl, type DebControl, type DebReadOptions } from "./deb-reader.js";
export { readDsc, stripClearSignature, type Dsc, type DscFileRef, type DscReadOptions } from "./dsc-reader.js";
export { computeFileHashes, HASH_NAMES, isHexDigest, type FileHashes, type HashName } from "./file-hashes.js";
export { checkPackageEntry, readDebPackage, type AptPackageEntry, type PackageIdentity, type ReadDebPackageOptions } from "./package-entry.js";
export { PACKAGES_FIELD_ORDER, SOURCES_FIELD_ORDER } from "./field-order.js";
export { renderPackagesIndex, renderPackagesStanza, type PackagesStanzaOptions } from "./packages-index.js";
export { checkSourceEntry, readDscSource, renderSourcesIndex, renderSourcesStanza, type AptSourceEntry, type ReadDscSourceOptions } from "./sources-index.js";
export { isArchitectureName, isComponentName, isSafeRelativePath, isSuiteName } from "./repo-names.js";
export { DEFAULT_RELEASE_HASHES, formatReleaseDate, renderRelease, type ReleaseFields, type ReleaseFileEntry } from "./release-file.js";
export {
  buildAptRepository,
  type AptIndexSummary,
  type AptRepository,
  type AptRepositoryFile,
  type AptRepositoryOptions,
  type IndexCompression,
} from "./apt-repository.js";
