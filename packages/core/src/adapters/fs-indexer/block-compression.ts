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
import { createHash, type Hash } from "node:crypto";
import { constants as zlibConstants, crc32 as zlibCrc32, deflateRawSync, type ZlibOptions } from "node:zlib";
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
  /** The first 32 bits of item `i`'s content id (the same bytes always have the same id); decides block boundaries. */
  boundaryHash(i: number): number;
  /** Feeds the content ids (16 bytes each) of items `[start, end)` to `hash`: the key of a compressed block. */
  hashIds(start: number, end: number, hash: Hash): void;
  /** Calls `visit` with the bytes of items `[start, end)` in order, in chunks (valid only during the call). */
  stream(start: number, end: number, visit: (chunk: Uint8Array) => void): void;
  /** The bytes of items `[start, end)`, concatenated. */
  read(start: number, end: number): Uint8Array;
}

/** A DocumentSource over items held in memory (`id`: 32 hex digits). */
export function memorySource(items: readonly { readonly bytes: Uint8Array; readonly id: string }[]): DocumentSource {
  return {
    count: items.length,
    length: (i) => items[i]!.bytes.length,
    boundaryHash: (i) => parseInt(items[i]!.id.slice(0, 8), 16),
    hashIds: (start, end, hash) => {
      for (let i = start; i < end; i++) hash.update(Buffer.from(items[i]!.id, "hex"));
    },
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

/** A compressed piece kept between runs, not read yet: copied straight into the document being assembled. */
export interface StoredSegment {
  readonly length: number;
  readonly rawLength: number;
  readonly crc: number;
  copyTo(target: Uint8Array, offset: number): void;
}

/** Where compressed segments are looked up and stored (the index cache). */
export interface SegmentStore {
  get(key: string): CompressedSegment | undefined;
  set(key: string, segment: CompressedSegment): void;
  /** Optional: a segment's size without reading it (the document is then assembled in one buffer). */
  lookup?(key: string): StoredSegment | undefined;
  /** Optional: copies looked-up segments to their places in `target` at once (neighbours in one read). */
  copyStored?(copies: readonly { readonly segment: StoredSegment; readonly at: number }[], target: Uint8Array): void;
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
const SEGMENT_FORMAT_VERSION = "2";
const EMPTY = new Uint8Array(0);
const FULL_FLUSH: ZlibOptions = { finishFlush: zlibConstants.Z_FULL_FLUSH };

/** End indexes (exclusive) of the blocks of a document's items. */
export function blockBoundaries(source: Pick<DocumentSource, "count" | "length" | "boundaryHash">, parameters: BlockParameters = DEFAULT_BLOCK_PARAMETERS): number[] {
  const ends: number[] = [];
  let bytes = 0;
  for (let i = 0; i < source.count; i++) {
    bytes += source.length(i);
    const hash = source.boundaryHash(i);
    if (bytes >= parameters.maxBytes || (bytes >= parameters.minBytes && (hash & parameters.mask) === 0)) {
      ends.push(i + 1);
      bytes = 0;
    }
  }
  if (source.count > 0 && ends[ends.length - 1] !== source.count) ends.push(source.count);
  return ends;
}

function blockKey(format: string, source: DocumentSource, start: number, end: number): string {
  const hash = createHash("sha256").update(`${format}:${SEGMENT_FORMAT_VERSION}:`);
  source.hashIds(start, end, hash);
  return `${format}:${hash.digest("base64url").slice(0, 32)}`;
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
  /** Blocks being compressed at once (default 8): bounds the memory held by one document. */
  readonly maxInFlight?: number | undefined;
  /** Where the stored document is assembled (default a new buffer; the indexer passes reusable ones). */
  readonly allocate?: ((size: number) => Buffer) | undefined;
}

/** The uncompressed document: head, items, foot (materialised). */
export function assembleDocument(head: Uint8Array, source: DocumentSource, foot: Uint8Array): Buffer {
  return Buffer.concat([head, source.read(0, source.count), foot]);
}

/** Compression of one block or document off the main thread where the codec allows it. */
async function compressWith(codecs: Codecs, format: CompressionFormat, data: Uint8Array): Promise<Uint8Array> {
  return codecs.compressAsync ? codecs.compressAsync(format, data) : codecs.compress(format, data);
}

/**
 * Compresses (or reuses) a document in `format` and digests its uncompressed form, streaming the
 * items (see the module comment for how each format is split). Work that can leave this thread
 * does: zstd blocks and xz/bzip2 documents go to the codec's asynchronous compressor (another
 * process) while this thread digests and compresses the rest, at most `maxInFlight` blocks held at
 * once; several documents composed concurrently overlap that way. The bytes are the same as
 * compressing block by block in order.
 */
export async function composeDocument(options: ComposeOptions): Promise<ComposedDocument> {
  const { format, source, codecs, store } = options;
  const head = options.head ?? EMPTY;
  const foot = options.foot ?? EMPTY;
  let openLength = head.length + foot.length;
  for (let i = 0; i < source.count; i++) openLength += source.length(i);
  const wantDigests = options.openDigests !== false || !isBlockFormat(format);
  const algorithms = wantDigests ? [...new Set(["sha256", ...(options.openDigests || [])])] : [];
  const hashes = algorithms.map((name) => createHash(name));
  const feed = (chunk: Uint8Array) => {
    for (const hash of hashes) hash.update(chunk);
  };
  const digests = () => Object.fromEntries(algorithms.map((name, i) => [name, hashes[i]!.digest("hex")]));
  const done = (stored: Uint8Array, openDigests: Record<string, string>, blocks: number, compressedBlocks: number): ComposedDocument => ({
    stored,
    openLength,
    openDigests,
    blocks,
    compressedBlocks,
  });

  const allocate = options.allocate ?? ((size: number) => Buffer.allocUnsafe(size));
  if (!isBlockFormat(format)) {
    if (format === "none") {
      const whole = allocate(openLength);
      let at = 0;
      const put = (chunk: Uint8Array) => {
        whole.set(chunk, at);
        at += chunk.length;
      };
      put(head);
      source.stream(0, source.count, put);
      put(foot);
      feed(whole);
      return done(whole, digests(), 0, 0);
    }
    feed(head);
    source.stream(0, source.count, feed);
    feed(foot);
    const openDigests = digests();
    const key = `whole-${format}:${openDigests["sha256"]!}`;
    const hit = store.get(key);
    if (hit && hit.rawLength === openLength) return done(hit.bytes, openDigests, 1, 0);
    const stored = await compressWith(codecs, format, assembleDocument(head, source, foot));
    store.set(key, { bytes: stored, rawLength: openLength, crc: 0 });
    return done(stored, openDigests, 1, 1);
  }

  const ends = blockBoundaries(source, options.parameters);
  const maxInFlight = options.maxInFlight ?? 8;
  // Which blocks the store already has (an incremental run: nearly all of them).
  const plan: { start: number; end: number; key: string; stored: StoredSegment | CompressedSegment | undefined }[] = [];
  let start = 0;
  for (const end of ends) {
    const key = blockKey(format, source, start, end);
    plan.push({ start, end, key, stored: store.lookup?.(key) ?? store.get(key) });
    start = end;
  }
  // Mostly stored: digest the whole document in one pass (few large reads) and read only the
  // blocks to compress. Mostly new: read each block once, for the digest and the compressor.
  const digestWhole = wantDigests && plan.filter((block) => block.stored === undefined).length * 2 < plan.length;
  if (digestWhole) {
    feed(head);
    source.stream(0, source.count, feed);
    feed(foot);
  } else {
    feed(head);
  }
  type Slot = StoredSegment | CompressedSegment | Promise<CompressedSegment>;
  const slots: Slot[] = [];
  const fresh = new Map<string, Promise<CompressedSegment>>();
  const inFlight: Promise<unknown>[] = [];
  let compressedBlocks = 0;
  for (const block of plan) {
    const known = fresh.get(block.key) ?? block.stored;
    if (known !== undefined) {
      if (wantDigests && !digestWhole) source.stream(block.start, block.end, feed);
      slots.push(known);
    } else if (format === "gzip") {
      // gzip in this thread: node:zlib's asynchronous API allocates a fresh deflate state per
      // call, and on the machines measured the page faults cost more than the thread pool gains;
      // the synchronous one reuses the freed state (two to four times faster once warm). The
      // block is read into a reused buffer.
      const raw = readBlock(source, block.start, block.end);
      if (!digestWhole) feed(raw);
      const segment = { bytes: deflateRawSync(raw, FULL_FLUSH), rawLength: raw.length, crc: zlibCrc32(raw) };
      fresh.set(block.key, Promise.resolve(segment));
      slots.push(segment);
      compressedBlocks++;
    } else {
      const raw = source.read(block.start, block.end);
      if (!digestWhole) feed(raw);
      const pending = compressWith(codecs, "zstd", raw).then((bytes) => ({ bytes, rawLength: raw.length, crc: 0 }));
      fresh.set(block.key, pending);
      slots.push(pending);
      compressedBlocks++;
      inFlight.push(pending.catch(() => undefined));
      if (inFlight.length >= maxInFlight) await inFlight.shift();
    }
  }
  if (!digestWhole) feed(foot);
  const openDigests = wantDigests ? digests() : {};
  const segments = await Promise.all(slots);
  // Stored in block order once all are done, so the cache's layout does not depend on timing.
  for (const [key, pending] of fresh) store.set(key, await pending);

  // The frame around the segments, then everything copied once into one buffer.
  const before: Uint8Array[] = [];
  const after: Uint8Array[] = [];
  let crc = 0;
  if (format === "gzip") {
    before.push(GZIP_HEADER);
    if (head.length > 0) {
      before.push(deflateRawSync(head, FULL_FLUSH));
      crc = zlibCrc32(head);
    }
    for (const segment of segments) crc = crc32Combine(crc, segment.crc, segment.rawLength);
    after.push(deflateRawSync(foot));
    crc = crc32Combine(crc, zlibCrc32(foot), foot.length);
    const trailer = Buffer.alloc(8);
    trailer.writeUInt32LE(crc >>> 0, 0);
    trailer.writeUInt32LE(openLength % 0x1_0000_0000, 4);
    after.push(trailer);
  } else {
    if (head.length > 0) before.push(zstdRawFrame(head));
    if (foot.length > 0 || (head.length === 0 && segments.length === 0)) after.push(zstdRawFrame(foot));
  }
  const lengthOf = (segment: StoredSegment | CompressedSegment) => ("copyTo" in segment ? segment.length : segment.bytes.length);
  let total = 0;
  for (const part of [...before, ...after]) total += part.length;
  for (const segment of segments) total += lengthOf(segment);
  const stored = allocate(total);
  let at = 0;
  for (const part of before) {
    stored.set(part, at);
    at += part.length;
  }
  const copies: { segment: StoredSegment; at: number }[] = [];
  for (const segment of segments) {
    if ("copyTo" in segment) copies.push({ segment, at });
    else stored.set(segment.bytes, at);
    at += lengthOf(segment);
  }
  if (store.copyStored) store.copyStored(copies, stored);
  else for (const { segment, at: position } of copies) segment.copyTo(stored, position);
  for (const part of after) {
    stored.set(part, at);
    at += part.length;
  }
  return done(stored, openDigests, ends.length, compressedBlocks);
}

let blockBuffer: Buffer | undefined;

/** Items `[start, end)` in a buffer reused from block to block (valid until the next call). */
function readBlock(source: DocumentSource, start: number, end: number): Buffer {
  let total = 0;
  for (let i = start; i < end; i++) total += source.length(i);
  if (blockBuffer === undefined || blockBuffer.length < total) blockBuffer = Buffer.allocUnsafeSlow(Math.max(total, 2 * 1024 * 1024));
  let at = 0;
  const target = blockBuffer;
  source.stream(start, end, (chunk) => {
    target.set(chunk, at);
    at += chunk.length;
  });
  return target.subarray(0, total);
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
