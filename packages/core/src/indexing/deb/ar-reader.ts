import { debInvalid } from "./deb-errors.js";

/** The 8-byte magic that opens every `ar` archive (and so every .deb). */
export const AR_MAGIC = "!<arch>\n";
const HEADER_SIZE = 60;

/** One member of an ar archive. `data` is a view into the archive bytes, not a copy. */
export interface ArMember {
  /** Name with trailing spaces and a GNU-style trailing `/` removed. */
  readonly name: string;
  readonly headerOffset: number;
  readonly dataOffset: number;
  readonly size: number;
  readonly mtime: number;
  readonly uid: number;
  readonly gid: number;
  readonly mode: number;
  readonly data: Uint8Array;
}

export interface ArReadOptions {
  /** Names the archive in errors. */
  readonly file?: string | undefined;
}

/** True when `bytes` starts with the ar magic. */
export function isArArchive(bytes: Uint8Array): boolean {
  if (bytes.length < AR_MAGIC.length) return false;
  for (let i = 0; i < AR_MAGIC.length; i += 1) {
    if (bytes[i] !== AR_MAGIC.charCodeAt(i)) return false;
  }
  return true;
}

function ascii(bytes: Uint8Array, start: number, end: number): string {
  let text = "";
  for (let i = start; i < end; i += 1) text += String.fromCharCode(bytes[i] ?? 0);
  return text;
}

/** Parses a space-padded numeric header field; blank means 0, anything else non-numeric is `undefined`. */
function numberField(text: string, radix: 8 | 10): number | undefined {
  const trimmed = text.trim();
  if (trimmed === "") return 0;
  const pattern = radix === 8 ? /^[0-7]+$/ : /^[0-9]+$/;
  if (!pattern.test(trimmed)) return undefined;
  const value = Number.parseInt(trimmed, radix);
  return Number.isSafeInteger(value) ? value : undefined;
}

/**
 * Iterates the members of a common-format ar archive (the only format dpkg writes): 60-byte ASCII
 * headers, data padded to an even length. There is no long-name table support, as in dpkg. Every
 * header and member is bounds-checked; a malformed archive raises `QUIPU_DEB_INVALID` with the
 * offending offset. A missing final padding byte at the very end of the file is tolerated.
 */
export function* iterateArMembers(bytes: Uint8Array, options: ArReadOptions = {}): Generator<ArMember> {
  const file = options.file;
  if (!isArArchive(bytes)) {
    throw debInvalid({ file, reason: bytes.length < AR_MAGIC.length ? "file too short to be an ar archive" : "not an ar archive (bad magic)", offset: 0 });
  }
  let offset = AR_MAGIC.length;
  while (offset < bytes.length) {
    if (bytes.length - offset < HEADER_SIZE) {
      throw debInvalid({ file, reason: `truncated ar member header (${bytes.length - offset} of ${HEADER_SIZE} bytes)`, offset });
    }
    if (bytes[offset + 58] !== 0x60 || bytes[offset + 59] !== 0x0a) {
      throw debInvalid({ file, reason: "corrupt ar member header (bad terminator)", offset: offset + 58 });
    }
    let name = ascii(bytes, offset, offset + 16).replace(/ +$/, "");
    if (name.length > 1 && name.endsWith("/")) name = name.slice(0, -1);
    const size = numberField(ascii(bytes, offset + 48, offset + 58), 10);
    if (size === undefined) {
      throw debInvalid({ file, reason: `corrupt size field in ar member header '${printable(name)}'`, offset: offset + 48 });
    }
    const dataOffset = offset + HEADER_SIZE;
    if (size > bytes.length - dataOffset) {
      throw debInvalid({
        file,
        reason: `ar member '${printable(name)}' is truncated (declares ${size} bytes, ${bytes.length - dataOffset} remain)`,
        offset: dataOffset,
      });
    }
    yield {
      name,
      headerOffset: offset,
      dataOffset,
      size,
      mtime: numberField(ascii(bytes, offset + 16, offset + 28), 10) ?? 0,
      uid: numberField(ascii(bytes, offset + 28, offset + 34), 10) ?? 0,
      gid: numberField(ascii(bytes, offset + 34, offset + 40), 10) ?? 0,
      mode: numberField(ascii(bytes, offset + 40, offset + 48), 8) ?? 0,
      data: bytes.subarray(dataOffset, dataOffset + size),
    };
    offset = dataOffset + size + (size % 2);
  }
}

/** Makes a member name safe to show in a message (control characters escaped). */
export function printable(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}
