import { toBytes, writeAscii, type ByteContent } from "./bytes.js";
import { invalid } from "./validation.js";

/** One member of a "newc" (070701) cpio archive, the format of rpm v4 payloads. */
export interface CpioEntry {
  /** Stored as given; rpm payloads use `./usr/bin/x`. */
  name: string;
  /** Full st_mode, type bits included (0o100644 file, 0o40755 directory, 0o120777 symlink). */
  mode: number;
  /** File content, or the target of a symlink. */
  content?: ByteContent;
  /** Default 0. */
  mtime?: number;
  /** Default 1-based position in the archive. */
  ino?: number;
  /** Default 1. */
  nlink?: number;
  uid?: number;
  gid?: number;
  devMajor?: number;
  devMinor?: number;
  rdevMajor?: number;
  rdevMinor?: number;
}

const HEADER_SIZE = 110;
const TRAILER = "TRAILER!!!";

/**
 * Writes a newc cpio archive (header "070701" + 13 eight-digit hex fields, name with NUL, both
 * header+name and data padded to 4 bytes) ending in the `TRAILER!!!` entry, without block padding —
 * byte for byte what rpmbuild writes as a payload.
 */
export function writeNewcCpio(entries: readonly CpioEntry[]): Uint8Array {
  const names = entries.map((entry) => Buffer.from(entry.name, "utf8"));
  const datas = entries.map((entry) => toBytes(entry.content));
  let size = 0;
  for (let i = 0; i < entries.length; i++) {
    const data = datas[i] as Uint8Array;
    if (data.length > 0xffffffff) invalid("cpio entry", `entries[${i}].content`, "larger than 4 GiB");
    size += align4(HEADER_SIZE + (names[i] as Buffer).length + 1) + align4(data.length);
  }
  size += align4(HEADER_SIZE + TRAILER.length + 1);
  const out = Buffer.alloc(size);
  let offset = 0;
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i] as CpioEntry;
    const name = names[i] as Buffer;
    const data = datas[i] as Uint8Array;
    writeHeader(out, offset, [
      entry.ino ?? i + 1,
      entry.mode,
      entry.uid ?? 0,
      entry.gid ?? 0,
      entry.nlink ?? 1,
      entry.mtime ?? 0,
      data.length,
      entry.devMajor ?? 0,
      entry.devMinor ?? 0,
      entry.rdevMajor ?? 0,
      entry.rdevMinor ?? 0,
      name.length + 1,
      0,
    ]);
    name.copy(out, offset + HEADER_SIZE);
    offset += align4(HEADER_SIZE + name.length + 1);
    out.set(data, offset);
    offset += align4(data.length);
  }
  writeHeader(out, offset, [0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, TRAILER.length + 1, 0]);
  writeAscii(out, offset + HEADER_SIZE, TRAILER);
  return out;
}

function writeHeader(out: Buffer, offset: number, fields: readonly number[]): void {
  writeAscii(out, offset, "070701");
  for (let i = 0; i < fields.length; i++) {
    writeAscii(out, offset + 6 + 8 * i, ((fields[i] ?? 0) >>> 0).toString(16).padStart(8, "0"));
  }
}

function align4(length: number): number {
  return (length + 3) & ~3;
}
