import { makeDependency, type RpmDependency } from "./rpm-dependency.js";
import { RpmHeader } from "./rpm-header.js";
import { rpmInvalid } from "./rpm-invalid.js";
import { RpmFileFlag, RpmSigTag, RpmTag, S_IFDIR, S_IFMT } from "./tag-ids.js";

const LEAD_MAGIC = [0xed, 0xab, 0xee, 0xdb] as const;
const LEAD_SIZE = 96;
/** `RPMSIGTYPE_HEADERSIG`: the only signature type of v3+ packages. */
const HEADERSIG_TYPE = 5;

export type RpmFileType = "file" | "dir" | "ghost";

export interface RpmFile {
  /** Full path (dirname + basename); for source packages just the file name. */
  readonly path: string;
  /** `dir` when the mode is a directory, else `ghost` for %ghost entries, else `file` (createrepo_c's rule). */
  readonly type: RpmFileType;
  readonly mode: number;
  /** Raw RPMFILE_* bits (see `RpmFileFlag`). */
  readonly flags: number;
}

export interface RpmChangelogEntry {
  /** Unix seconds, as in the header (the day of the entry, at 12:00 UTC for rpmbuild). */
  readonly time: number;
  readonly author: string;
  readonly text: string;
}

export interface RpmDependencies {
  readonly provides: readonly RpmDependency[];
  readonly requires: readonly RpmDependency[];
  readonly conflicts: readonly RpmDependency[];
  readonly obsoletes: readonly RpmDependency[];
  readonly recommends: readonly RpmDependency[];
  readonly suggests: readonly RpmDependency[];
  readonly supplements: readonly RpmDependency[];
  readonly enhances: readonly RpmDependency[];
  /** Legacy SUSE/Mandriva weak dependencies (tags 1156–1158): STRONG bit = recommends, else suggests. */
  readonly oldSuggests: readonly RpmDependency[];
  /** Legacy tags 1159–1161: STRONG bit = supplements, else enhances. */
  readonly oldEnhances: readonly RpmDependency[];
}

/**
 * What an indexer needs from one .rpm, taken from its headers only (the payload is not read). Plain
 * data: it can be cached as JSON and fed back to the repodata writers.
 */
export interface RpmPackageMetadata {
  readonly name: string;
  /** EPOCH, 0 when absent (repodata writes "0"). */
  readonly epoch: number;
  readonly version: string;
  readonly release: string;
  /** The arch written to repodata: `src` for source packages, else the ARCH tag. */
  readonly arch: string;
  /** The ARCH tag itself (for a source package, the arch it was built on). */
  readonly headerArch: string;
  readonly os: string;
  /** SOURCEPACKAGE is set (createrepo_c's test). */
  readonly isSource: boolean;
  /** The lead's type field: 0 binary, 1 source. Historical; `isSource` is what counts. */
  readonly leadType: number;
  readonly leadName: string;
  /** Lead major version: 3 for v3 and v4 packages, 4 for v6. */
  readonly leadVersion: number;
  /** Package format: RPMFORMAT when present (v6), else 4 when the main header has an immutable region, else 3. */
  readonly formatVersion: number;
  readonly summary: string;
  readonly description: string;
  readonly url: string;
  readonly license: string;
  readonly vendor: string;
  readonly group: string;
  readonly buildHost: string;
  readonly packager: string;
  /** SOURCERPM; empty for source packages. */
  readonly sourceRpm: string;
  readonly buildTime: number;
  /** Byte range of the main header, `[start, end)`, for `rpm:header-range`. */
  readonly headerRange: { readonly start: number; readonly end: number };
  /** Installed size: LONGSIZE, else SIZE. */
  readonly installedSize: number;
  /** Uncompressed payload size: LONGARCHIVESIZE, ARCHIVESIZE, the signature's PAYLOADSIZE, or v6 PAYLOADSIZEALT. */
  readonly archiveSize: number;
  /** Header + payload size declared by the signature (SIZE/LONGSIZE), if present. */
  readonly signedSize?: number;
  readonly payloadFormat?: string;
  readonly payloadCompressor?: string;
  /** Header digests from the signature, hex (useful as cache keys). */
  readonly headerSha256?: string;
  readonly headerSha1?: string;
  readonly dependencies: RpmDependencies;
  readonly files: readonly RpmFile[];
  /** In header order: newest first. */
  readonly changelogs: readonly RpmChangelogEntry[];
}

export interface ReadRpmOptions {
  /** Named in errors. */
  fileName?: string;
  /**
   * Size of the whole file when `bytes` holds only its beginning (header-only reads): the headers
   * must be inside `bytes`; the size declared by the signature is checked against this instead.
   */
  fileSize?: number;
}

/**
 * Reads a package's lead, signature header and main header. Throws `QUIPU_RPM_INVALID` (with
 * `details.file`, `reason`, `offset`) for anything truncated, corrupt or not an rpm; never another
 * kind of error.
 */
export function readRpm(bytes: Uint8Array, options: ReadRpmOptions = {}): RpmPackageMetadata {
  const { fileName } = options;
  const fail = (reason: string, offset: number) => rpmInvalid(reason, offset, fileName);

  if (bytes.length < LEAD_SIZE) {
    if (bytes.length >= 4 && LEAD_MAGIC.every((b, i) => bytes[i] === b)) throw fail("truncated inside the lead", bytes.length);
    throw fail(bytes.length === 0 ? "empty file" : "too short to be an rpm", bytes.length);
  }
  for (let i = 0; i < 4; i++) if (bytes[i] !== LEAD_MAGIC[i]) throw fail("bad lead magic: not an rpm package", 0);
  const major = bytes[4]!;
  if (major < 3 || major > 4) throw fail(`unsupported lead version ${major}.${bytes[5]}`, 4);
  const leadType = (bytes[6]! << 8) | bytes[7]!;
  if (leadType !== 0 && leadType !== 1) throw fail(`unknown lead type ${leadType}`, 6);
  const sigType = (bytes[78]! << 8) | bytes[79]!;
  if (sigType !== HEADERSIG_TYPE) throw fail(`unsupported signature type ${sigType}`, 78);
  let nameEnd = 10;
  while (nameEnd < 76 && bytes[nameEnd] !== 0) nameEnd++;
  const leadName = LATIN1.decode(bytes.subarray(10, nameEnd));

  const signature = new RpmHeader(bytes, LEAD_SIZE, { fileName, label: "signature header" });
  const mainStart = signature.end + ((8 - ((signature.end - LEAD_SIZE) % 8)) % 8);
  for (let i = signature.end; i < mainStart && i < bytes.length; i++) {
    if (bytes[i] !== 0) throw fail("signature header padding is not zero", i);
  }
  const header = new RpmHeader(bytes, mainStart, { fileName, label: "main header" });

  const signedSize = signature.number(RpmSigTag.LONGSIZE) ?? signature.number(RpmSigTag.SIZE);
  const fileSize = options.fileSize ?? bytes.length;
  if (signedSize !== undefined && mainStart + signedSize > fileSize) {
    throw fail(`truncated: the signature declares ${mainStart + signedSize} bytes, the file has ${fileSize}`, fileSize);
  }

  const required = (tag: number, what: string) => {
    const value = header.string(tag);
    if (value === undefined) throw fail(`main header has no ${what}`, header.start);
    return value;
  };
  const name = required(RpmTag.NAME, "NAME");
  const version = required(RpmTag.VERSION, "VERSION");
  const release = required(RpmTag.RELEASE, "RELEASE");
  const str = (tag: number) => header.string(tag) ?? "";

  const isSource = (header.number(RpmTag.SOURCEPACKAGE) ?? 0) !== 0;
  const headerArch = str(RpmTag.ARCH);
  const sha256 = signature.has(RpmSigTag.SHA256) ? signature.string(RpmSigTag.SHA256) : undefined;
  const sha1 = signature.has(RpmSigTag.SHA1) ? signature.string(RpmSigTag.SHA1) : undefined;
  const payloadFormat = header.string(RpmTag.PAYLOADFORMAT);
  const payloadCompressor = header.string(RpmTag.PAYLOADCOMPRESSOR);

  const metadata: RpmPackageMetadata = {
    name,
    epoch: header.number(RpmTag.EPOCH) ?? 0,
    version,
    release,
    arch: isSource ? "src" : headerArch,
    headerArch,
    os: str(RpmTag.OS),
    isSource,
    leadType,
    leadName,
    leadVersion: major,
    formatVersion: header.number(RpmTag.RPMFORMAT) ?? (header.regionTag === undefined ? 3 : 4),
    summary: str(RpmTag.SUMMARY),
    description: str(RpmTag.DESCRIPTION),
    url: str(RpmTag.URL),
    license: str(RpmTag.LICENSE),
    vendor: str(RpmTag.VENDOR),
    group: str(RpmTag.GROUP),
    buildHost: str(RpmTag.BUILDHOST),
    packager: str(RpmTag.PACKAGER),
    sourceRpm: str(RpmTag.SOURCERPM),
    buildTime: header.number(RpmTag.BUILDTIME) ?? 0,
    headerRange: { start: header.start, end: header.end },
    installedSize: header.number(RpmTag.LONGSIZE) ?? header.number(RpmTag.SIZE) ?? 0,
    archiveSize:
      header.number(RpmTag.LONGARCHIVESIZE) ??
      signature.number(RpmSigTag.LONGARCHIVESIZE) ??
      header.number(RpmTag.ARCHIVESIZE) ??
      signature.number(RpmSigTag.PAYLOADSIZE) ??
      header.number(RpmTag.PAYLOADSIZEALT) ??
      0,
    ...(signedSize === undefined ? {} : { signedSize }),
    ...(payloadFormat === undefined ? {} : { payloadFormat }),
    ...(payloadCompressor === undefined ? {} : { payloadCompressor }),
    ...(sha256 === undefined ? {} : { headerSha256: sha256 }),
    ...(sha1 === undefined ? {} : { headerSha1: sha1 }),
    dependencies: {
      provides: readDependencies(header, RpmTag.PROVIDENAME, RpmTag.PROVIDEFLAGS, RpmTag.PROVIDEVERSION, fail),
      requires: readDependencies(header, RpmTag.REQUIRENAME, RpmTag.REQUIREFLAGS, RpmTag.REQUIREVERSION, fail),
      conflicts: readDependencies(header, RpmTag.CONFLICTNAME, RpmTag.CONFLICTFLAGS, RpmTag.CONFLICTVERSION, fail),
      obsoletes: readDependencies(header, RpmTag.OBSOLETENAME, RpmTag.OBSOLETEFLAGS, RpmTag.OBSOLETEVERSION, fail),
      recommends: readDependencies(header, RpmTag.RECOMMENDNAME, RpmTag.RECOMMENDFLAGS, RpmTag.RECOMMENDVERSION, fail),
      suggests: readDependencies(header, RpmTag.SUGGESTNAME, RpmTag.SUGGESTFLAGS, RpmTag.SUGGESTVERSION, fail),
      supplements: readDependencies(header, RpmTag.SUPPLEMENTNAME, RpmTag.SUPPLEMENTFLAGS, RpmTag.SUPPLEMENTVERSION, fail),
      enhances: readDependencies(header, RpmTag.ENHANCENAME, RpmTag.ENHANCEFLAGS, RpmTag.ENHANCEVERSION, fail),
      oldSuggests: readDependencies(header, RpmTag.OLDSUGGESTSNAME, RpmTag.OLDSUGGESTSFLAGS, RpmTag.OLDSUGGESTSVERSION, fail),
      oldEnhances: readDependencies(header, RpmTag.OLDENHANCESNAME, RpmTag.OLDENHANCESFLAGS, RpmTag.OLDENHANCESVERSION, fail),
    },
    files: readFiles(header, fail),
    changelogs: readChangelogs(header, fail),
  };
  return metadata;
}

type Fail = (reason: string, offset: number) => Error;

const LATIN1 = new TextDecoder("latin1");

function readDependencies(header: RpmHeader, nameTag: number, flagsTag: number, versionTag: number, fail: Fail): RpmDependency[] {
  const names = header.stringArray(nameTag);
  if (names === undefined) return [];
  const flags = header.numberArray(flagsTag);
  const versions = header.stringArray(versionTag);
  if ((flags !== undefined && flags.length !== names.length) || (versions !== undefined && versions.length !== names.length)) {
    throw fail(`dependency tag ${nameTag} has ${names.length} names but ${flags?.length ?? "no"} flags and ${versions?.length ?? "no"} versions`, header.start);
  }
  const out = new Array<RpmDependency>(names.length);
  for (let i = 0; i < names.length; i++) out[i] = makeDependency(names[i]!, flags?.[i] ?? 0, versions?.[i] ?? "");
  return out;
}

function readFiles(header: RpmHeader, fail: Fail): RpmFile[] {
  let paths: string[];
  const basenames = header.stringArray(RpmTag.BASENAMES);
  if (basenames !== undefined) {
    const dirIndexes = header.numberArray(RpmTag.DIRINDEXES);
    const dirNames = header.stringArray(RpmTag.DIRNAMES);
    if (dirIndexes === undefined || dirNames === undefined) throw fail("BASENAMES without DIRNAMES/DIRINDEXES", header.start);
    if (dirIndexes.length !== basenames.length) throw fail(`${basenames.length} BASENAMES but ${dirIndexes.length} DIRINDEXES`, header.start);
    paths = new Array<string>(basenames.length);
    for (let i = 0; i < basenames.length; i++) {
      const dir = dirNames[dirIndexes[i]!];
      if (dir === undefined) throw fail(`DIRINDEXES[${i}] = ${dirIndexes[i]} is outside DIRNAMES (${dirNames.length})`, header.start);
      paths[i] = dir + basenames[i]!;
    }
  } else {
    paths = header.stringArray(RpmTag.OLDFILENAMES) ?? [];
  }
  if (paths.length === 0) return [];
  const modes = header.numberArray(RpmTag.FILEMODES);
  const flags = header.numberArray(RpmTag.FILEFLAGS);
  if ((modes !== undefined && modes.length !== paths.length) || (flags !== undefined && flags.length !== paths.length)) {
    throw fail(`${paths.length} files but ${modes?.length ?? "no"} FILEMODES and ${flags?.length ?? "no"} FILEFLAGS`, header.start);
  }
  const out = new Array<RpmFile>(paths.length);
  for (let i = 0; i < paths.length; i++) {
    const mode = modes?.[i] ?? 0;
    const flag = flags?.[i] ?? 0;
    const type: RpmFileType = (mode & S_IFMT) === S_IFDIR ? "dir" : flag & RpmFileFlag.GHOST ? "ghost" : "file";
    out[i] = { path: paths[i]!, type, mode, flags: flag };
  }
  return out;
}

function readChangelogs(header: RpmHeader, fail: Fail): RpmChangelogEntry[] {
  const times = header.numberArray(RpmTag.CHANGELOGTIME);
  const names = header.stringArray(RpmTag.CHANGELOGNAME);
  const texts = header.stringArray(RpmTag.CHANGELOGTEXT);
  if (times === undefined || names === undefined || texts === undefined) return [];
  if (names.length !== times.length || texts.length !== times.length) {
    throw fail(`changelog has ${times.length} times, ${names.length} names and ${texts.length} texts`, header.start);
  }
  const out = new Array<RpmChangelogEntry>(times.length);
  for (let i = 0; i < times.length; i++) out[i] = { time: times[i]!, author: names[i]!, text: texts[i]! };
  return out;
}
