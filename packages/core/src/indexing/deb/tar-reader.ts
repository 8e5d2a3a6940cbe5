import { printable } from "./ar-reader.js";
import { debInvalid } from "./deb-errors.js";

const BLOCK = 512;

export type TarEntryType = "file" | "hardlink" | "symlink" | "character-device" | "block-device" | "directory" | "fifo" | "other";

/** One entry of a tar archive after GNU long-name and pax headers have been applied. */
export interface TarEntry {
  /** Path as stored (after long-name/pax/ustar-prefix handling). */
  readonly rawName: string;
  /** Path with leading `./` and `/` removed; `""` for the archive root `./`. */
  readonly name: string;
  readonly type: TarEntryType;
  /** The raw typeflag character (`"0"`, `"5"`, …; `"\0"` for old v7 regular files). */
  readonly typeFlag: string;
  readonly mode: number;
  readonly size: number;
  readonly linkName: string;
  /** Offset of the entry's own header inside the tar bytes. */
  readonly headerOffset: number;
  /** File contents (a view, not a copy); empty for entries without data. */
  readonly data: Uint8Array;
}

export interface TarReadOptions {
  /** Names the enclosing file in errors. */
  readonly file?: string | undefined;
  /** Names the archive member (for example `control.tar.xz`) in errors. */
  readonly member?: string | undefined;
  /** Added to offsets in errors, so they point into the enclosing file. */
  readonly baseOffset?: number | undefined;
}

const utf8 = new TextDecoder("utf-8");

function isZeroBlock(bytes: Uint8Array, offset: number): boolean {
  for (let i = offset; i < offset + BLOCK; i += 1) if (bytes[i] !== 0) return false;
  return true;
}

function cString(bytes: Uint8Array, start: number, length: number): string {
  let end = start;
  while (end < start + length && bytes[end] !== 0) end += 1;
  return utf8.decode(bytes.subarray(start, end));
}

function entryType(flag: string): TarEntryType {
  switch (flag) {
    case "0":
    case "\0":
    case "7":
      return "file";
    case "1":
      return "hardlink";
    case "2":
      return "symlink";
    case "3":
      return "character-device";
    case "4":
      return "block-device";
    case "5":
      return "directory";
    case "6":
      return "fifo";
    default:
      return "other";
  }
}

/** Types whose size field never announces data blocks. */
const NO_DATA = new Set(["1", "2", "3", "4", "6"]);

/** Removes `./` and `/` prefixes (as dpkg does when looking for `./control`). */
export function normaliseTarPath(path: string): string {
  let name = path;
  for (;;) {
    if (name.startsWith("./")) name = name.slice(2);
    else if (name.startsWith("/")) name = name.slice(1);
    else break;
  }
  if (name === ".") return "";
  return name.endsWith("/") ? name.replace(/\/+$/, "") : name;
}

/** Parses the `len key=value\n` records of a pax extended header. */
function parsePax(data: Uint8Array, fail: (reason: string) => never): Map<string, string> {
  const records = new Map<string, string>();
  let offset = 0;
  while (offset < data.length) {
    if (data[offset] === 0) break; // some writers pad with NULs
    let space = offset;
    while (space < data.length && data[space] !== 0x20) space += 1;
    const lengthText = utf8.decode(data.subarray(offset, space));
    if (!/^[0-9]{1,12}$/.test(lengthText)) fail("corrupt pax header record length");
    const length = Number.parseInt(lengthText, 10);
    const end = offset + length;
    if (length <= space - offset + 1 || end > data.length || data[end - 1] !== 0x0a) fail("corrupt pax header record");
    const record = utf8.decode(data.subarray(space + 1, end - 1));
    const equals = record.indexOf("=");
    if (equals <= 0) fail("pax header record without key");
    records.set(record.slice(0, equals), record.slice(equals + 1));
    offset = end;
  }
  return records;
}

/**
 * Iterates a tar archive: v7, ustar (with the 155-byte prefix), GNU (`././@LongLink` long names
 * and link names, base-256 numbers) and POSIX pax (`path`, `linkpath`, `size` records). Header
 * checksums are verified (unsigned, or signed as some old writers did). Reading stops at the first
 * all-zero block or at the end of the bytes; anything malformed raises `QUIPU_DEB_INVALID`.
 */
export function* iterateTarEntries(bytes: Uint8Array, options: TarReadOptions = {}): Generator<TarEntry> {
  const base = options.baseOffset ?? 0;
  const fail = (reason: string, offset?: number): never => {
    throw debInvalid({ file: options.file, member: options.member, reason, offset: offset === undefined ? undefined : base + offset });
  };
  let offset = 0;
  let longName: string | undefined;
  let longLink: string | undefined;
  let pax: Map<string, string> | undefined;

  const octal = (start: number, length: number, what: string): number => {
    const first = bytes[start] ?? 0;
    if ((first & 0x80) !== 0) {
      // GNU base-256: big-endian two's complement in the remaining bits; negative values are refused.
      if ((first & 0x40) !== 0) fail(`negative ${what} in tar header`, start);
      let value = first & 0x3f;
      for (let i = start + 1; i < start + length; i += 1) {
        value = value * 256 + (bytes[i] ?? 0);
        if (!Number.isSafeInteger(value)) fail(`${what} too large in tar header`, start);
      }
      return value;
    }
    let i = start;
    const end = start + length;
    while (i < end && (bytes[i] === 0x20 || bytes[i] === 0)) {
      if (bytes[i] === 0 && i === start) return 0; // empty field
      i += 1;
    }
    let value = 0;
    let digits = 0;
    for (; i < end; i += 1) {
      const c = bytes[i] ?? 0;
      if (c === 0 || c === 0x20) break;
      if (c < 0x30 || c > 0x37) fail(`corrupt ${what} field in tar header`, start);
      value = value * 8 + (c - 0x30);
      digits += 1;
    }
    for (; i < end; i += 1) {
      const c = bytes[i];
      if (c !== 0 && c !== 0x20) fail(`corrupt ${what} field in tar header`, start);
    }
    return digits === 0 ? 0 : value;
  };

  while (offset < bytes.length) {
    if (bytes.length - offset < BLOCK) fail(`truncated tar header (${bytes.length - offset} of ${BLOCK} bytes)`, offset);
    if (isZeroBlock(bytes, offset)) return;

    const stored = octal(offset + 148, 8, "checksum");
    let unsigned = 0;
    let signed = 0;
    for (let i = 0; i < BLOCK; i += 1) {
      const c = i >= 148 && i < 156 ? 0x20 : (bytes[offset + i] ?? 0);
      unsigned += c;
      signed += c >= 0x80 ? c - 0x100 : c;
    }
    if (stored !== unsigned && stored !== signed) fail("tar header checksum mismatch", offset);

    const typeFlag = String.fromCharCode(bytes[offset + 156] ?? 0);
    const magic = cString(bytes, offset + 257, 6);
    let size = octal(offset + 124, 12, "size");
    const paxSize = pax?.get("size");
    if (paxSize !== undefined) {
      if (!/^[0-9]{1,15}$/.test(paxSize)) fail("corrupt pax size record", offset);
      size = Number.parseInt(paxSize, 10);
    }
    const dataOffset = offset + BLOCK;
    const hasData = !NO_DATA.has(typeFlag);
    const dataSize = hasData ? size : 0;
    if (dataSize > bytes.length - dataOffset) {
      fail(`tar entry is truncated (declares ${dataSize} bytes, ${bytes.length - dataOffset} remain)`, offset);
    }
    const data = bytes.subarray(dataOffset, dataOffset + dataSize);
    const next = dataOffset + Math.ceil(dataSize / BLOCK) * BLOCK;

    if (typeFlag === "L" || typeFlag === "K") {
      const text = cString(data, 0, data.length);
      if (typeFlag === "L") longName = text;
      else longLink = text;
      offset = next;
      continue;
    }
    if (typeFlag === "x") {
      pax = parsePax(data, (reason) => fail(reason, offset));
      offset = next;
      continue;
    }
    if (typeFlag === "g") {
      parsePax(data, (reason) => fail(reason, offset)); // validated, not applied
      offset = next;
      continue;
    }

    let rawName = cString(bytes, offset, 100);
    if (magic === "ustar") {
      const prefix = cString(bytes, offset + 345, 155);
      if (prefix !== "") rawName = `${prefix}/${rawName}`;
    }
    rawName = pax?.get("path") ?? longName ?? rawName;
    const linkName = pax?.get("linkpath") ?? longLink ?? cString(bytes, offset + 157, 100);
    if (rawName === "") fail("tar entry with an empty name", offset);

    yield {
      rawName,
      name: normaliseTarPath(rawName),
      type: entryType(typeFlag),
      typeFlag,
      mode: octal(offset + 100, 8, "mode"),
      size: dataSize,
      linkName,
      headerOffset: offset,
      data,
    };
    longName = undefined;
    longLink = undefined;
    pax = undefined;
    offset = next;
  }
  if (longName !== undefined || longLink !== undefined || pax !== undefined) {
    fail(`tar archive ends after an extended header (${printable(longName ?? longLink ?? "pax")})`, offset);
  }
}
