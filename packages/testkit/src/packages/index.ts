/**
 * Fast writers of small but valid .deb and .rpm packages, for benchmarks and tests that need
 * thousands of fixtures (dpkg-deb and rpmbuild take ~50–70 ms per package; these take well under 1 ms).
 */
export { writeAr, type ArMember } from "./ar-writer.js";
export type { ByteContent } from "./bytes.js";
export { writeNewcCpio, type CpioEntry } from "./cpio-writer.js";
export { RPMSIGTAG, RPMTAG, RpmTagType, buildRpmHeader, type RpmHeaderEntry } from "./rpm-header.js";
export {
  buildSyntheticDeb,
  debFileName,
  type DebCompressor,
  type DebFileType,
  type SyntheticDebControlFile,
  type SyntheticDebFile,
  type SyntheticDebOptions,
} from "./synthetic-deb.js";
export {
  buildSyntheticPackage,
  syntheticPackageSet,
  syntheticPackageSpecs,
  type SyntheticPackage,
  type SyntheticPackageKind,
  type SyntheticPackageSetOptions,
  type SyntheticPackageSpec,
} from "./synthetic-package-set.js";
export {
  RPMFILE,
  RPMSENSE,
  buildSyntheticRpm,
  rpmFileName,
  type RpmDependency,
  type RpmDependencyInput,
  type RpmDependencyOperator,
  type RpmFileType,
  type RpmPayloadCompressor,
  type SyntheticRpmFile,
  type SyntheticRpmOptions,
} from "./synthetic-rpm.js";
export { writeTar, type TarEntry, type TarEntryType, type TarWriteOptions } from "./tar-writer.js";
