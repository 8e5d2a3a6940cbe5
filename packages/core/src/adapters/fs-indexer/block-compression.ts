/**
 * Compressed index documents made of independently compressed blocks, so an incremental run only
 * recompresses the blocks whose packages changed.
 *
 * - gzip: ONE gzip member whose deflate stream is the concatenation of raw deflate segments, each
 *   ended by a full flush (byte-aligned, no back-references across segments), the last one final;
 *   the trailer CRC is combined from the segments' CRCs. Every gzip reader sees an ordinary file.
 * - zstd: concatenated frames (part of the zstd format; read by dnf, apt and zypper). The small
 *   head and foot are written as raw (stored) frames without running a compressor.
 * - xz and bzip2 cannot be split that way (concatenated xz streams break apt and dnf), so those are
 *   compressed whole, and reused only while the document is unchanged.
 *
 * Block boundaries are content-defined (a boundary after an item whose id hash has its low bits
 * zero, once the block holds a minimum number of bytes; forced at a maximum): they depend only on
 * the document's items, never on history, so an incremental run and a run from scratch over the
 * same packages give the same bytes.
 */
import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import { constants as zlibConstants, crc32 as zlibCrc32, deflateRawSync } from "node:zlib";
import type { Codecs, CompressionFormat } from "../../indexing/codecs.js";

/**
 * The items of a document (rendered packages, in order), read lazily: an incremental run streams
 * unchanged items from the cache through a small buffer and only materialises the blocks it must
 * recompress.
 */
export interface DocumentSource {
  readonly count: number;
  /** Byte length of item `i`. */
  length(i: number): number;
  /** Content id of item `i`, 32 hex digits (the same bytes always have the same id). */
  id(i: number): string;
  /** Calls `visit` with the bytes of items `[start, end)` in order, in chunks (valid only during the call). */
  stream(start: number, end: number, visit: (chunk: Uint8Array) => void): void;
  /** The bytes of items `[start, end)`, concatenated. */
  read(start: number, end: number): Uint8Array;
}

/** A DocumentSource over items held in memory. */
export function memorySource(items: readonly { readonly bytes: Uint8Array; readonly id: string }[]): DocumentSource {
  return {
    count: items.length,
    length: (i) => items[i]!.bytes.length,
    id: (i) => items[i]!.id,
    stream: (start, end, visit) => {
      for (let i = start; i < end; i++) visit(items[i]!.bytes);
    },
    read: (start, end) => Buffer.concat(items.slice(start, end).map((item) => item.bytes)),
  };
}

/** A compressed piece kept between runs. */
export interface CompressedSegment {
  readonly bytes: Uint8Array;
  /** Length of the uncompressed block. */
  readonly rawLength: number;
  /** CRC-32 of the uncompressed block (gzip only; 0 otherwise). */
  readonly crc: number;
}

/** Where compressed segments are looked up and stored (the index cache). */
export interface SegmentStore {
  get(key: string): CompressedSegment | undefined;
  set(key: string, segment: CompressedSegment): void;
}

export interface BlockParameters {
  /** No boundary before a block holds this many bytes. */
  readonly minBytes: number;
  /** A boundary is forced once a block holds this many bytes. */
  readonly maxBytes: number;
  /** A boundary after an item whose id's first 32 bits (8 hex digits) have these bits zero (a power of two minus one). */
  readonly mask: number;
}

export const DEFAULT_BLOCK_PARAMETERS: BlockParameters = { minBytes: 64 * 1024, maxBytes: 1024 * 1024, mask: 31 };

export interface ComposedDocument {
  /** The document as published (compressed, or the plain bytes for `none`). */
  readonly stored: Uint8Array;
  /** Length and hex digests (each algorithm asked for, plus sha256; none with `openDigests: false`) of the uncompressed document. */
  readonly openLength: number;
  readonly openDigests: Readonly<Record<string, string>>;
  /** Blocks in the document and how many were compressed in this call (the others came from the store). */
  readonly blocks: number;
  readonly compressedBlocks: number;
}

const GZIP_HEADER = Uint8Array.from([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03]);
const SEGMENT_FORMAT_VERSION = "1";
const EMPTY = new Uint8Array(0);

/** End indexes (exclusive) of the blocks of a document's items. */
export function blockBoundaries(source: Pick<DocumentSource, "count" | "length" | "id">, parameters: BlockParameters = DEFAULT_BLOCK_PARAMETERS): number[] {
  const ends: number[] = [];
  let bytes = 0;
  for (let i = 0; i < source.count; i++) {
    bytes += source.length(i);
    const hash = parseInt(source.id(i).slice(0, 8), 16);
    if (bytes >= parameters.maxBytes || (bytes >= parameters.minBytes && (hash & parameters.mask) === 0)) {
      ends.push(i + 1);
      bytes = 0;
    }
  }
  if (source.count > 0 && ends[ends.length - 1] !== source.count) ends.push(source.count);
  return ends;
}

function blockKey(format: string, source: DocumentSource, start: number, end: number): string {
  let ids = `${format}:${SEGMENT_FORMAT_VERSION}:`;
  for (let i = start; i < end; i++) ids += source.id(i);
  return `${format}:${createHash("sha256").update(ids).digest("base64url").slice(0, 32)}`;
}

/** Whether documents in `format` are assembled from reusable blocks. */
export function isBlockFormat(format: CompressionFormat): format is "gzip" | "zstd" {
  return format === "gzip" || format === "zstd";
}

export interface ComposeOptions {
  readonly format: CompressionFormat;
  readonly head?: Uint8Array | undefined;
  readonly source: DocumentSource;
  readonly foot?: Uint8Array | undefined;
  readonly codecs: Codecs;
  readonly store: SegmentStore;
  /** Digests of the uncompressed document to compute (sha256 always is), or `false` for none (no pass over the items). */
  readonly openDigests?: readonly string[] | false | undefined;
  readonly parameters?: BlockParameters | undefined;
}

/** The uncompressed document: head, items, foot (materialised). */
export function assembleDocument(head: Uint8Array, source: DocumentSource, foot: Uint8Array): Buffer {
  return Buffer.concat([head, source.read(0, source.count), foot]);
}

/**
 * Compresses (or reuses) a document in `format` and digests its uncompressed form, streaming the
 * items (see the module comment for how each format is split).
 */
export function composeDocument(options: ComposeOptions): ComposedDocument {
  const { format, source, codecs, store } = options;
  const head = options.head ?? EMPTY;
  const foot = options.foot ?? EMPTY;
  let openLength = head.length + foot.length;
  for (let i = 0; i < source.count; i++) openLength += source.length(i);
  let openDigests: Record<string, string> = {};
  if (options.openDigests !== false || !isBlockFormat(format)) {
    const algorithms = [...new Set(["sha256", ...(options.openDigests || [])])];
    const hashes = algorithms.map((name) => createHash(name));
    const feed = (chunk: Uint8Array) => {
      for (const hash of hashes) hash.update(chunk);
    };
    feed(head);
    source.stream(0, source.count, feed);
    feed(foot);
    openDigests = Object.fromEntries(algorithms.map((name, i) => [name, hashes[i]!.digest("hex")]));
  }
  const done = (stored: Uint8Array, blocks: number, compressedBlocks: number): ComposedDocument => ({ stored, openLength, openDigests, blocks, compressedBlocks });

  if (format === "none") return done(assembleDocument(head, source, foot), 0, 0);
  if (!isBlockFormat(format)) {
    const key = `whole-${format}:${openDigests["sha256"]!}`;
    const hit = store.get(key);
    if (hit && hit.rawLength === openLength) return done(hit.bytes, 1, 0);
    const stored = codecs.compress(format, assembleDocument(head, source, foot));
    store.set(key, { bytes: stored, rawLength: openLength, crc: 0 });
    return done(stored, 1, 1);
  }

  const ends = blockBoundaries(source, options.parameters);
  const parts: Uint8Array[] = [];
  let crc = 0;
  let compressedBlocks = 0;
  if (format === "gzip") {
    parts.push(GZIP_HEADER);
    if (head.length > 0) {
      parts.push(deflateRawSync(head, { finishFlush: zlibConstants.Z_FULL_FLUSH }));
      crc = zlibCrc32(head);
    }
  } else if (head.length > 0) {
    parts.push(zstdRawFrame(head));
  }
  let start = 0;
  for (const end of ends) {
    const key = blockKey(format, source, start, end);
    let segment = store.get(key);
    if (segment === undefined) {
      const raw = source.read(start, end);
      segment =
        format === "gzip"
          ? { bytes: deflateRawSync(raw, { finishFlush: zlibConstants.Z_FULL_FLUSH }), rawLength: raw.length, crc: zlibCrc32(raw) }
          : { bytes: codecs.compress("zstd", raw), rawLength: raw.length, crc: 0 };
      store.set(key, segment);
      compressedBlocks++;
    }
    parts.push(segment.bytes);
    if (format === "gzip") crc = crc32Combine(crc, segment.crc, segment.rawLength);
    start = end;
  }
  if (format === "gzip") {
    parts.push(deflateRawSync(foot));
    crc = crc32Combine(crc, zlibCrc32(foot), foot.length);
    const trailer = Buffer.alloc(8);
    trailer.writeUInt32LE(crc >>> 0, 0);
    trailer.writeUInt32LE(openLength % 0x1_0000_0000, 4);
    parts.push(trailer);
  } else if (foot.length > 0 || parts.length === 0) {
    parts.push(zstdRawFrame(foot));
  }
  return done(Buffer.concat(parts), ends.length, compressedBlocks);
}

/**
 * A zstd frame holding `data` in raw (stored) blocks: single-segment, with the content size, no
 * checksum. Valid input to every zstd decoder, and needs no compressor.
 */
export function zstdRawFrame(data: Uint8Array): Buffer {
  const size = data.length;
  let fcsFlag: number;
  let fcs: Buffer;
  if (size < 256) {
    fcsFlag = 0;
    fcs = Buffer.from([size]);
  } else if (size < 65536 + 256) {
    fcsFlag = 1;
    fcs = Buffer.alloc(2);
    fcs.writeUInt16LE(size - 256, 0);
  } else {
    fcsFlag = 2;
    fcs = Buffer.alloc(4);
    fcs.writeUInt32LE(size, 0);
  }
  const parts: Uint8Array[] = [Buffer.from([0x28, 0xb5, 0x2f, 0xfd, (fcsFlag << 6) | 0x20]), fcs];
  const MAX_BLOCK = 128 * 1024;
  let offset = 0;
  do {
    const length = Math.min(MAX_BLOCK, size - offset);
    const last = offset + length >= size ? 1 : 0;
    const header = (length << 3) | last; // block type 0 = raw
    parts.push(Buffer.from([header & 0xff, (header >>> 8) & 0xff, (header >>> 16) & 0xff]));
    parts.push(data.subarray(offset, offset + length));
    offset += length;
  } while (offset < size);
  return Buffer.concat(parts);
}

// --- CRC-32 combination (zlib's crc32_combine, polynomial arithmetic modulo the CRC polynomial)

const CRC_POLY = 0xedb88320;

function multModP(a: number, b: number): number {
  let m = 0x80000000;
  let p = 0;
  for (;;) {
    if ((a & m) !== 0) {
      p ^= b;
      if ((a & (m - 1)) === 0) break;
    }
    m >>>= 1;
    b = b & 1 ? (b >>> 1) ^ CRC_POLY : b >>> 1;
  }
  return p >>> 0;
}

const X2N_TABLE: Uint32Array = (() => {
  const table = new Uint32Array(32);
  let p = 0x40000000; // x^1
  table[0] = p;
  for (let n = 1; n < 32; n++) table[n] = p = multModP(p, p);
  return table;
})();

/** x^(n * 2^k) modulo the CRC polynomial. */
function x2nModP(n: number, k: number): number {
  let p = 0x80000000; // x^0
  while (n > 0) {
    if (n % 2 === 1) p = multModP(X2N_TABLE[k & 31]!, p);
    n = Math.floor(n / 2);
    k++;
  }
  return p;
}

/** CRC-32 of `A ‖ B` from CRC-32(A), CRC-32(B) and the length of B. */
export function crc32Combine(crcA: number, crcB: number, lengthB: number): number {
  if (lengthB === 0) return crcA >>> 0;
  return (multModP(x2nModP(lengthB, 3), crcA >>> 0) ^ (crcB >>> 0)) >>> 0;
}
