/**
 * The persistent index cache: what was read from each package file (keyed by its path, size,
 * mtime, ctime and inode) and the rendered index pieces, plus compressed blocks of the published
 * documents.
 *
 * Two files, so that loading stays fast and saving stays proportional to the change:
 * - `<name>.blob`: an append-only store of bytes (rendered fragments, compressed segments), with a
 *   16-byte header (magic + a random id). It is never read whole: fragments are streamed in
 *   document order through a small buffer (a rewrite lays them out field by field in record
 *   order, so a document is mostly one contiguous range), and only the blocks to recompress are
 *   materialised. New pieces are appended; when much of it is garbage, or appended pieces break
 *   the order too often, it is rewritten with the live pieces only.
 * - `<name>.idx`: `node:v8` serialisation of a header (format, quipu version, kind, options
 *   fingerprint, blob id and valid length) and column arrays (one string of joined text fields,
 *   Float64Arrays of numbers and fragment offsets, one buffer of 16-byte fragment ids), written
 *   to a temporary name and renamed.
 *
 * Loading never throws: a missing, truncated, corrupt or mismatched cache (other format or quipu
 * version, other options) is ignored and rebuilt, with a warning in the log.
 */
import { Buffer } from "node:buffer";
import { randomBytes } from "node:crypto";
import { closeSync, fdatasyncSync, fstatSync, ftruncateSync, mkdirSync, openSync, readFileSync, readSync, renameSync, rmSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { deserialize, serialize } from "node:v8";
import type { Logger } from "../../ports/logger.js";
import type { CompressedSegment, DocumentSource, SegmentStore } from "./block-compression.js";

export const CACHE_FORMAT = 1;
const BLOB_MAGIC = Buffer.from("QPIDXBLB", "latin1");
const BLOB_HEADER = 16;
const INDEX_MAGIC = "quipu-index-cache";
const SEPARATOR = "\u0000";
const READ_CHUNK = 1024 * 1024;

/** A stored piece of bytes and its content id (32 hex digits). */
export interface FragmentRef {
  readonly offset: number;
  readonly length: number;
  readonly id: string;
}

/** One cached file: fixed numbers of text fields, numbers and fragments per cache kind. */
export interface CacheRecord {
  readonly text: readonly string[];
  readonly numbers: readonly number[];
  readonly fragments: readonly FragmentRef[];
}

export interface CacheShape {
  /** `rpm` or `deb`: a cache of one kind is never read as the other. */
  readonly kind: string;
  readonly textFields: number;
  readonly numberFields: number;
  readonly fragmentFields: number;
  /** Everything the cached pieces depend on besides the file (options, renderer and quipu version). */
  readonly fingerprint: string;
}

interface IndexFile {
  magic: string;
  format: number;
  kind: string;
  fingerprint: string;
  blobId: string;
  blobLength: number;
  count: number;
  text: string;
  numbers: Float64Array;
  fragmentOffsets: Float64Array;
  fragmentLengths: Float64Array;
  /** 32 hex digits per fragment. */
  fragmentIds: string;
  segmentKeys: string;
  segmentNumbers: Float64Array;
}

const ID_LENGTH = 32;
const EMPTY_ID = "0".repeat(ID_LENGTH);
const EMPTY_BYTES = new Uint8Array(0);
export const NO_FRAGMENT: FragmentRef = { offset: 0, length: 0, id: EMPTY_ID };

/**
 * A loaded (or empty) cache. `records` are the cached files in the order they were saved;
 * `bytes(ref)` gives a fragment's bytes; `add(bytes, id)` stores a new one for the next save.
 */
export class IndexCache implements SegmentStore {
  readonly records: readonly CacheRecord[];
  /** Why the stored cache was not used, when it was not (for logs and tests). */
  readonly ignoredBecause: string | undefined;
  readonly #shape: CacheShape;
  readonly #path: string | undefined;
  #blobFd: number | undefined;
  #blobId: string | undefined;
  #blobLength: number;
  readonly #pending: Buffer[] = [];
  readonly #pendingByOffset = new Map<number, Buffer>();
  #pendingLength = 0;
  readonly #pendingStart: number;
  readonly #segments = new Map<string, { ref: FragmentRef; rawLength: number; crc: number }>();
  readonly #usedSegments = new Set<string>();

  private constructor(shape: CacheShape, path: string | undefined, state: LoadedState | undefined, ignoredBecause: string | undefined) {
    this.#shape = shape;
    this.#path = path;
    this.ignoredBecause = ignoredBecause;
    this.records = state?.records ?? [];
    this.#blobFd = state?.blobFd;
    this.#blobId = state?.blobId;
    this.#blobLength = state?.blobLength ?? BLOB_HEADER;
    this.#pendingStart = this.#blobLength;
    for (const [key, value] of state?.segments ?? []) this.#segments.set(key, value);
  }

  /** An empty cache that is never saved (`cache: false`). */
  static disabled(shape: CacheShape): IndexCache {
    return new IndexCache(shape, undefined, undefined, undefined);
  }

  /** Loads `<path>.idx` + `<path>.blob`; any problem gives an empty cache (never throws). */
  static load(path: string, shape: CacheShape, logger?: Logger): IndexCache {
    let state: LoadedState | undefined;
    let ignored: string | undefined;
    try {
      state = loadState(path, shape);
    } catch (error) {
      ignored = error instanceof CacheMismatch ? error.message : `unreadable: ${(error as Error).message}`;
      if (!(error instanceof CacheMismatch && error.missing)) {
        logger?.warn({ event: "index.cache.ignored", cache: path, reason: ignored }, "index cache ignored; rebuilding it");
      }
    }
    return new IndexCache(shape, path, state, ignored);
  }

  get enabled(): boolean {
    return this.#path !== undefined;
  }

  /** Closes the blob file (call when the run ends). */
  close(): void {
    if (this.#blobFd !== undefined) closeSync(this.#blobFd);
    this.#blobFd = undefined;
  }

  #readBlob(target: Uint8Array, targetOffset: number, length: number, position: number): void {
    let done = 0;
    while (done < length) {
      const n = readSync(this.#blobFd!, target, targetOffset + done, length - done, position + done);
      if (n === 0) throw new Error(`the cache blob ends before byte ${position + length}`);
      done += n;
    }
  }

  /** The bytes of a stored fragment (a copy for stored ones, a view for new ones: do not modify). */
  bytes(ref: FragmentRef): Uint8Array {
    if (ref.length === 0) return EMPTY_BYTES;
    if (ref.offset >= this.#pendingStart) return this.#pendingView(ref);
    const out = Buffer.allocUnsafe(ref.length);
    this.#readBlob(out, 0, ref.length, ref.offset);
    return out;
  }

  /**
   * Streams the bytes of `refs` in order: contiguous stored ranges are read in 1 MiB chunks into
   * one reused buffer; new fragments are passed as they are.
   */
  stream(refs: readonly FragmentRef[], start: number, end: number, visit: (chunk: Uint8Array) => void): void {
    let runStart = -1;
    let runEnd = -1;
    const flush = () => {
      let position = runStart;
      while (position < runEnd) {
        const n = Math.min(READ_CHUNK, runEnd - position);
        const buffer = chunkBuffer();
        this.#readBlob(buffer, 0, n, position);
        visit(buffer.subarray(0, n));
        position += n;
      }
      runStart = runEnd = -1;
    };
    for (let i = start; i < end; i++) {
      const ref = refs[i]!;
      if (ref.length === 0) continue;
      if (ref.offset >= this.#pendingStart) {
        if (runStart >= 0) flush();
        visit(this.#pendingView(ref));
        continue;
      }
      if (runStart >= 0 && ref.offset === runEnd) {
        runEnd += ref.length;
        continue;
      }
      if (runStart >= 0) flush();
      runStart = ref.offset;
      runEnd = ref.offset + ref.length;
    }
    if (runStart >= 0) flush();
  }

  /** A document made of the fragments `refs`, read from this cache. */
  source(refs: readonly FragmentRef[]): DocumentSource {
    return {
      count: refs.length,
      length: (i) => refs[i]!.length,
      id: (i) => refs[i]!.id,
      stream: (start, end, visit) => this.stream(refs, start, end, visit),
      read: (start, end) => {
        let total = 0;
        for (let i = start; i < end; i++) total += refs[i]!.length;
        const out = Buffer.allocUnsafe(total);
        let at = 0;
        this.stream(refs, start, end, (chunk) => {
          out.set(chunk, at);
          at += chunk.length;
        });
        return out;
      },
    };
  }

  #pendingView(ref: FragmentRef): Uint8Array {
    const piece = this.#pendingByOffset.get(ref.offset);
    if (piece === undefined || piece.length < ref.length) throw new Error(`fragment at ${ref.offset} is not in the cache`);
    return piece.subarray(0, ref.length);
  }

  /** Stores `bytes` (appended at the next save) and returns its reference. */
  add(bytes: Uint8Array, id: string): FragmentRef {
    if (bytes.length === 0) return { offset: 0, length: 0, id };
    const ref = { offset: this.#pendingStart + this.#pendingLength, length: bytes.length, id };
    const piece = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
    this.#pending.push(piece);
    this.#pendingByOffset.set(ref.offset, piece);
    this.#pendingLength += bytes.length;
    return ref;
  }

  get(key: string): CompressedSegment | undefined {
    const hit = this.#segments.get(key);
    if (hit === undefined) return undefined;
    this.#usedSegments.add(key);
    return { bytes: this.bytes(hit.ref), rawLength: hit.rawLength, crc: hit.crc };
  }

  set(key: string, segment: CompressedSegment): void {
    this.#segments.set(key, { ref: this.add(segment.bytes, EMPTY_ID), rawLength: segment.rawLength, crc: segment.crc });
    this.#usedSegments.add(key);
  }

  /**
   * Writes the cache: `records` (every live file, in the order to keep) and the segments used
   * since loading. Appends to the blob, or rewrites it when most of it would be garbage. Failures
   * are logged, not thrown: the cache is an optimisation.
   */
  save(records: readonly CacheRecord[], logger?: Logger): void {
    const path = this.#path;
    if (path === undefined) return;
    const unchanged =
      this.#pendingLength === 0 &&
      this.#blobId !== undefined &&
      records.length === this.records.length &&
      records.every((record, i) => record === this.records[i]) &&
      this.#usedSegments.size === this.#segments.size;
    if (unchanged) return;
    try {
      this.#save(path, records);
    } catch (error) {
      logger?.warn({ event: "index.cache.save-failed", cache: path, reason: (error as Error).message }, "index cache not saved");
      rmSync(`${path}.idx`, { force: true });
    }
  }

  #save(path: string, records: readonly CacheRecord[]): void {
    mkdirSync(dirname(path), { recursive: true });
    const segments = [...this.#usedSegments].map((key) => [key, this.#segments.get(key)!] as const);
    let live = 0;
    for (const record of records) for (const ref of record.fragments) live += ref.length;
    for (const [, segment] of segments) live += segment.ref.length;
    const total = this.#pendingStart + this.#pendingLength;
    // Documents are streamed field by field in record order: count where that order jumps.
    let jumps = 0;
    for (let f = 0; f < this.#shape.fragmentFields; f++) {
      let end = -1;
      for (const record of records) {
        const ref = record.fragments[f];
        if (ref === undefined || ref.length === 0) continue;
        if (ref.offset !== end) jumps++;
        end = ref.offset + ref.length;
      }
    }
    const compact =
      this.#blobId === undefined ||
      total - BLOB_HEADER > 2 * live + 4 * 1024 * 1024 ||
      jumps > Math.max(64, (records.length * this.#shape.fragmentFields) / 16);

    let blobId: string;
    let blobLength: number;
    let remap: (ref: FragmentRef) => FragmentRef = (ref) => ref;
    if (compact) {
      // Rewrite: the live pieces only, field by field in record order (so each document is one
      // contiguous range), in a new blob with a new id, written whole and renamed.
      blobId = randomBytes(8).toString("hex");
      const moved = new Map<number, number>();
      const order: FragmentRef[] = [];
      let at = BLOB_HEADER;
      const place = (ref: FragmentRef | undefined) => {
        if (ref === undefined || ref.length === 0 || moved.has(ref.offset)) return;
        moved.set(ref.offset, at);
        order.push(ref);
        at += ref.length;
      };
      for (let f = 0; f < this.#shape.fragmentFields; f++) for (const record of records) place(record.fragments[f]);
      for (const [, segment] of segments) place(segment.ref);
      blobLength = at;
      // Written through one reused staging buffer: no copy of the whole blob in memory.
      const blobPath = `${path}.blob`;
      const staging = Buffer.allocUnsafeSlow(4 * READ_CHUNK);
      writeWhole(blobPath, (write) => {
        let used = 0;
        let position = 0;
        const put = (chunk: Uint8Array) => {
          let from = 0;
          while (from < chunk.length) {
            const n = Math.min(staging.length - used, chunk.length - from);
            staging.set(chunk.subarray(from, from + n), used);
            used += n;
            from += n;
            if (used === staging.length) {
              write(staging, position);
              position += used;
              used = 0;
            }
          }
        };
        put(blobHeader(blobId));
        this.stream(order, 0, order.length, put);
        if (used > 0) write(staging.subarray(0, used), position);
      });
      this.close();
      remap = (ref) => (ref.length === 0 ? ref : { offset: moved.get(ref.offset)!, length: ref.length, id: ref.id });
    } else {
      // Append the new pieces where the valid part of the blob ends (overwriting leftovers of a crashed run).
      blobId = this.#blobId!;
      this.close();
      const fd = openSync(`${path}.blob`, "r+");
      try {
        let at = this.#pendingStart;
        for (const piece of this.#pending) {
          writeFully(fd, piece, at);
          at += piece.length;
        }
        ftruncateSync(fd, at);
        if (this.#pendingLength > 0) fdatasyncSync(fd);
      } finally {
        closeSync(fd);
      }
      blobLength = total;
    }

    const { textFields, numberFields, fragmentFields } = this.#shape;
    const count = records.length;
    const texts: string[] = new Array(count * textFields);
    const numbers = new Float64Array(count * numberFields);
    const fragmentOffsets = new Float64Array(count * fragmentFields);
    const fragmentLengths = new Float64Array(count * fragmentFields);
    const fragmentIds: string[] = new Array(count * fragmentFields);
    for (let r = 0; r < count; r++) {
      const record = records[r]!;
      for (let i = 0; i < textFields; i++) {
        const text = record.text[i] ?? "";
        texts[r * textFields + i] = text.includes(SEPARATOR) ? text.replaceAll(SEPARATOR, "\uFFFD") : text;
      }
      for (let i = 0; i < numberFields; i++) numbers[r * numberFields + i] = record.numbers[i] ?? 0;
      for (let i = 0; i < fragmentFields; i++) {
        const ref = remap(record.fragments[i] ?? NO_FRAGMENT);
        const k = r * fragmentFields + i;
        fragmentOffsets[k] = ref.offset;
        fragmentLengths[k] = ref.length;
        fragmentIds[k] = ref.id.length === ID_LENGTH ? ref.id : EMPTY_ID;
      }
    }
    const segmentNumbers = new Float64Array(segments.length * 4);
    segments.forEach(([, segment], i) => {
      const ref = remap(segment.ref);
      segmentNumbers.set([ref.offset, ref.length, segment.rawLength, segment.crc], i * 4);
    });
    const index: IndexFile = {
      magic: INDEX_MAGIC,
      format: CACHE_FORMAT,
      kind: this.#shape.kind,
      fingerprint: this.#shape.fingerprint,
      blobId,
      blobLength,
      count,
      text: texts.join(SEPARATOR),
      numbers,
      fragmentOffsets,
      fragmentLengths,
      fragmentIds: fragmentIds.join(""),
      segmentKeys: segments.map(([key]) => key).join(SEPARATOR),
      segmentNumbers,
    };
    writeWhole(`${path}.idx`, serialize(index));
  }
}

interface LoadedState {
  records: CacheRecord[];
  blobFd: number;
  blobId: string;
  blobLength: number;
  segments: [string, { ref: FragmentRef; rawLength: number; crc: number }][];
}

class CacheMismatch extends Error {
  constructor(
    message: string,
    readonly missing = false,
  ) {
    super(message);
  }
}

function loadState(path: string, shape: CacheShape): LoadedState {
  let raw: Buffer;
  try {
    raw = readFileSync(`${path}.idx`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") throw new CacheMismatch("no cache yet", true);
    throw error;
  }
  const index = deserialize(raw) as Partial<IndexFile>;
  if (typeof index !== "object" || index === null || index.magic !== INDEX_MAGIC) throw new CacheMismatch("not a quipu index cache");
  if (index.format !== CACHE_FORMAT) throw new CacheMismatch(`cache format ${String(index.format)}, expected ${CACHE_FORMAT}`);
  if (index.kind !== shape.kind) throw new CacheMismatch(`cache of kind ${String(index.kind)}, expected ${shape.kind}`);
  if (index.fingerprint !== shape.fingerprint) throw new CacheMismatch("made with other options or another quipu version");
  const { count, blobLength, blobId } = index;
  if (typeof count !== "number" || typeof blobLength !== "number" || typeof blobId !== "string" || typeof index.text !== "string") {
    throw new CacheMismatch("index header is incomplete");
  }
  const { textFields, numberFields, fragmentFields } = shape;
  const { numbers, fragmentOffsets, fragmentLengths, fragmentIds, segmentNumbers } = index;
  if (
    !(numbers instanceof Float64Array) ||
    numbers.length !== count * numberFields ||
    !(fragmentOffsets instanceof Float64Array) ||
    fragmentOffsets.length !== count * fragmentFields ||
    !(fragmentLengths instanceof Float64Array) ||
    fragmentLengths.length !== count * fragmentFields ||
    typeof fragmentIds !== "string" ||
    fragmentIds.length !== count * fragmentFields * ID_LENGTH ||
    !(segmentNumbers instanceof Float64Array) ||
    typeof index.segmentKeys !== "string"
  ) {
    throw new CacheMismatch("index columns are inconsistent");
  }
  const texts = count === 0 ? [] : index.text.split(SEPARATOR);
  if (texts.length !== count * textFields) throw new CacheMismatch("index text column is inconsistent");

  const blobFd = openBlob(`${path}.blob`, blobId, blobLength);
  try {
    return { ...buildRecords(index as IndexFile, texts, shape, blobLength), blobFd, blobId, blobLength };
  } catch (error) {
    closeSync(blobFd);
    throw error;
  }
}

function openBlob(path: string, blobId: string, blobLength: number): number {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch {
    throw new CacheMismatch("blob file is missing");
  }
  try {
    const header = Buffer.alloc(BLOB_HEADER);
    const n = readSync(fd, header, 0, BLOB_HEADER, 0);
    if (n < BLOB_HEADER || fstatSync(fd).size < blobLength || blobLength < BLOB_HEADER || !header.subarray(0, 8).equals(BLOB_MAGIC) || header.subarray(8, 16).toString("hex") !== blobId) {
      throw new CacheMismatch("blob file is truncated or from another cache");
    }
    return fd;
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

function buildRecords(
  index: IndexFile,
  texts: string[],
  shape: CacheShape,
  blobLength: number,
): Pick<LoadedState, "records" | "segments"> {
  const { count, numbers, fragmentOffsets, fragmentLengths, fragmentIds, segmentNumbers } = index;
  const { textFields, numberFields, fragmentFields } = shape;
  const inBlob = (offset: number, length: number) => length === 0 || (offset >= BLOB_HEADER && offset + length <= blobLength);
  const records: CacheRecord[] = new Array(count);
  for (let r = 0; r < count; r++) {
    const fragments: FragmentRef[] = new Array(fragmentFields);
    for (let i = 0; i < fragmentFields; i++) {
      const k = r * fragmentFields + i;
      const offset = fragmentOffsets[k]!;
      const length = fragmentLengths[k]!;
      if (!inBlob(offset, length)) throw new CacheMismatch("a fragment lies outside the blob");
      fragments[i] = { offset, length, id: fragmentIds.slice(k * ID_LENGTH, (k + 1) * ID_LENGTH) };
    }
    const values: number[] = new Array(numberFields);
    for (let i = 0; i < numberFields; i++) values[i] = numbers[r * numberFields + i]!;
    records[r] = { text: texts.slice(r * textFields, (r + 1) * textFields), numbers: values, fragments };
  }
  const keys = index.segmentKeys === "" ? [] : index.segmentKeys.split(SEPARATOR);
  if (segmentNumbers.length !== keys.length * 4) throw new CacheMismatch("segment table is inconsistent");
  const segments = keys.map((key, i): [string, { ref: FragmentRef; rawLength: number; crc: number }] => {
    const offset = segmentNumbers[i * 4]!;
    const length = segmentNumbers[i * 4 + 1]!;
    const rawLength = segmentNumbers[i * 4 + 2]!;
    const crc = segmentNumbers[i * 4 + 3]!;
    if (!inBlob(offset, length)) throw new CacheMismatch("a segment lies outside the blob");
    return [key, { ref: { offset, length, id: EMPTY_ID }, rawLength, crc }];
  });
  return { records, segments };
}

let sharedChunk: Buffer | undefined;

/** The reused read buffer of `stream` (allocated once: fresh memory is costly to fault in). */
function chunkBuffer(): Buffer {
  sharedChunk ??= Buffer.allocUnsafeSlow(READ_CHUNK);
  return sharedChunk;
}

function blobHeader(id: string): Buffer {
  const header = Buffer.alloc(BLOB_HEADER);
  BLOB_MAGIC.copy(header, 0);
  Buffer.from(id, "hex").copy(header, 8);
  return header;
}

function writeFully(fd: number, bytes: Uint8Array, position: number): void {
  let written = 0;
  while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written, position + written);
}

/** Writes `bytes` to a temporary name next to `path`, syncs it and renames it over `path`. */
function writeWhole(path: string, content: Uint8Array | ((write: (bytes: Uint8Array, position: number) => void) => void)): void {
  const temp = `${path}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
  const fd = openSync(temp, "w");
  try {
    if (typeof content === "function") content((bytes, position) => writeFully(fd, bytes, position));
    else writeFully(fd, content, 0);
    fdatasyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}
