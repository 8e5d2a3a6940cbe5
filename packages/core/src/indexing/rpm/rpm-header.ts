import { rpmInvalid } from "./rpm-invalid.js";
import { RpmTagType, rpmTagTypeNames } from "./tag-ids.js";

/** `8E AD E8 01`: the magic that opens every header structure (signature and main header). */
const HEADER_MAGIC = [0x8e, 0xad, 0xe8, 0x01] as const;
/** rpm's own limits (`hdrchkTags`, `hdrchkData`): at most 65535 entries and 256 MiB of data. */
const MAX_INDEX_COUNT = 0xffff;
const MAX_DATA_LENGTH = 256 * 1024 * 1024;
/** rpm refuses a single entry claiming more than 16 M elements (`hdrchkCount`). */
const MAX_ENTRY_COUNT = 0xffffff;
const REGION_TAGS = new Set([61, 62, 63]);
/** RpmHeader's table: FIELDS numbers per kept entry, in these columns. */
const FIELDS = 5;
const TAG = 0;
const TYPE = 1;
const OFFSET = 2;
const COUNT = 3;
const LENGTH = 4;

export interface RpmHeaderEntry {
  readonly tag: number;
  readonly type: number;
  /** Offset of the entry's data inside the data store. */
  readonly offset: number;
  readonly count: number;
  /** Byte length of the entry's data (strings included up to their terminating NUL). */
  readonly length: number;
}

export interface ReadRpmHeaderOptions {
  fileName?: string;
  /** Words for error messages: "signature header" or "main header". */
  label?: string;
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** The text when `bytes` is valid UTF-8, else undefined. */
function decodeValidUtf8(bytes: Uint8Array): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * Decodes a header string. rpm stores bytes without declaring an encoding (v6 packages promise
 * UTF-8); like createrepo_c, bytes that are not valid UTF-8 are read as ISO-8859-1, dropping the
 * C1 control range 0x80–0x9F.
 */
export function decodeHeaderString(bytes: Uint8Array): string {
  const text = decodeValidUtf8(bytes);
  if (text !== undefined) return text;
  let out = "";
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b >= 0x80 && b < 0xa0) continue;
    out += String.fromCharCode(b);
  }
  return out;
}

/**
 * One header structure (signature or main header) read from a package file, with every entry
 * checked against the data store's bounds the way rpm's `hdrblobVerifyInfo` does: known type,
 * aligned integers, data inside the store, entries in increasing non-overlapping order, strings
 * NUL-terminated inside the store, and a consistent immutable region when one is present.
 *
 * Accessors return `undefined` for absent tags and throw `QUIPU_RPM_INVALID` when a tag has a type
 * that cannot hold what was asked for.
 */
export class RpmHeader {
  /** Offset of the header's magic in the file. */
  readonly start: number;
  /** Offset just past the header's data store (exclusive end). */
  readonly end: number;
  readonly indexCount: number;
  readonly dataLength: number;
  /** The region tag (61, 62 or 63) opening the header, if any. */
  readonly regionTag: number | undefined;
  private readonly bytes: Uint8Array;
  private readonly view: DataView;
  private readonly dataStart: number;
  /*
   * The entries kept (first occurrence of each tag, in index order), as columns of one typed
   * array, FIELDS numbers each: tag, type, offset, count, length. A package's two headers hold
   * 50–150 entries and an indexer reads thousands of packages: a Map of entry objects was a
   * quarter of everything the indexer allocated.
   */
  private readonly table: Int32Array;
  private kept = 0;
  /** Whether the kept tags are in increasing order (rpm writes them so): lookups then bisect. */
  private sorted = true;
  private readonly fileName: string | undefined;
  private readonly label: string;

  constructor(bytes: Uint8Array, start: number, options: ReadRpmHeaderOptions = {}) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.fileName = options.fileName;
    this.label = options.label ?? "header";
    this.start = start;
    const fail = (reason: string, offset: number) => rpmInvalid(`${this.label}: ${reason}`, offset, this.fileName);

    if (start + 16 > bytes.length) throw fail("truncated before the header intro", bytes.length);
    for (let i = 0; i < 4; i++) {
      if (bytes[start + i] !== HEADER_MAGIC[i]) throw fail("bad header magic", start);
    }
    const indexCount = this.view.getUint32(start + 8);
    const dataLength = this.view.getUint32(start + 12);
    if (indexCount < 1 || indexCount > MAX_INDEX_COUNT) throw fail(`implausible index entry count ${indexCount}`, start + 8);
    if (dataLength > MAX_DATA_LENGTH) throw fail(`implausible data length ${dataLength}`, start + 12);
    this.indexCount = indexCount;
    this.dataLength = dataLength;
    this.dataStart = start + 16 + indexCount * 16;
    this.end = this.dataStart + dataLength;
    if (this.end > bytes.length) throw fail(`truncated: header needs ${this.end - start} bytes, ${bytes.length - start} present`, bytes.length);
    this.table = new Int32Array(indexCount * FIELDS);

    let regionDataEnd = dataLength;
    let previousEnd = 0;
    for (let i = 0; i < indexCount; i++) {
      const at = start + 16 + i * 16;
      const tag = this.view.getUint32(at);
      const type = this.view.getUint32(at + 4);
      const offset = this.view.getInt32(at + 8);
      const count = this.view.getUint32(at + 12);
      if (i === 0 && REGION_TAGS.has(tag)) {
        regionDataEnd = this.checkRegion(tag, type, offset, count, at, fail);
        this.regionTag = tag;
        this.keep(tag, type, offset, count, 16);
        previousEnd = 0;
        continue;
      }
      if (tag < 100) throw fail(`entry ${i} has reserved tag ${tag}`, at);
      if (type > RpmTagType.I18NSTRING) throw fail(`entry ${i} (tag ${tag}) has unknown type ${type}`, at + 4);
      if (count === 0 || count > MAX_ENTRY_COUNT) throw fail(`entry ${i} (tag ${tag}) has implausible count ${count}`, at + 12);
      if (offset < 0 || offset > dataLength) throw fail(`entry ${i} (tag ${tag}) points outside the data store`, at + 8);
      const align = alignmentOf(type);
      if (offset % align !== 0) throw fail(`entry ${i} (tag ${tag}) is misaligned for ${rpmTagTypeNames[type]}`, at + 8);
      if (offset < previousEnd) throw fail(`entry ${i} (tag ${tag}) overlaps the previous entry's data`, at + 8);
      const length = this.dataLengthOf(tag, type, offset, count, regionDataEnd, fail);
      previousEnd = offset + length;
      this.keep(tag, type, offset, count, length);
    }
  }

  /** Keeps an entry unless its tag was seen before (the first occurrence wins, as in rpm). */
  private keep(tag: number, type: number, offset: number, count: number, length: number): void {
    const table = this.table;
    const last = this.kept - 1;
    if (last >= 0) {
      const previousTag = this.cell(last, TAG) >>> 0;
      if (previousTag === tag) return;
      if (previousTag > tag) {
        if (this.find(tag) >= 0) return;
        this.sorted = false;
      } else if (!this.sorted && this.find(tag) >= 0) {
        return;
      }
    }
    const at = this.kept * FIELDS;
    table[at + TAG] = tag;
    table[at + TYPE] = type;
    table[at + OFFSET] = offset;
    table[at + COUNT] = count;
    table[at + LENGTH] = length;
    this.kept++;
  }

  private cell(row: number, column: number): number {
    return this.table[row * FIELDS + column]!;
  }

  /** Row of `tag` in the table, or -1. */
  private find(tag: number): number {
    if (this.sorted) {
      let low = 0;
      let high = this.kept - 1;
      while (low <= high) {
        const mid = (low + high) >>> 1;
        const value = this.cell(mid, TAG) >>> 0;
        if (value === tag) return mid;
        if (value < tag) low = mid + 1;
        else high = mid - 1;
      }
      return -1;
    }
    for (let row = 0; row < this.kept; row++) if (this.cell(row, TAG) >>> 0 === tag) return row;
    return -1;
  }

  private checkRegion(
    tag: number,
    type: number,
    offset: number,
    count: number,
    at: number,
    fail: (reason: string, offset: number) => Error,
  ): number {
    if (type !== RpmTagType.BIN || count !== 16) throw fail(`region tag ${tag} is not a 16-byte BIN entry`, at);
    if (offset < 0 || offset + 16 > this.dataLength) throw fail(`region tag ${tag} trailer lies outside the data store`, at + 8);
    const trailer = this.dataStart + offset;
    const trailerTag = this.view.getUint32(trailer);
    const trailerType = this.view.getUint32(trailer + 4);
    const trailerOffset = this.view.getInt32(trailer + 8);
    const trailerCount = this.view.getUint32(trailer + 12);
    const regionEntries = -trailerOffset / 16;
    if (
      trailerTag !== tag ||
      trailerType !== RpmTagType.BIN ||
      trailerCount !== 16 ||
      trailerOffset > 0 ||
      !Number.isInteger(regionEntries) ||
      regionEntries < 1 ||
      regionEntries > this.indexCount
    ) {
      throw fail(`region tag ${tag} has a corrupt trailer`, trailer);
    }
    return offset + 16;
  }

  private dataLengthOf(
    tag: number,
    type: number,
    offset: number,
    count: number,
    limit: number,
    fail: (reason: string, offset: number) => Error,
  ): number {
    const available = this.dataLength - offset;
    let length: number;
    switch (type) {
      case RpmTagType.NULL:
        length = 0;
        break;
      case RpmTagType.CHAR:
      case RpmTagType.INT8:
      case RpmTagType.BIN:
        length = count;
        break;
      case RpmTagType.INT16:
        length = count * 2;
        break;
      case RpmTagType.INT32:
        length = count * 4;
        break;
      case RpmTagType.INT64:
        length = count * 8;
        break;
      default: {
        if (type === RpmTagType.STRING && count !== 1) throw fail(`STRING tag ${tag} has count ${count}`, this.dataStart + offset);
        const dataEnd = this.dataStart + this.dataLength;
        let pos = this.dataStart + offset;
        for (let n = 0; n < count; n++) {
          const nul = this.bytes.indexOf(0, pos);
          if (nul < 0 || nul >= dataEnd) throw fail(`string data of tag ${tag} runs past the data store`, pos);
          pos = nul + 1;
        }
        length = pos - (this.dataStart + offset);
      }
    }
    if (length > available) throw fail(`data of tag ${tag} runs past the data store`, this.dataStart + offset);
    if (offset + length > limit && this.regionTag !== undefined && offset < limit) {
      throw fail(`data of tag ${tag} overlaps the region trailer`, this.dataStart + offset);
    }
    return length;
  }

  /** Tags present, in index order (first occurrence of duplicates). */
  get tags(): number[] {
    const out = new Array<number>(this.kept);
    for (let row = 0; row < this.kept; row++) out[row] = this.cell(row, TAG) >>> 0;
    return out;
  }

  entry(tag: number): RpmHeaderEntry | undefined {
    const row = this.find(tag);
    if (row < 0) return undefined;
    return { tag, type: this.cell(row, TYPE), offset: this.cell(row, OFFSET), count: this.cell(row, COUNT), length: this.cell(row, LENGTH) };
  }

  has(tag: number): boolean {
    return this.find(tag) >= 0;
  }

  /** A STRING, or the first element of a STRING_ARRAY or I18NSTRING (the C locale). */
  string(tag: number): string | undefined {
    const row = this.find(tag);
    if (row < 0) return undefined;
    const type = this.cell(row, TYPE);
    if (type !== RpmTagType.STRING && type !== RpmTagType.STRING_ARRAY && type !== RpmTagType.I18NSTRING) throw this.wrongType(row, "a string");
    const from = this.dataStart + this.cell(row, OFFSET);
    return decodeHeaderString(this.bytes.subarray(from, this.bytes.indexOf(0, from)));
  }

  /** Every element of a STRING_ARRAY or I18NSTRING; a STRING gives a one-element array. */
  stringArray(tag: number): string[] | undefined {
    const row = this.find(tag);
    if (row < 0) return undefined;
    const type = this.cell(row, TYPE);
    if (type !== RpmTagType.STRING && type !== RpmTagType.STRING_ARRAY && type !== RpmTagType.I18NSTRING) throw this.wrongType(row, "a string array");
    const from = this.dataStart + this.cell(row, OFFSET);
    const count = this.cell(row, COUNT);
    // The whole array at once: a NUL never occurs inside a UTF-8 sequence, so when the region is
    // valid UTF-8 every element is, and one decode plus a split is much cheaper than one per element.
    const region = this.bytes.subarray(from, from + this.cell(row, LENGTH) - 1);
    const whole = decodeValidUtf8(region);
    if (whole !== undefined) {
      const parts = whole.split("\0");
      if (parts.length === count) return parts;
    }
    const out = new Array<string>(count);
    let pos = from;
    for (let n = 0; n < count; n++) {
      const nul = this.bytes.indexOf(0, pos);
      out[n] = decodeHeaderString(this.bytes.subarray(pos, nul));
      pos = nul + 1;
    }
    return out;
  }

  /** The first element of an integer tag (CHAR, INT8/16/32/64), read unsigned as rpm does. */
  number(tag: number): number | undefined {
    const row = this.find(tag);
    return row < 0 ? undefined : this.integerAt(row, 0);
  }

  /** Every element of an integer tag, unsigned. */
  numberArray(tag: number): number[] | undefined {
    const row = this.find(tag);
    if (row < 0) return undefined;
    const count = this.cell(row, COUNT);
    const out = new Array<number>(count);
    for (let i = 0; i < count; i++) out[i] = this.integerAt(row, i);
    return out;
  }

  /** The raw bytes of a BIN (or CHAR/INT8) tag. */
  binary(tag: number): Uint8Array | undefined {
    const row = this.find(tag);
    if (row < 0) return undefined;
    const type = this.cell(row, TYPE);
    if (type !== RpmTagType.BIN && type !== RpmTagType.CHAR && type !== RpmTagType.INT8) throw this.wrongType(row, "binary data");
    const from = this.dataStart + this.cell(row, OFFSET);
    return this.bytes.subarray(from, from + this.cell(row, COUNT));
  }

  private integerAt(row: number, index: number): number {
    const at = this.dataStart + this.cell(row, OFFSET);
    switch (this.cell(row, TYPE)) {
      case RpmTagType.CHAR:
      case RpmTagType.INT8:
        return this.bytes[at + index]!;
      case RpmTagType.INT16:
        return this.view.getUint16(at + index * 2);
      case RpmTagType.INT32:
        return this.view.getUint32(at + index * 4);
      case RpmTagType.INT64: {
        const value = this.view.getBigUint64(at + index * 8);
        if (value > BigInt(Number.MAX_SAFE_INTEGER)) {
          throw rpmInvalid(`${this.label}: INT64 tag ${this.cell(row, TAG) >>> 0} holds ${value}, beyond 2^53`, at + index * 8, this.fileName);
        }
        return Number(value);
      }
      default:
        throw this.wrongType(row, "an integer");
    }
  }

  private wrongType(row: number, wanted: string): Error {
    const type = this.cell(row, TYPE);
    return rpmInvalid(
      `${this.label}: tag ${this.cell(row, TAG) >>> 0} has type ${rpmTagTypeNames[type] ?? type}, not ${wanted}`,
      this.dataStart + this.cell(row, OFFSET),
      this.fileName,
    );
  }
}

function alignmentOf(type: number): number {
  switch (type) {
    case RpmTagType.INT16:
      return 2;
    case RpmTagType.INT32:
      return 4;
    case RpmTagType.INT64:
      return 8;
    default:
      return 1;
  }
}

/** Reads the header structure starting at `start`; see {@link RpmHeader}. */
export function readRpmHeader(bytes: Uint8Array, start: number, options: ReadRpmHeaderOptions = {}): RpmHeader {
  return new RpmHeader(bytes, start, options);
}
