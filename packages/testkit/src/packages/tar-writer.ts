import { toBytes, writeAscii, writeOctal, type ByteContent } from "./bytes.js";
import { invalid } from "./validation.js";

export type TarEntryType = "file" | "directory" | "symlink";

/** One member of a tar archive. */
export interface TarEntry {
  /** Stored as given (dpkg-deb style: `./usr/bin/x`, directories with a trailing `/`). */
  path: string;
  /** Default "file". */
  type?: TarEntryType;
  /** File content (ignored for directories and symlinks). */
  content?: ByteContent;
  /** Symlink target. */
  linkTarget?: string;
  /** Permission bits; default 0o644 for files, 0o755 for directories, 0o777 for symlinks. */
  mode?: number;
  /** Seconds since the epoch; default 0. */
  mtime?: number;
  uid?: number;
  gid?: number;
  /** Default "root". */
  uname?: string;
  /** Default "root". */
  gname?: string;
}

export interface TarWriteOptions {
  /**
   * Pad the archive to a multiple of this many bytes, as GNU tar (and so dpkg-deb) does with its
   * default blocking factor 20 (10,240). Default 10,240; 0 or 1,024 writes just the two end blocks.
   */
  recordSize?: number;
}

const BLOCK = 512;
const MAX_SIZE = 0o77777777777; // 11 octal digits: 8 GiB - 1

interface PreparedEntry {
  entry: TarEntry;
  type: TarEntryType;
  data: Uint8Array;
  name: string;
  prefix: string;
  /** A pax extended header body when the path or link target does not fit ustar. */
  pax?: Uint8Array;
}

/**
 * Writes a POSIX ustar archive in one buffer: 512-byte headers, data padded to 512, two zero blocks,
 * padding to the record size. Paths longer than ustar allows (100 bytes, or 155 + 100 split at a `/`)
 * and long link targets get a pax `x` header, which dpkg and GNU tar read.
 */
export function writeTar(entries: readonly TarEntry[], options: TarWriteOptions = {}): Uint8Array {
  const prepared = entries.map(prepare);
  let size = 0;
  for (const item of prepared) {
    if (item.pax) size += 2 * BLOCK + padded(item.pax.length);
    else size += BLOCK;
    size += padded(item.data.length);
  }
  size += 2 * BLOCK;
  const record = options.recordSize ?? 10_240;
  if (record > 0 && size % record !== 0) size += record - (size % record);

  const out = Buffer.alloc(size);
  let offset = 0;
  for (const item of prepared) {
    if (item.pax) {
      writeHeader(out, offset, {
        name: paxName(item.entry.path),
        prefix: "",
        typeflag: "x",
        size: item.pax.length,
        mode: 0o644,
        entry: item.entry,
        linkTarget: "",
      });
      offset += BLOCK;
      out.set(item.pax, offset);
      offset += padded(item.pax.length);
    }
    const target = item.entry.linkTarget ?? "";
    writeHeader(out, offset, {
      name: item.name,
      prefix: item.prefix,
      typeflag: item.type === "directory" ? "5" : item.type === "symlink" ? "2" : "0",
      size: item.data.length,
      mode: item.entry.mode ?? (item.type === "directory" ? 0o755 : item.type === "symlink" ? 0o777 : 0o644),
      entry: item.entry,
      linkTarget: Buffer.byteLength(target) <= 100 ? target : "",
    });
    offset += BLOCK;
    out.set(item.data, offset);
    offset += padded(item.data.length);
  }
  return out;
}

function prepare(entry: TarEntry, index: number): PreparedEntry {
  const type = entry.type ?? "file";
  const data = type === "file" ? toBytes(entry.content) : new Uint8Array(0);
  if (data.length > MAX_SIZE) invalid("tar entry", `entries[${index}].content`, "larger than 8 GiB");
  if (entry.path.length === 0 || entry.path.includes("\0")) invalid("tar entry", `entries[${index}].path`, "empty or contains NUL");
  if (type === "symlink" && !entry.linkTarget) invalid("tar entry", `entries[${index}].linkTarget`, "a symlink needs a target");
  const pathLength = Buffer.byteLength(entry.path);
  const records: string[] = [];
  let name = entry.path;
  let prefix = "";
  if (pathLength > 100) {
    const split = splitUstar(entry.path);
    if (split) [prefix, name] = split;
    else {
      records.push(paxRecord("path", entry.path));
      name = truncateUtf8(entry.path, 100);
    }
  }
  if (entry.linkTarget !== undefined && Buffer.byteLength(entry.linkTarget) > 100) {
    records.push(paxRecord("linkpath", entry.linkTarget));
  }
  const prepared: PreparedEntry = { entry, type, data, name, prefix };
  if (records.length > 0) prepared.pax = Buffer.from(records.join(""), "utf8");
  return prepared;
}

/** ustar's prefix/name split: prefix ≤ 155 bytes, name ≤ 100 bytes, joined by the `/` between them. */
function splitUstar(path: string): [string, string] | undefined {
  const bytes = Buffer.from(path, "utf8");
  const last = Math.min(bytes.length - 1, 155);
  for (let i = last; i > 0; i--) {
    if (bytes[i] !== 0x2f) continue;
    if (bytes.length - i - 1 > 100) return undefined;
    if (bytes.length - i - 1 === 0) continue;
    return [bytes.subarray(0, i).toString("utf8"), bytes.subarray(i + 1).toString("utf8")];
  }
  return undefined;
}

/** A pax record "<len> key=value\n" whose decimal length counts itself. */
function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  const bodyLength = Buffer.byteLength(body);
  const digits = String(bodyLength).length;
  let length = bodyLength + digits;
  if (String(length).length !== digits) length = bodyLength + String(length).length;
  return `${length}${body}`;
}

function paxName(path: string): string {
  const trimmed = path.replace(/\/+$/, "");
  const base = trimmed.slice(trimmed.lastIndexOf("/") + 1);
  return truncateUtf8(`./PaxHeaders/${base}`, 100);
}

function truncateUtf8(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text, "utf8");
  if (bytes.length <= maxBytes) return text;
  let end = maxBytes;
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString("utf8");
}

function padded(length: number): number {
  return Math.ceil(length / BLOCK) * BLOCK;
}

interface HeaderFields {
  name: string;
  prefix: string;
  typeflag: string;
  size: number;
  mode: number;
  entry: TarEntry;
  linkTarget: string;
}

function writeHeader(out: Buffer, offset: number, fields: HeaderFields): void {
  const { entry } = fields;
  out.write(fields.name, offset, 100, "utf8");
  writeOctal(out, offset + 100, 7, fields.mode & 0o7777);
  writeOctal(out, offset + 108, 7, entry.uid ?? 0);
  writeOctal(out, offset + 116, 7, entry.gid ?? 0);
  writeOctal(out, offset + 124, 11, fields.size);
  writeOctal(out, offset + 136, 11, entry.mtime ?? 0);
  writeAscii(out, offset + 148, "        ");
  writeAscii(out, offset + 156, fields.typeflag);
  out.write(fields.linkTarget, offset + 157, 100, "utf8");
  writeAscii(out, offset + 257, "ustar\u000000");
  out.write(entry.uname ?? "root", offset + 265, 31, "utf8");
  out.write(entry.gname ?? "root", offset + 297, 31, "utf8");
  writeOctal(out, offset + 329, 7, 0);
  writeOctal(out, offset + 337, 7, 0);
  out.write(fields.prefix, offset + 345, 155, "utf8");
  let sum = 0;
  for (let i = offset; i < offset + BLOCK; i++) sum += out[i] ?? 0;
  writeOctal(out, offset + 148, 6, sum);
  out[offset + 154] = 0;
  out[offset + 155] = 0x20;
}
