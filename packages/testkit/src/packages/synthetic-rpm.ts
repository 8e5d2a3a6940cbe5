import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import { compareUtf8, toBytes, type ByteContent } from "./bytes.js";
import { writeNewcCpio, type CpioEntry } from "./cpio-writer.js";
import { RPMSIGTAG, RPMTAG, RpmTagType, buildRpmHeader, type RpmHeaderEntry } from "./rpm-header.js";
import { IssueCollector } from "./validation.js";

/** Dependency sense flags (rpmds.h). */
export const RPMSENSE = {
  ANY: 0,
  LESS: 1 << 1,
  GREATER: 1 << 2,
  EQUAL: 1 << 3,
  POSTTRANS: 1 << 5,
  PREREQ: 1 << 6,
  PRETRANS: 1 << 7,
  INTERP: 1 << 8,
  SCRIPT_PRE: 1 << 9,
  SCRIPT_POST: 1 << 10,
  SCRIPT_PREUN: 1 << 11,
  SCRIPT_POSTUN: 1 << 12,
  MISSINGOK: 1 << 19,
  RPMLIB: 1 << 24,
} as const;

/** File flags (rpmfiles.h). */
export const RPMFILE = {
  NONE: 0,
  CONFIG: 1 << 0,
  DOC: 1 << 1,
  MISSINGOK: 1 << 3,
  NOREPLACE: 1 << 4,
  GHOST: 1 << 6,
  LICENSE: 1 << 7,
  README: 1 << 8,
  ARTIFACT: 1 << 12,
} as const;

export type RpmDependencyOperator = "<" | "<=" | "=" | ">=" | ">";

/** A dependency; `flags` adds bits beyond the comparison (e.g. `RPMSENSE.PREREQ`, `RPMSENSE.SCRIPT_POST`). */
export interface RpmDependency {
  name: string;
  operator?: RpmDependencyOperator;
  /** `[epoch:]version[-release]`; required with an operator. */
  version?: string;
  flags?: number;
}

/** `"bash"`, `"bash >= 4.0"`, a rich dependency `"(a or b)"`, or the object form. */
export type RpmDependencyInput = string | RpmDependency;

export type RpmFileType = "file" | "directory" | "symlink";

export interface SyntheticRpmFile {
  /** Absolute path, e.g. `/usr/bin/hello`. */
  path: string;
  /** Content of a regular file. */
  content?: ByteContent;
  /** Default "file", or taken from the type bits of `mode`, or "symlink" when `linkTo` is set. */
  type?: RpmFileType;
  /** Permission bits (type bits allowed); default 0o644, 0o755 for directories, 0o777 for symlinks. */
  mode?: number;
  linkTo?: string;
  /** Default the package's build time. */
  mtime?: number;
  /** Default "root". */
  user?: string;
  /** Default "root". */
  group?: string;
  /** `RPMFILE` bits; a ghost file is listed in the header but not in the payload. */
  flags?: number;
  lang?: string;
}

/** A payload codec other than gzip, e.g. xz or zstd through a CLI or library the caller owns. */
export interface RpmPayloadCompressor {
  /** PAYLOADCOMPRESSOR as rpm names it: "xz", "zstd", "bzip2", "lzma". */
  name: string;
  /** PAYLOADFLAGS, usually the level: "2", "19". */
  flags: string;
  compress(data: Uint8Array): Uint8Array;
}

export interface SyntheticRpmOptions {
  name: string;
  version: string;
  release: string;
  epoch?: number;
  /** "noarch", "x86_64", "aarch64", ... */
  arch: string;
  summary?: string;
  description?: string;
  /** Default "MIT". */
  license?: string;
  /** Default "Unspecified". */
  group?: string;
  url?: string;
  vendor?: string;
  packager?: string;
  /** Default "quipu-testkit". */
  buildHost?: string;
  /** Seconds since the epoch; default 1,700,000,000 so output is deterministic. */
  buildTime?: number;
  /** Default `name-version-release.src.rpm` (its presence is what makes this a binary package). */
  sourceRpm?: string;
  requires?: readonly RpmDependencyInput[];
  /** The self-provide `name = [epoch:]version-release` is always added. */
  provides?: readonly RpmDependencyInput[];
  conflicts?: readonly RpmDependencyInput[];
  obsoletes?: readonly RpmDependencyInput[];
  recommends?: readonly RpmDependencyInput[];
  suggests?: readonly RpmDependencyInput[];
  supplements?: readonly RpmDependencyInput[];
  enhances?: readonly RpmDependencyInput[];
  files?: readonly SyntheticRpmFile[];
  /** Default "gzip" (level `gzipLevel`). */
  compression?: "gzip" | "none" | RpmPayloadCompressor;
  /** Default 9, as rpmbuild's w9.gzdio. */
  gzipLevel?: number;
  /**
   * Bytes of RPMSIGTAG_RESERVEDSPACE to put in the signature header, as rpmbuild does (4,128) so
   * that signing does not move the main header. Default 0 (none).
   */
  signatureReservedSpace?: number;
  /** Add the rpmlib(...) requirements rpmbuild adds. Default true. */
  rpmlibRequires?: boolean;
}

const DEFAULT_BUILD_TIME = 1_700_000_000;
const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;
const PGPHASHALGO_SHA256 = 8;
const RPMLIB = RPMSENSE.RPMLIB | RPMSENSE.LESS | RPMSENSE.EQUAL;
const PAYLOAD_RPMLIB: Readonly<Record<string, readonly [string, string]>> = {
  xz: ["rpmlib(PayloadIsXz)", "5.2-1"],
  lzma: ["rpmlib(PayloadIsLzma)", "4.4.6-1"],
  bzip2: ["rpmlib(PayloadIsBzip2)", "3.0.5-1"],
  zstd: ["rpmlib(PayloadIsZstd)", "5.4.18-1"],
};
const LEAD_ARCH: Readonly<Record<string, number>> = {
  noarch: 1, i386: 1, i486: 1, i586: 1, i686: 1, x86_64: 1, ppc: 5, ppc64: 16, ppc64le: 16, s390: 14, s390x: 15, aarch64: 19,
};

interface NormalizedDependency {
  name: string;
  flags: number;
  version: string;
}

interface NormalizedFile {
  path: string;
  dir: string;
  base: string;
  mode: number;
  data: Uint8Array;
  size: number;
  digest: string;
  linkTo: string;
  mtime: number;
  user: string;
  group: string;
  flags: number;
  lang: string;
}

/**
 * Builds a valid RPM v4 package in memory: 96-byte lead, signature header (SHA1 and SHA256 header
 * digests, SIZE, MD5 and PAYLOADSIZE, padded to 8 bytes), the main header with the tags rpm,
 * createrepo_c and dnf read (immutable region included), and a newc cpio payload (gzip by default)
 * with `./` prefixed names. Same options → same bytes.
 */
export function buildSyntheticRpm(options: SyntheticRpmOptions): Uint8Array {
  const issues = new IssueCollector();
  validatePackage(options, issues);
  const files = normalizeFiles(options, issues);
  const deps = {
    requires: normalizeDeps("requires", options.requires, issues),
    provides: normalizeDeps("provides", options.provides, issues),
    conflicts: normalizeDeps("conflicts", options.conflicts, issues),
    obsoletes: normalizeDeps("obsoletes", options.obsoletes, issues),
    recommends: normalizeDeps("recommends", options.recommends, issues),
    suggests: normalizeDeps("suggests", options.suggests, issues),
    supplements: normalizeDeps("supplements", options.supplements, issues),
    enhances: normalizeDeps("enhances", options.enhances, issues),
  };
  issues.throwIfAny("synthetic rpm");

  const evr = `${options.epoch === undefined ? "" : `${options.epoch}:`}${options.version}-${options.release}`;
  deps.provides.push({ name: options.name, flags: RPMSENSE.EQUAL, version: evr });
  const compression = options.compression ?? "gzip";
  if (options.rpmlibRequires ?? true) {
    deps.requires.push({ name: "rpmlib(CompressedFileNames)", flags: RPMLIB, version: "3.0.4-1" });
    if (files.length > 0) deps.requires.push({ name: "rpmlib(FileDigests)", flags: RPMLIB, version: "4.6.0-1" });
    deps.requires.push({ name: "rpmlib(PayloadFilesHavePrefix)", flags: RPMLIB, version: "4.0-1" });
    const payloadLib = typeof compression === "object" ? PAYLOAD_RPMLIB[compression.name] : undefined;
    if (payloadLib) deps.requires.push({ name: payloadLib[0], flags: RPMLIB, version: payloadLib[1] });
  }

  // Payload first: the main header carries its digests.
  const cpio = writeNewcCpio(
    files.flatMap((file, index): CpioEntry[] =>
      (file.flags & RPMFILE.GHOST) !== 0
        ? []
        : [{ name: `.${file.path}`, mode: file.mode, content: file.data, mtime: file.mtime, ino: index + 1 }],
    ),
  );
  const payload =
    compression === "gzip"
      ? gzipSync(cpio, { level: options.gzipLevel ?? 9 })
      : compression === "none"
        ? cpio
        : compression.compress(cpio);

  const header = buildRpmHeader(RPMTAG.HEADERIMMUTABLE, mainHeaderEntries(options, files, deps, compression, cpio, payload));

  const md5 = createHash("md5").update(header).update(payload).digest();
  const signatureEntries: RpmHeaderEntry[] = [
    { tag: RPMSIGTAG.SHA1, type: RpmTagType.STRING, value: createHash("sha1").update(header).digest("hex") },
    { tag: RPMSIGTAG.SHA256, type: RpmTagType.STRING, value: createHash("sha256").update(header).digest("hex") },
    { tag: RPMSIGTAG.SIZE, type: RpmTagType.INT32, value: [checkedU32(header.length + payload.length, "package size")] },
    { tag: RPMSIGTAG.MD5, type: RpmTagType.BIN, value: md5 },
    { tag: RPMSIGTAG.PAYLOADSIZE, type: RpmTagType.INT32, value: [checkedU32(cpio.length, "payload size")] },
  ];
  const reserved = options.signatureReservedSpace ?? 0;
  if (reserved > 0) signatureEntries.push({ tag: RPMSIGTAG.RESERVEDSPACE, type: RpmTagType.BIN, value: new Uint8Array(reserved) });
  const signature = buildRpmHeader(RPMSIGTAG.HEADERSIGNATURES, signatureEntries);
  const signaturePadding = (8 - (signature.length % 8)) % 8;

  const lead = buildLead(options, evr);
  const out = Buffer.alloc(lead.length + signature.length + signaturePadding + header.length + payload.length);
  let offset = 0;
  for (const part of [lead, signature, new Uint8Array(signaturePadding), header, payload]) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** The conventional file name `name-version-release.arch.rpm`. */
export function rpmFileName(options: Pick<SyntheticRpmOptions, "name" | "version" | "release" | "arch">): string {
  return `${options.name}-${options.version}-${options.release}.${options.arch}.rpm`;
}

function mainHeaderEntries(
  options: SyntheticRpmOptions,
  files: readonly NormalizedFile[],
  deps: Record<string, NormalizedDependency[]>,
  compression: SyntheticRpmOptions["compression"] & {},
  cpio: Uint8Array,
  payload: Uint8Array,
): RpmHeaderEntry[] {
  const { STRING, STRING_ARRAY, I18NSTRING, INT32, INT16 } = RpmTagType;
  const buildTime = options.buildTime ?? DEFAULT_BUILD_TIME;
  const entries: RpmHeaderEntry[] = [
    { tag: RPMTAG.HEADERI18NTABLE, type: STRING_ARRAY, value: ["C"] },
    { tag: RPMTAG.NAME, type: STRING, value: options.name },
    { tag: RPMTAG.VERSION, type: STRING, value: options.version },
    { tag: RPMTAG.RELEASE, type: STRING, value: options.release },
    { tag: RPMTAG.SUMMARY, type: I18NSTRING, value: [options.summary ?? `${options.name} synthetic package`] },
    { tag: RPMTAG.DESCRIPTION, type: I18NSTRING, value: [options.description ?? `Synthetic package ${options.name}, built by @quipu/testkit.`] },
    { tag: RPMTAG.BUILDTIME, type: INT32, value: [buildTime] },
    { tag: RPMTAG.BUILDHOST, type: STRING, value: options.buildHost ?? "quipu-testkit" },
    {
      tag: RPMTAG.SIZE,
      type: INT32,
      value: [checkedU32(files.reduce((sum, file) => sum + (counted(file) ? file.size : 0), 0), "installed size")],
    },
    { tag: RPMTAG.LICENSE, type: STRING, value: options.license ?? "MIT" },
    { tag: RPMTAG.GROUP, type: I18NSTRING, value: [options.group ?? "Unspecified"] },
    { tag: RPMTAG.OS, type: STRING, value: "linux" },
    { tag: RPMTAG.ARCH, type: STRING, value: options.arch },
    { tag: RPMTAG.SOURCERPM, type: STRING, value: options.sourceRpm ?? `${options.name}-${options.version}-${options.release}.src.rpm` },
    { tag: RPMTAG.RPMVERSION, type: STRING, value: "4.18.0" },
    { tag: RPMTAG.PAYLOADFORMAT, type: STRING, value: "cpio" },
    { tag: RPMTAG.ENCODING, type: STRING, value: "utf-8" },
    { tag: RPMTAG.PAYLOADDIGEST, type: STRING_ARRAY, value: [createHash("sha256").update(payload).digest("hex")] },
    { tag: RPMTAG.PAYLOADDIGESTALGO, type: INT32, value: [PGPHASHALGO_SHA256] },
    { tag: RPMTAG.PAYLOADDIGESTALT, type: STRING_ARRAY, value: [createHash("sha256").update(cpio).digest("hex")] },
  ];
  if (options.epoch !== undefined) entries.push({ tag: RPMTAG.EPOCH, type: INT32, value: [options.epoch] });
  if (options.vendor !== undefined) entries.push({ tag: RPMTAG.VENDOR, type: STRING, value: options.vendor });
  if (options.packager !== undefined) entries.push({ tag: RPMTAG.PACKAGER, type: STRING, value: options.packager });
  if (options.url !== undefined) entries.push({ tag: RPMTAG.URL, type: STRING, value: options.url });
  if (compression === "gzip") {
    entries.push({ tag: RPMTAG.PAYLOADCOMPRESSOR, type: STRING, value: "gzip" });
    entries.push({ tag: RPMTAG.PAYLOADFLAGS, type: STRING, value: String(options.gzipLevel ?? 9) });
  } else if (compression === "none") {
    entries.push({ tag: RPMTAG.PAYLOADFLAGS, type: STRING, value: "" });
  } else {
    entries.push({ tag: RPMTAG.PAYLOADCOMPRESSOR, type: STRING, value: compression.name });
    entries.push({ tag: RPMTAG.PAYLOADFLAGS, type: STRING, value: compression.flags });
  }

  if (files.length > 0) {
    const dirIndex = new Map<string, number>();
    for (const file of files) if (!dirIndex.has(file.dir)) dirIndex.set(file.dir, dirIndex.size);
    entries.push(
      { tag: RPMTAG.FILESIZES, type: INT32, value: files.map((f) => f.size) },
      { tag: RPMTAG.FILEMODES, type: INT16, value: files.map((f) => f.mode) },
      { tag: RPMTAG.FILERDEVS, type: INT16, value: files.map(() => 0) },
      { tag: RPMTAG.FILEMTIMES, type: INT32, value: files.map((f) => f.mtime) },
      { tag: RPMTAG.FILEDIGESTS, type: STRING_ARRAY, value: files.map((f) => f.digest) },
      { tag: RPMTAG.FILELINKTOS, type: STRING_ARRAY, value: files.map((f) => f.linkTo) },
      { tag: RPMTAG.FILEFLAGS, type: INT32, value: files.map((f) => f.flags) },
      { tag: RPMTAG.FILEUSERNAME, type: STRING_ARRAY, value: files.map((f) => f.user) },
      { tag: RPMTAG.FILEGROUPNAME, type: STRING_ARRAY, value: files.map((f) => f.group) },
      { tag: RPMTAG.FILEVERIFYFLAGS, type: INT32, value: files.map(() => -1) },
      { tag: RPMTAG.FILEDEVICES, type: INT32, value: files.map(() => 1) },
      { tag: RPMTAG.FILEINODES, type: INT32, value: files.map((_, i) => i + 1) },
      { tag: RPMTAG.FILELANGS, type: STRING_ARRAY, value: files.map((f) => f.lang) },
      { tag: RPMTAG.DIRINDEXES, type: INT32, value: files.map((f) => dirIndex.get(f.dir) ?? 0) },
      { tag: RPMTAG.BASENAMES, type: STRING_ARRAY, value: files.map((f) => f.base) },
      { tag: RPMTAG.DIRNAMES, type: STRING_ARRAY, value: [...dirIndex.keys()] },
      { tag: RPMTAG.FILEDIGESTALGO, type: INT32, value: [PGPHASHALGO_SHA256] },
    );
  }

  const addDeps = (list: NormalizedDependency[] | undefined, nameTag: number, flagsTag: number, versionTag: number) => {
    const sorted = sortDeps(list ?? []);
    if (sorted.length === 0) return;
    entries.push(
      { tag: nameTag, type: STRING_ARRAY, value: sorted.map((d) => d.name) },
      { tag: flagsTag, type: INT32, value: sorted.map((d) => d.flags) },
      { tag: versionTag, type: STRING_ARRAY, value: sorted.map((d) => d.version) },
    );
  };
  addDeps(deps.provides, RPMTAG.PROVIDENAME, RPMTAG.PROVIDEFLAGS, RPMTAG.PROVIDEVERSION);
  addDeps(deps.requires, RPMTAG.REQUIRENAME, RPMTAG.REQUIREFLAGS, RPMTAG.REQUIREVERSION);
  addDeps(deps.conflicts, RPMTAG.CONFLICTNAME, RPMTAG.CONFLICTFLAGS, RPMTAG.CONFLICTVERSION);
  addDeps(deps.obsoletes, RPMTAG.OBSOLETENAME, RPMTAG.OBSOLETEFLAGS, RPMTAG.OBSOLETEVERSION);
  addDeps(deps.recommends, RPMTAG.RECOMMENDNAME, RPMTAG.RECOMMENDFLAGS, RPMTAG.RECOMMENDVERSION);
  addDeps(deps.suggests, RPMTAG.SUGGESTNAME, RPMTAG.SUGGESTFLAGS, RPMTAG.SUGGESTVERSION);
  addDeps(deps.supplements, RPMTAG.SUPPLEMENTNAME, RPMTAG.SUPPLEMENTFLAGS, RPMTAG.SUPPLEMENTVERSION);
  addDeps(deps.enhances, RPMTAG.ENHANCENAME, RPMTAG.ENHANCEFLAGS, RPMTAG.ENHANCEVERSION);
  return entries;
}

/** rpmbuild's SIZE: regular files and symlinks, not ghosts. */
function counted(file: NormalizedFile): boolean {
  return (file.flags & RPMFILE.GHOST) === 0;
}

/** rpm keeps dependency sets sorted by name (then version, then flags) without exact duplicates. */
function sortDeps(list: readonly NormalizedDependency[]): NormalizedDependency[] {
  const sorted = [...list].sort(
    (a, b) => compareUtf8(a.name, b.name) || compareUtf8(a.version, b.version) || a.flags - b.flags,
  );
  return sorted.filter(
    (dep, i) => i === 0 || dep.name !== sorted[i - 1]?.name || dep.version !== sorted[i - 1]?.version || dep.flags !== sorted[i - 1]?.flags,
  );
}

function buildLead(options: SyntheticRpmOptions, evr: string): Uint8Array {
  const lead = Buffer.alloc(96);
  lead.set([0xed, 0xab, 0xee, 0xdb, 3, 0], 0);
  lead.writeUInt16BE(0, 6); // binary package
  lead.writeUInt16BE(LEAD_ARCH[options.arch] ?? 0, 8);
  const nevr = Buffer.from(`${options.name}-${evr}`, "utf8");
  nevr.copy(lead, 10, 0, Math.min(nevr.length, 65));
  lead.writeUInt16BE(1, 76); // Linux
  lead.writeUInt16BE(5, 78); // RPMSIGTYPE_HEADERSIG
  return lead;
}

const NAME_RE = /^[A-Za-z0-9_+][A-Za-z0-9_.+-]*$/;
const VERSION_RE = /^[A-Za-z0-9._+~^]+$/;

function validatePackage(options: SyntheticRpmOptions, issues: IssueCollector): void {
  issues.check(NAME_RE.test(options.name), "name", `"${options.name}" is not a valid package name`);
  issues.check(VERSION_RE.test(options.version), "version", `"${options.version}" must be non-empty without "-", ":" or whitespace`);
  issues.check(VERSION_RE.test(options.release), "release", `"${options.release}" must be non-empty without "-", ":" or whitespace`);
  issues.check(/^[A-Za-z0-9_]+$/.test(options.arch), "arch", `"${options.arch}" is not a valid architecture`);
  if (options.epoch !== undefined) issues.check(isU31(options.epoch), "epoch", "must be an integer from 0 to 2^31-1");
  if (options.buildTime !== undefined) issues.check(isU31(options.buildTime), "buildTime", "must be an integer from 0 to 2^31-1");
  if (options.gzipLevel !== undefined) {
    issues.check(Number.isInteger(options.gzipLevel) && options.gzipLevel >= 1 && options.gzipLevel <= 9, "gzipLevel", "must be 1-9");
  }
  if (options.signatureReservedSpace !== undefined) {
    issues.check(
      Number.isInteger(options.signatureReservedSpace) && options.signatureReservedSpace >= 0 && options.signatureReservedSpace <= 65_536,
      "signatureReservedSpace",
      "must be an integer from 0 to 65536",
    );
  }
  for (const [key, value] of Object.entries({
    summary: options.summary,
    description: options.description,
    license: options.license,
    group: options.group,
    url: options.url,
    vendor: options.vendor,
    packager: options.packager,
    buildHost: options.buildHost,
    sourceRpm: options.sourceRpm,
  })) {
    if (value !== undefined) issues.check(!value.includes("\0"), key, "must not contain NUL");
  }
}

function normalizeFiles(options: SyntheticRpmOptions, issues: IssueCollector): NormalizedFile[] {
  const buildTime = options.buildTime ?? DEFAULT_BUILD_TIME;
  const seen = new Set<string>();
  const files: NormalizedFile[] = [];
  for (const [index, file] of (options.files ?? []).entries()) {
    const where = `files[${index}]`;
    if (!/^(\/[^/\0]+)+$/.test(file.path) || /\/\.\.?(\/|$)/.test(file.path)) {
      issues.add(`${where}.path`, `"${file.path}" must be absolute and normalised (no trailing "/", "//", "." or "..")`);
      continue;
    }
    if (seen.has(file.path)) issues.add(`${where}.path`, `"${file.path}" is listed twice`);
    seen.add(file.path);
    const type = fileType(file);
    const permissions = (file.mode ?? (type === "directory" ? 0o755 : type === "symlink" ? 0o777 : 0o644)) & 0o7777;
    const mode = (type === "directory" ? S_IFDIR : type === "symlink" ? S_IFLNK : S_IFREG) | permissions;
    if (type !== "file" && file.content !== undefined) issues.add(`${where}.content`, `a ${type} has no content`);
    if (type === "symlink" && !file.linkTo) issues.add(`${where}.linkTo`, "a symlink needs a target");
    if (file.mtime !== undefined) issues.check(isU31(file.mtime), `${where}.mtime`, "must be an integer from 0 to 2^31-1");
    const data = type === "file" ? toBytes(file.content) : type === "symlink" ? toBytes(file.linkTo ?? "") : new Uint8Array(0);
    const slash = file.path.lastIndexOf("/");
    const ghost = ((file.flags ?? 0) & RPMFILE.GHOST) !== 0;
    files.push({
      path: file.path,
      dir: file.path.slice(0, slash + 1),
      base: file.path.slice(slash + 1),
      mode,
      data,
      size: data.length, // rpmbuild records 0 for directories, not st_size
      // rpmbuild leaves the digest empty for a ghost that is not in the build root.
      digest: type === "file" && !(ghost && file.content === undefined) ? createHash("sha256").update(data).digest("hex") : "",
      linkTo: type === "symlink" ? (file.linkTo ?? "") : "",
      mtime: file.mtime ?? buildTime,
      user: file.user ?? "root",
      group: file.group ?? "root",
      flags: file.flags ?? 0,
      lang: file.lang ?? "",
    });
  }
  return files.sort((a, b) => compareUtf8(a.path, b.path));
}

function fileType(file: SyntheticRpmFile): RpmFileType {
  if (file.type) return file.type;
  if (file.linkTo !== undefined) return "symlink";
  const bits = (file.mode ?? 0) & S_IFMT;
  return bits === S_IFDIR ? "directory" : bits === S_IFLNK ? "symlink" : "file";
}

const OPERATOR_FLAGS: Readonly<Record<RpmDependencyOperator, number>> = {
  "<": RPMSENSE.LESS,
  "<=": RPMSENSE.LESS | RPMSENSE.EQUAL,
  "=": RPMSENSE.EQUAL,
  ">=": RPMSENSE.GREATER | RPMSENSE.EQUAL,
  ">": RPMSENSE.GREATER,
};

function normalizeDeps(
  key: string,
  inputs: readonly RpmDependencyInput[] | undefined,
  issues: IssueCollector,
): NormalizedDependency[] {
  const out: NormalizedDependency[] = [];
  for (const [index, input] of (inputs ?? []).entries()) {
    const where = `${key}[${index}]`;
    const dep = typeof input === "string" ? parseDependency(input) : input;
    if (dep === undefined) {
      issues.add(where, `"${String(input)}" is not "name [op version]"`);
      continue;
    }
    if (dep.name.length === 0 || /[\0-\x1f]/.test(dep.name)) issues.add(`${where}.name`, "empty or contains control characters");
    if ((dep.operator === undefined) !== (dep.version === undefined || dep.version === "")) {
      issues.add(where, "an operator needs a version and a version needs an operator");
    }
    if (dep.version !== undefined && /[\s\0]/.test(dep.version)) issues.add(`${where}.version`, "contains whitespace");
    out.push({
      name: dep.name,
      flags: (dep.operator ? OPERATOR_FLAGS[dep.operator] : 0) | (dep.flags ?? 0),
      version: dep.version ?? "",
    });
  }
  return out;
}

/** Parses `name`, `name op version` or a rich dependency `(a or b)`. */
function parseDependency(text: string): RpmDependency | undefined {
  const trimmed = text.trim();
  if (trimmed.startsWith("(")) return { name: trimmed };
  const match = /^(\S+)(?:\s+(<=|>=|<|>|=)\s+(\S+))?$/.exec(trimmed);
  if (!match) return undefined;
  const [, name = "", operator, version] = match;
  return operator ? { name, operator: operator as RpmDependencyOperator, version: version ?? "" } : { name };
}

function isU31(value: number): boolean {
  return Number.isInteger(value) && value >= 0 && value <= 0x7fffffff;
}

function checkedU32(value: number, what: string): number {
  if (value > 0xffffffff) {
    const issues = new IssueCollector();
    issues.add(what, "does not fit the 32-bit field (packages over 4 GiB are not supported)");
    issues.throwIfAny("synthetic rpm");
  }
  return value;
}
