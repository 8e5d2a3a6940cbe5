import { invalid } from "./validation.js";

/** Header data types (rpmtag.h `rpmTagType`). */
export const RpmTagType = {
  NULL: 0,
  CHAR: 1,
  INT8: 2,
  INT16: 3,
  INT32: 4,
  INT64: 5,
  STRING: 6,
  BIN: 7,
  STRING_ARRAY: 8,
  I18NSTRING: 9,
} as const;
export type RpmTagType = (typeof RpmTagType)[keyof typeof RpmTagType];

/** Main-header tag numbers used by the synthetic writer (rpmtag.h). */
export const RPMTAG = {
  HEADERIMMUTABLE: 63,
  HEADERI18NTABLE: 100,
  NAME: 1000,
  VERSION: 1001,
  RELEASE: 1002,
  EPOCH: 1003,
  SUMMARY: 1004,
  DESCRIPTION: 1005,
  BUILDTIME: 1006,
  BUILDHOST: 1007,
  SIZE: 1009,
  VENDOR: 1011,
  LICENSE: 1014,
  PACKAGER: 1015,
  GROUP: 1016,
  URL: 1020,
  OS: 1021,
  ARCH: 1022,
  FILESIZES: 1028,
  FILEMODES: 1030,
  FILERDEVS: 1033,
  FILEMTIMES: 1034,
  FILEDIGESTS: 1035,
  FILELINKTOS: 1036,
  FILEFLAGS: 1037,
  FILEUSERNAME: 1039,
  FILEGROUPNAME: 1040,
  SOURCERPM: 1044,
  FILEVERIFYFLAGS: 1045,
  PROVIDENAME: 1047,
  REQUIREFLAGS: 1048,
  REQUIRENAME: 1049,
  REQUIREVERSION: 1050,
  CONFLICTFLAGS: 1053,
  CONFLICTNAME: 1054,
  CONFLICTVERSION: 1055,
  RPMVERSION: 1064,
  OBSOLETENAME: 1090,
  FILEDEVICES: 1095,
  FILEINODES: 1096,
  FILELANGS: 1097,
  PROVIDEFLAGS: 1112,
  PROVIDEVERSION: 1113,
  OBSOLETEFLAGS: 1114,
  OBSOLETEVERSION: 1115,
  DIRINDEXES: 1116,
  BASENAMES: 1117,
  DIRNAMES: 1118,
  PAYLOADFORMAT: 1124,
  PAYLOADCOMPRESSOR: 1125,
  PAYLOADFLAGS: 1126,
  FILEDIGESTALGO: 5011,
  RECOMMENDNAME: 5046,
  RECOMMENDVERSION: 5047,
  RECOMMENDFLAGS: 5048,
  SUGGESTNAME: 5049,
  SUGGESTVERSION: 5050,
  SUGGESTFLAGS: 5051,
  SUPPLEMENTNAME: 5052,
  SUPPLEMENTVERSION: 5053,
  SUPPLEMENTFLAGS: 5054,
  ENHANCENAME: 5055,
  ENHANCEVERSION: 5056,
  ENHANCEFLAGS: 5057,
  ENCODING: 5062,
  PAYLOADDIGEST: 5092,
  PAYLOADDIGESTALGO: 5093,
  PAYLOADDIGESTALT: 5097,
} as const;

/** Signature-header tag numbers (rpmtag.h `rpmSigTag`). */
export const RPMSIGTAG = {
  HEADERSIGNATURES: 62,
  SHA1: 269,
  SHA256: 273,
  SIZE: 1000,
  MD5: 1004,
  PAYLOADSIZE: 1007,
  RESERVEDSPACE: 1008,
} as const;

/** One header entry; `value` must match `type` (numbers for the integer types, strings for the string types). */
export type RpmHeaderEntry =
  | { tag: number; type: typeof RpmTagType.STRING; value: string }
  | { tag: number; type: typeof RpmTagType.STRING_ARRAY | typeof RpmTagType.I18NSTRING; value: readonly string[] }
  | {
      tag: number;
      type: typeof RpmTagType.CHAR | typeof RpmTagType.INT8 | typeof RpmTagType.INT16 | typeof RpmTagType.INT32;
      value: readonly number[];
    }
  | { tag: number; type: typeof RpmTagType.INT64; value: readonly bigint[] }
  | { tag: number; type: typeof RpmTagType.BIN; value: Uint8Array };

const HEADER_MAGIC = [0x8e, 0xad, 0xe8, 0x01];
const ENTRY_SIZE = 16;
const REGION_SIZE = 16;

/**
 * Serialises a header structure as rpm writes it into a package: 16-byte intro (magic, reserved,
 * index count, data length), index entries sorted by tag with the region tag first, data in the
 * same order with integers aligned to their size, and the region trailer (`{regionTag, BIN,
 * -indexBytes, 16}`) as the last 16 data bytes, so the immutable region covers every entry.
 */
export function buildRpmHeader(regionTag: number, entries: readonly RpmHeaderEntry[]): Uint8Array {
  const sorted = [...entries].sort((a, b) => a.tag - b.tag);
  for (let i = 0; i < sorted.length; i++) {
    const entry = sorted[i] as RpmHeaderEntry;
    if (entry.tag <= regionTag || (i > 0 && (sorted[i - 1] as RpmHeaderEntry).tag === entry.tag)) {
      invalid("rpm header", `tag ${entry.tag}`, "duplicate, or not above the region tag");
    }
  }
  const encoded = sorted.map(encodeValue);
  let dataLength = 0;
  const offsets: number[] = [];
  for (let i = 0; i < sorted.length; i++) {
    dataLength = alignTo(dataLength, alignment((sorted[i] as RpmHeaderEntry).type));
    offsets.push(dataLength);
    dataLength += (encoded[i] as Encoded).bytes.length;
  }
  const regionOffset = dataLength;
  dataLength += REGION_SIZE;
  const indexCount = sorted.length + 1;
  const out = Buffer.alloc(16 + ENTRY_SIZE * indexCount + dataLength);
  out.set(HEADER_MAGIC, 0);
  out.writeUInt32BE(indexCount, 8);
  out.writeUInt32BE(dataLength, 12);
  const dataStart = 16 + ENTRY_SIZE * indexCount;
  writeEntry(out, 16, regionTag, RpmTagType.BIN, regionOffset, REGION_SIZE);
  for (let i = 0; i < sorted.length; i++) {
    const entry = sorted[i] as RpmHeaderEntry;
    const { bytes, count } = encoded[i] as Encoded;
    writeEntry(out, 16 + ENTRY_SIZE * (i + 1), entry.tag, entry.type, offsets[i] as number, count);
    out.set(bytes, dataStart + (offsets[i] as number));
  }
  writeEntry(out, dataStart + regionOffset, regionTag, RpmTagType.BIN, -ENTRY_SIZE * indexCount, REGION_SIZE);
  return out;
}

interface Encoded {
  bytes: Uint8Array;
  count: number;
}

function encodeValue(entry: RpmHeaderEntry): Encoded {
  switch (entry.type) {
    case RpmTagType.STRING:
      return { bytes: Buffer.from(`${checkString(entry.tag, entry.value)}\0`, "utf8"), count: 1 };
    case RpmTagType.STRING_ARRAY:
    case RpmTagType.I18NSTRING: {
      if (entry.value.length === 0) invalid("rpm header", `tag ${entry.tag}`, "an array needs at least one element");
      let text = "";
      for (const item of entry.value) text += `${checkString(entry.tag, item)}\0`;
      return { bytes: Buffer.from(text, "utf8"), count: entry.value.length };
    }
    case RpmTagType.CHAR:
    case RpmTagType.INT8:
      return { bytes: Uint8Array.from(entry.value, (v) => v & 0xff), count: entry.value.length };
    case RpmTagType.INT16: {
      const bytes = Buffer.alloc(2 * entry.value.length);
      entry.value.forEach((v, i) => bytes.writeUInt16BE(v & 0xffff, 2 * i));
      return { bytes, count: entry.value.length };
    }
    case RpmTagType.INT32: {
      const bytes = Buffer.alloc(4 * entry.value.length);
      entry.value.forEach((v, i) => bytes.writeUInt32BE(v >>> 0, 4 * i));
      return { bytes, count: entry.value.length };
    }
    case RpmTagType.INT64: {
      const bytes = Buffer.alloc(8 * entry.value.length);
      entry.value.forEach((v, i) => bytes.writeBigUInt64BE(BigInt.asUintN(64, v), 8 * i));
      return { bytes, count: entry.value.length };
    }
    case RpmTagType.BIN:
      return { bytes: entry.value, count: entry.value.length };
  }
}

function checkString(tag: number, value: string): string {
  if (value.includes("\0")) invalid("rpm header", `tag ${tag}`, "strings cannot contain NUL");
  return value;
}

function writeEntry(out: Buffer, offset: number, tag: number, type: number, dataOffset: number, count: number): void {
  out.writeUInt32BE(tag, offset);
  out.writeUInt32BE(type, offset + 4);
  out.writeInt32BE(dataOffset, offset + 8);
  out.writeUInt32BE(count, offset + 12);
}

function alignment(type: RpmTagType): number {
  return type === RpmTagType.INT16 ? 2 : type === RpmTagType.INT32 ? 4 : type === RpmTagType.INT64 ? 8 : 1;
}

function alignTo(offset: number, to: number): number {
  return to === 1 ? offset : Math.ceil(offset / to) * to;
}
