import type { Codecs, CompressionFormat } from "../codecs.js";
import { iterateArMembers, printable, type ArMember } from "./ar-reader.js";
import { parseControlParagraph, type ControlParagraph } from "./control-fields.js";
import { debInvalid } from "./deb-errors.js";
import { parseDebianVersion } from "./debian-version.js";
import { iterateTarEntries } from "./tar-reader.js";
import { isQuipuError } from "../../errors/quipu-error.js";

export interface DebReadOptions {
  /** Decompressors for control.tar (gzip is built in; xz and zstd come from an adapter). */
  readonly codecs: Codecs;
  /** Names the file in errors. */
  readonly fileName?: string | undefined;
}

/** What a .deb says about itself: its control paragraph plus the format facts an indexer needs. */
export interface DebControl {
  /** The control file, fields in file order with their original spelling. */
  readonly control: ControlParagraph;
  readonly package: string;
  readonly version: string;
  readonly architecture: string;
  readonly multiArch: string | undefined;
  /** `Source` without a version (the binary package name when absent). */
  readonly source: string;
  /** The `debian-binary` version, for example `2.0`. */
  readonly formatVersion: string;
  readonly controlCompression: CompressionFormat;
  readonly dataCompression: CompressionFormat | "lzma";
  /** Paths inside control.tar (normalised: no `./` prefix), in archive order. */
  readonly controlFiles: readonly string[];
  /** How the control text was decoded: UTF-8, or Latin-1 when it was not valid UTF-8. */
  readonly textEncoding: "utf-8" | "latin1";
}

const COMPRESSION_SUFFIXES: ReadonlyMap<string, CompressionFormat | "lzma"> = new Map<string, CompressionFormat | "lzma">([
  ["", "none"],
  [".gz", "gzip"],
  [".xz", "xz"],
  [".zst", "zstd"],
  [".bz2", "bzip2"],
  [".lzma", "lzma"],
]);
const CONTROL_FORMATS = new Set(["none", "gzip", "xz", "zstd"]);

const utf8Fatal = new TextDecoder("utf-8", { fatal: true });
const latin1 = new TextDecoder("latin1");

/** Decodes control text as UTF-8, falling back to Latin-1 (checklist: convert rather than reject). */
export function decodeControlText(bytes: Uint8Array): { text: string; encoding: "utf-8" | "latin1" } {
  const withoutBom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
  try {
    return { text: utf8Fatal.decode(withoutBom), encoding: "utf-8" };
  } catch {
    return { text: latin1.decode(withoutBom), encoding: "latin1" };
  }
}

const PACKAGE_NAME = /^[A-Za-z0-9][A-Za-z0-9+.\-_]*$/;
const ARCHITECTURE = /^[a-z0-9][a-z0-9-]*$/;

/**
 * Reads the control information of a .deb from its bytes, following dpkg-deb's rules: an ar
 * archive whose first member is `debian-binary` (format 2.x), then `control.tar` (none, .gz, .xz
 * or .zst), then `data.tar` (any suffix); members whose names start with `_` are skipped and
 * anything after data.tar is ignored. data.tar is located and bounds-checked but not decompressed.
 * Every problem raises `QUIPU_DEB_INVALID` (a malformed control file too, with the parse error as
 * `cause`); only a missing codec for control.tar raises `QUIPU_CODEC_UNSUPPORTED` instead.
 */
export function readDebControl(bytes: Uint8Array, options: DebReadOptions): DebControl {
  const file = options.fileName;
  const members = iterateArMembers(bytes, { file });

  const first = members.next();
  if (first.done) throw debInvalid({ file, reason: "empty ar archive (no debian-binary member)", offset: 8 });
  if (first.value.name !== "debian-binary") {
    throw debInvalid({ file, reason: `not a Debian binary package: first member is '${printable(first.value.name)}', not 'debian-binary'`, offset: first.value.headerOffset });
  }
  const formatVersion = checkFormatVersion(first.value, file);

  let control: ArMember | undefined;
  let data: ArMember | undefined;
  for (const member of members) {
    if (member.name.startsWith("_")) continue;
    if (control === undefined) {
      if (!member.name.startsWith("control.tar")) {
        throw debInvalid({ file, reason: `unexpected member '${printable(member.name)}' where control.tar was expected`, offset: member.headerOffset });
      }
      control = member;
      continue;
    }
    if (!member.name.startsWith("data.tar")) {
      throw debInvalid({ file, reason: `unexpected member '${printable(member.name)}' where data.tar was expected`, offset: member.headerOffset });
    }
    data = member;
    break;
  }
  if (control === undefined) throw debInvalid({ file, reason: "no control.tar member", offset: bytes.length });
  if (data === undefined) throw debInvalid({ file, reason: "no data.tar member (file truncated?)", offset: bytes.length });

  const controlCompression = COMPRESSION_SUFFIXES.get(control.name.slice("control.tar".length));
  if (controlCompression === undefined || !CONTROL_FORMATS.has(controlCompression)) {
    throw debInvalid({ file, reason: `unsupported control member compression '${printable(control.name)}'`, offset: control.headerOffset });
  }
  const dataCompression = COMPRESSION_SUFFIXES.get(data.name.slice("data.tar".length));
  if (dataCompression === undefined) {
    throw debInvalid({ file, reason: `unsupported data member compression '${printable(data.name)}'`, offset: data.headerOffset });
  }

  const tar = decompressMember(control, controlCompression as CompressionFormat, options.codecs, file);
  const controlFiles: string[] = [];
  let controlBytes: Uint8Array | undefined;
  for (const entry of iterateTarEntries(tar, { file, member: control.name })) {
    controlFiles.push(entry.name);
    if (entry.name === "control" && controlBytes === undefined) {
      if (entry.type !== "file") {
        throw debInvalid({ file, member: control.name, reason: `control is a ${entry.type}, not a regular file` });
      }
      controlBytes = entry.data;
    }
  }
  if (controlBytes === undefined) throw debInvalid({ file, member: control.name, reason: "control.tar has no control file" });

  const { text, encoding } = decodeControlText(controlBytes);
  const paragraph = parseControlOrWrap(text, file);
  const required = (name: string, pattern: RegExp | undefined): string => {
    const value = paragraph.get(name);
    if (value === undefined || value === "") throw debInvalid({ file, reason: `control file lacks the ${name} field` });
    if (value.includes("\n") || (pattern !== undefined && !pattern.test(value))) {
      throw debInvalid({ file, reason: `invalid ${name} '${printable(value)}' in control file` });
    }
    return value;
  };
  const pkg = required("Package", PACKAGE_NAME);
  const version = required("Version", undefined);
  if (parseDebianVersion(version) === undefined) throw debInvalid({ file, reason: `invalid Version '${printable(version)}' in control file` });
  const architecture = required("Architecture", ARCHITECTURE);
  const sourceField = paragraph.get("Source");
  const source = sourceField === undefined || sourceField === "" ? pkg : (sourceField.split(/\s+/)[0] ?? pkg);

  return {
    control: paragraph,
    package: pkg,
    version,
    architecture,
    multiArch: paragraph.get("Multi-Arch"),
    source,
    formatVersion,
    controlCompression: controlCompression as CompressionFormat,
    dataCompression,
    controlFiles,
    textEncoding: encoding,
  };
}

function checkFormatVersion(member: ArMember, file: string | undefined): string {
  let text = "";
  for (const byte of member.data.subarray(0, 64)) text += String.fromCharCode(byte);
  const match = /^(\d+)\.(\d+)/.exec(text);
  if (!match) throw debInvalid({ file, reason: `debian-binary holds no format version ('${printable(text.slice(0, 16))}')`, offset: member.dataOffset });
  if (match[1] !== "2") {
    throw debInvalid({ file, reason: `unsupported .deb format version ${match[0]} (only 2.x is supported)`, offset: member.dataOffset });
  }
  return match[0];
}

function decompressMember(member: ArMember, format: CompressionFormat, codecs: Codecs, file: string | undefined): Uint8Array {
  if (format === "none") return member.data;
  try {
    return codecs.decompress(format, member.data);
  } catch (error) {
    if (isQuipuError(error, "QUIPU_CODEC_UNSUPPORTED")) throw error;
    throw debInvalid({ file, member: member.name, reason: `cannot decompress ${member.name} (${format}): ${describe(error)}` }, error);
  }
}

function parseControlOrWrap(text: string, file: string | undefined): ControlParagraph {
  try {
    return parseControlParagraph(text, { file: file === undefined ? "control" : `${file}: control` });
  } catch (error) {
    throw debInvalid({ file, member: "control", reason: `unreadable control file: ${describe(error)}` }, error);
  }
}

function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return printable(message.split("\n")[0] ?? "").slice(0, 200);
}
