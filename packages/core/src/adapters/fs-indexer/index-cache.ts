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
 * - `<name>.idx`: a small JSON header (format, kind, options fingerprint, blob id and valid length,
 *   column sizes) and columns laid out as they are in memory: the start of each record's text,
 *   numbers, fragment offsets and lengths (float64), fragment ids (16 bytes each), then every text
 *   field of every record in one UTF-8 string. Loading reads the file into one buffer and views
 *   the columns in place; records are rows of them, decoded only when looked at; a save copies the
 *   runs of records it keeps unchanged column by column into one buffer and writes it. Loading and
 *   saving 10,000 records costs a few milliseconds. Written to a temporary name and renamed.
 *
 * Loading never throws: a missing, truncated, corrupt or mismatched cache (other format, other
 * options) is ignored and rebuilt, with a warning in the log.
 */
import { Buffer } from "node:buffer";
import { randomBytes, type Hash } from "node:crypto";
import { closeSync, fdatasync, fdatasyncSync, fstatSync, ftruncateSync, mkdirSync, openSync, readSync, renameSync, rmSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { promisify } from "node:util";
import type { Logger } from "../../ports/logger.js";
import type { CompressedSegment, DocumentSource, SegmentStore, StoredSegment } from "./block-compression.js";
import { RunScratch } from "./scratch-pool.js";

export const CACHE_FORMAT = 2;
const BLOB_MAGIC = Buffer.from("QPIDXBLB", "latin1");
const BLOB_HEADER = 16;
const INDEX_MAGIC = Buffer.from("QPIDX\u0000v2", "latin1");
const SEPARATOR = "\u0000";
const READ_CHUNK = 1024 * 1024;
/** Bytes of a fragment id (the first 128 bits of its SHA-256; 32 hex digits in `FragmentRef.id`). */
const ID_BYTES = 16;
const datasync = promisify(fdatasync);
/** Where a looked-up segment lies in the blob (private to this module). */
const BLOB_OFFSET = Symbol("blob offset");

/** A stored piece of bytes and its content id (32 hex digits). */
export interface FragmentRef {
  readonly offset: number;
  readonly length: number;
  readonly id: string;
}

/** One cached file: fixed numbers of text fields, numbers and fragments per cache kind. `path` is text field 0. */
export interface CacheRecord {
  readonly path: string;
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

/** The columns of an index file (views into the buffer it was read into, or built for a save). */
interface IndexColumns {
  count: number;
  /** Every text field of every record, joined with NUL. */
  text: string;
  /** Where each record's text starts in `text`, plus one past the end (`count + 1` entries). */
  textStarts: Float64Array;
  numbers: Float64Array;
  fragmentOffsets: Float64Array;
  fragmentLengths: Float64Array;
  /** 16 bytes per fragment. */
  fragmentIds: Uint8Array;
  segmentKeys: string;
  segmentNumbers: Float64Array;
}

/** The JSON header of an index file. */
interface IndexHeader {
  format: number;
  kind: string;
  fingerprint: string;
  blobId: string;
  blobLength: number;
  count: number;
  segments: number;
  textBytes: number;
  keysBytes: number;
}

const EMPTY_ID = "0".repeat(ID_BYTES * 2);
const EMPTY_BYTES = new Uint8Array(0);
const ZERO_ID_BYTES = new Uint8Array(ID_BYTES);
export const NO_FRAGMENT: FragmentRef = { offset: 0, length: 0, id: EMPTY_ID };

/** The loaded columns of an index file; records are rows of it. */
class RecordTable {
  constructor(
    readonly shape: CacheShape,
    readonly count: number,
    readonly text: string,
    readonly textStarts: Float64Array,
    readonly numbers: Float64Array,
    readonly offsets: Float64Array,
    readonly lengths: Float64Array,
    readonly ids: Uint8Array,
  ) {}

  /** The text of `row` (its fields joined with NUL). */
  rowText(row: number): string {
    return this.text.slice(this.textStarts[row]!, this.textStarts[row + 1]! - 1);
  }

  firstField(row: number): string {
    const start = this.textStarts[row]!;
    const end = this.textStarts[row + 1]! - 1;
    const cut = this.text.indexOf(SEPARATOR, start);
    return this.text.slice(start, cut < 0 || cut > end ? end : cut);
  }
}

/** A record of the loaded cache: a row of its columns, decoded on first use. */
class StoredRecord implements CacheRecord {
  #path: string | undefined;
  #text: string[] | undefined;
  #numbers: number[] | undefined;
  #fragments: FragmentRef[] | undefined;

  constructor(
    readonly table: RecordTable,
    readonly row: number,
  ) {}

  get path(): string {
    return (this.#path ??= this.#text?.[0] ?? this.table.firstField(this.row));
  }

  get text(): readonly string[] {
    return (this.#text ??= this.table.rowText(this.row).split(SEPARATOR));
  }

  get numbers(): readonly number[] {
    const n = this.table.shape.numberFields;
    return (this.#numbers ??= Array.from(this.table.numbers.subarray(this.row * n, (this.row + 1) * n)));
  }

  get fragments(): readonly FragmentRef[] {
    if (this.#fragments === undefined) {
      const f = this.table.shape.fragmentFields;
      const { offsets, lengths, ids } = this.table;
      this.#fragments = [];
      for (let i = 0; i < f; i++) {
        const k = this.row * f + i;
        this.#fragments.push({ offset: offsets[k]!, length: lengths[k]!, id: Buffer.from(ids.buffer, ids.byteOffset + k * ID_BYTES, ID_BYTES).toString("hex") });
      }
    }
    return this.#fragments;
  }
}

/** A number of a record without decoding the whole row (hot loops over every cached record). */
export function recordNumber(record: CacheRecord, index: number): number {
  if (record instanceof StoredRecord) return record.table.numbers[record.row * record.table.shape.numberFields + index]!;
  return record.numbers[index]!;
}

/**
 * A loaded (or empty) cache. `records` are the cached files in the order they were saved;
 * `source(records, field)` reads a document made of their fragments; `add(bytes, id)` stores a new
 * fragment for the next save.
 */
export class IndexCache implements SegmentStore {
  readonly records: readonly CacheRecord[];
  /** Why the stored cache was not used, when it was not (for logs and tests). */
  readonly ignoredBecause: string | undefined;
  readonly #shape: CacheShape;
  readonly #path: string | undefined;
  readonly #table: RecordTable | undefined;
  #blobFd: number | undefined;
  #blobId: string | undefined;
  #blobLength: number;
  readonly #pending: Buffer[] = [];
  readonly #pendingByOffset = new Map<number, Buffer>();
  #pendingLength = 0;
  readonly #pendingStart: number;
  readonly #segments = new Map<string, { ref: FragmentRef; rawLength: number; crc: number }>();
  readonly #usedSegments = new Set<string>();
  readonly #scratch: RunScratch;

  private constructor(shape: CacheShape, path: string | undefined, state: LoadedState | undefined, ignoredBecause: string | undefined, scratch: RunScratch) {
    this.#shape = shape;
    this.#path = path;
    this.#scratch = scratch;
    this.ignoredBecause = ignoredBecause;
    this.#table = state?.table;
    this.records = state ? Array.from({ length: state.table.count }, (_, row) => new StoredRecord(state.table, row)) : [];
    this.#blobFd = state?.blobFd;
    this.#blobId = state?.blobId;
    this.#blobLength = state?.blobLength ?? BLOB_HEADER;
    this.#pendingStart = this.#blobLength;
    for (const [key, value] of state?.segments ?? []) this.#segments.set(key, value);
  }

  /** An empty cache that is never saved (`cache: false`). */
  static disabled(shape: CacheShape, scratch: RunScratch = new RunScratch()): IndexCache {
    return new IndexCache(shape, undefined, undefined, undefined, scratch);
  }

  /**
   * Loads `<path>.idx` + `<path>.blob`; any problem gives an empty cache (never throws). Its
   * records live in buffers of `scratch`: release that only once the cache is done with.
   */
  static load(path: string, shape: CacheShape, logger?: Logger, scratch: RunScratch = new RunScratch()): IndexCache {
    let state: LoadedState | undefined;
    let ignored: string | undefined;
    try {
      state = loadState(path, shape, scratch);
    } catch (error) {
      ignored = error instanceof CacheMismatch ? error.message : `unreadable: ${(error as Error).message}`;
      if (!(error instanceof CacheMismatch && error.missing)) {
        logger?.warn({ event: "index.cache.ignored", cache: path, reason: ignored }, "index cache ignored; rebuilding it");
      }
    }
    return new IndexCache(shape, path, state, ignored, scratch);
  }

  get enabled(): boolean {
    return this.#path !== undefined;
  }

  /** Whether records were loaded from disk (a cache to compare the directory against). */
  get loaded(): boolean {
    return this.#table !== undefined;
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
  bytes(ref: { offset: number; length: number }): Uint8Array {
    if (ref.length === 0) return EMPTY_BYTES;
    if (ref.offset >= this.#pendingStart) return this.#pendingView(ref.offset, ref.length);
    const out = Buffer.allocUnsafe(ref.length);
    this.#readBlob(out, 0, ref.length, ref.offset);
    return out;
  }

  /**
   * Streams the bytes of items `[start, end)` (offsets and lengths) in order: contiguous stored
   * ranges are read in 1 MiB chunks into one reused buffer; new fragments are passed as they are.
   */
  #stream(offsets: ArrayLike<number>, lengths: ArrayLike<number>, start: number, end: number, visit: (chunk: Uint8Array) => void): void {
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
      const length = lengths[i]!;
      if (length === 0) continue;
      const offset = offsets[i]!;
      if (offset >= this.#pendingStart) {
        if (runStart >= 0) flush();
        visit(this.#pendingView(offset, length));
        continue;
      }
      if (runStart >= 0 && offset === runEnd) {
        runEnd += length;
        continue;
      }
      if (runStart >= 0) flush();
      runStart = offset;
      runEnd = offset + length;
    }
    if (runStart >= 0) flush();
  }

  /** The document made of fragment `field` of each of `records`, read from this cache. */
  source(records: readonly CacheRecord[], field: number): DocumentSource {
    const n = records.length;
    const offsets = new Float64Array(n);
    const lengths = new Float64Array(n);
    const ids = new Uint8Array(n * ID_BYTES);
    const f = this.#shape.fragmentFields;
    for (let i = 0; i < n; i++) {
      const record = records[i]!;
      if (record instanceof StoredRecord) {
        const k = record.row * f + field;
        const table = record.table;
        offsets[i] = table.offsets[k]!;
        lengths[i] = table.lengths[k]!;
        // 16 bytes by hand: a subarray per record would allocate 10,000 views for 10,000 packages.
        const from = k * ID_BYTES;
        const to = i * ID_BYTES;
        const source = table.ids;
        for (let b = 0; b < ID_BYTES; b++) ids[to + b] = source[from + b]!;
      } else {
        const ref = record.fragments[field] ?? NO_FRAGMENT;
        offsets[i] = ref.offset;
        lengths[i] = ref.length;
        writeId(ids, i, ref.id);
      }
    }
    const idView = Buffer.from(ids.buffer, ids.byteOffset, ids.length);
    const stream = (start: number, end: number, visit: (chunk: Uint8Array) => void) => this.#stream(offsets, lengths, start, end, visit);
    return {
      count: n,
      length: (i) => lengths[i]!,
      boundaryHash: (i) => idView.readUInt32BE(i * ID_BYTES),
      hashIds: (start, end, hash: Hash) => void hash.update(ids.subarray(start * ID_BYTES, end * ID_BYTES)),
      stream,
      read: (start, end) => {
        let total = 0;
        for (let i = start; i < end; i++) total += lengths[i]!;
        const out = Buffer.allocUnsafe(total);
        let at = 0;
        stream(start, end, (chunk) => {
          out.set(chunk, at);
          at += chunk.length;
        });
        return out;
      },
    };
  }

  #pendingView(offset: number, length: number): Uint8Array {
    const piece = this.#pendingByOffset.get(offset);
    if (piece === undefined || piece.length < length) throw new Error(`fragment at ${offset} is not in the cache`);
    return piece.subarray(0, length);
  }

  /** Stores `bytes` (appended at the next save; kept by reference, do not modify) and returns its reference. */
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

  /** A stored segment without reading it: its bytes are copied straight into the document being assembled. */
  lookup(key: string): StoredSegment | undefined {
    const hit = this.#segments.get(key);
    if (hit === undefined) return undefined;
    this.#usedSegments.add(key);
    const { ref } = hit;
    const segment: StoredSegment & { [BLOB_OFFSET]: number } = {
      length: ref.length,
      rawLength: hit.rawLength,
      crc: hit.crc,
      [BLOB_OFFSET]: ref.offset,
      copyTo: (target, offset) => {
        if (ref.length === 0) return;
        if (ref.offset >= this.#pendingStart) target.set(this.#pendingView(ref.offset, ref.length), offset);
        else this.#readBlob(target, offset, ref.length, ref.offset);
      },
    };
    return segment;
  }

  /** Copies looked-up segments into `target`; segments next to each other in the blob and in `target` in one read. */
  copyStored(copies: readonly { readonly segment: StoredSegment; readonly at: number }[], target: Uint8Array): void {
    let i = 0;
    while (i < copies.length) {
      const first = copies[i]!;
      const offset = (first.segment as Partial<Record<typeof BLOB_OFFSET, number>>)[BLOB_OFFSET];
      if (offset === undefined || offset >= this.#pendingStart || first.segment.length === 0) {
        first.segment.copyTo(target, first.at);
        i++;
        continue;
      }
      let length = first.segment.length;
      let j = i + 1;
      while (j < copies.length) {
        const next = copies[j]!;
        const nextOffset = (next.segment as Partial<Record<typeof BLOB_OFFSET, number>>)[BLOB_OFFSET];
        if (nextOffset !== offset + length || next.at !== first.at + length) break;
        length += next.segment.length;
        j++;
      }
      this.#readBlob(target, first.at, length, offset);
      i = j;
    }
  }

  set(key: string, segment: CompressedSegment): void {
    this.#segments.set(key, { ref: this.add(segment.bytes, EMPTY_ID), rawLength: segment.rawLength, crc: segment.crc });
    this.#usedSegments.add(key);
  }

  /**
   * Writes the cache: `records` (every live file, in the order to keep) and the segments used
   * since loading. Appends to the blob, or rewrites it when most of it would be garbage. The
   * files are written at once; the returned promise waits for them to reach the disk (so the
   * caller can publish meanwhile). Failures are logged, not thrown: the cache is an optimisation.
   */
  async save(records: readonly CacheRecord[], logger?: Logger): Promise<void> {
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
      await this.#save(path, records);
    } catch (error) {
      logger?.warn({ event: "index.cache.save-failed", cache: path, reason: (error as Error).message }, "index cache not saved");
      rmSync(`${path}.idx`, { force: true });
    }
  }

  /** Where each live fragment is, field by field in record order (as a rewrite lays them out). */
  #jumps(records: readonly CacheRecord[]): number {
    let jumps = 0;
    const f = this.#shape.fragmentFields;
    for (let field = 0; field < f; field++) {
      let end = -1;
      for (const record of records) {
        let offset: number;
        let length: number;
        if (record instanceof StoredRecord) {
          offset = record.table.offsets[record.row * f + field]!;
          length = record.table.lengths[record.row * f + field]!;
        } else {
          const ref = record.fragments[field];
          if (ref === undefined) continue;
          ({ offset, length } = ref);
        }
        if (length === 0) continue;
        if (offset !== end) jumps++;
        end = offset + length;
      }
    }
    return jumps;
  }

  async #save(path: string, records: readonly CacheRecord[]): Promise<void> {
    mkdirSync(dirname(path), { recursive: true });
    const segments = [...this.#usedSegments].map((key) => [key, this.#segments.get(key)!] as const);
    const f = this.#shape.fragmentFields;
    let live = 0;
    for (const record of records) {
      if (record instanceof StoredRecord) for (let i = 0; i < f; i++) live += record.table.lengths[record.row * f + i]!;
      else for (const ref of record.fragments) live += ref.length;
    }
    for (const [, segment] of segments) live += segment.ref.length;
    const total = this.#pendingStart + this.#pendingLength;
    // Documents are streamed field by field in record order: count where that order jumps.
    const compact =
      this.#blobId === undefined ||
      total - BLOB_HEADER > 2 * live + 4 * 1024 * 1024 ||
      this.#jumps(records) > Math.max(64, (records.length * f) / 16);

    let blobId: string;
    let blobLength: number;
    let remap: ((offset: number) => number) | undefined;
    let blobFd: number | undefined;
    if (compact) {
      ({ blobId, blobLength, remap } = this.#rewriteBlob(path, records, segments));
    } else {
      // Append the new pieces where the valid part of the blob ends (overwriting leftovers of a crashed run).
      blobId = this.#blobId!;
      this.close();
      blobFd = openSync(`${path}.blob`, "r+");
      let at = this.#pendingStart;
      try {
        for (const piece of this.#pending) {
          writeFully(blobFd, piece, at);
          at += piece.length;
        }
        ftruncateSync(blobFd, at);
      } catch (error) {
        closeSync(blobFd);
        throw error;
      }
      blobLength = total;
    }

    const temp = `${path}.idx.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
    let idxFd: number | undefined;
    try {
      const idx = this.#encodeIndex(records, segments, remap, { format: CACHE_FORMAT, kind: this.#shape.kind, fingerprint: this.#shape.fingerprint, blobId, blobLength });
      idxFd = openSync(temp, "w");
      writeFully(idxFd, idx, 0);
      // Both syncs at once (the journal commits them together); the index is renamed only once the
      // appended blob bytes are on disk, so it never points past them.
      const synced = await Promise.allSettled([idxFd, blobFd].filter((fd) => fd !== undefined).map((fd) => datasync(fd)));
      for (const outcome of synced) if (outcome.status === "rejected") throw outcome.reason;
    } catch (error) {
      rmSync(temp, { force: true });
      throw error;
    } finally {
      if (idxFd !== undefined) closeSync(idxFd);
      if (blobFd !== undefined) closeSync(blobFd);
    }
    try {
      renameSync(temp, `${path}.idx`);
    } catch (error) {
      rmSync(temp, { force: true });
      throw error;
    }
  }

  /**
   * Rewrites the blob with the live pieces only, field by field in record order (so each document
   * is one contiguous range), under a new id, through one reused staging buffer (no copy of the
   * whole blob in memory), synced and renamed.
   */
  #rewriteBlob(
    path: string,
    records: readonly CacheRecord[],
    segments: readonly (readonly [string, { ref: FragmentRef }])[],
  ): { blobId: string; blobLength: number; remap: (offset: number) => number } {
    const blobId = randomBytes(8).toString("hex");
    const moved = new Map<number, number>();
    const orderOffsets: number[] = [];
    const orderLengths: number[] = [];
    let at = BLOB_HEADER;
    const place = (offset: number, length: number) => {
      if (length === 0 || moved.has(offset)) return;
      moved.set(offset, at);
      orderOffsets.push(offset);
      orderLengths.push(length);
      at += length;
    };
    const f = this.#shape.fragmentFields;
    for (let field = 0; field < f; field++) {
      for (const record of records) {
        if (record instanceof StoredRecord) {
          const k = record.row * f + field;
          place(record.table.offsets[k]!, record.table.lengths[k]!);
        } else {
          const ref = record.fragments[field];
          if (ref !== undefined) place(ref.offset, ref.length);
        }
      }
    }
    for (const [, segment] of segments) place(segment.ref.offset, segment.ref.length);
    const staging = Buffer.allocUnsafeSlow(4 * READ_CHUNK);
    writeWhole(`${path}.blob`, (write) => {
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
      this.#stream(orderOffsets, orderLengths, 0, orderOffsets.length, put);
      if (used > 0) write(staging.subarray(0, used), position);
    });
    this.close();
    return { blobId, blobLength: at, remap: (offset) => moved.get(offset)! };
  }

  /**
   * The index file for `records`, in one buffer: runs of consecutive stored rows are copied column
   * by column.
   */
  #encodeIndex(
    records: readonly CacheRecord[],
    segments: readonly (readonly [string, { ref: FragmentRef; rawLength: number; crc: number }])[],
    remap: ((offset: number) => number) | undefined,
    about: Pick<IndexHeader, "format" | "kind" | "fingerprint" | "blobId" | "blobLength">,
  ): Buffer {
    const { textFields, numberFields: nf, fragmentFields: f } = this.#shape;
    const count = records.length;
    // Text first: its length decides the layout.
    const textParts: string[] = [];
    const rowStarts: number[] = new Array(count);
    let textLength = 0;
    for (let r = 0; r < count; ) {
      const record = records[r]!;
      if (record instanceof StoredRecord && record.table === this.#table) {
        const table = record.table;
        const first = record.row;
        let rows = 1;
        while (r + rows < count) {
          const next = records[r + rows]!;
          if (!(next instanceof StoredRecord) || next.table !== table || next.row !== first + rows) break;
          rows++;
        }
        const textFrom = table.textStarts[first]!;
        const textTo = table.textStarts[first + rows]!;
        textParts.push(table.text.slice(textFrom, textTo - 1));
        for (let i = 0; i < rows; i++) rowStarts[r + i] = textLength + table.textStarts[first + i]! - textFrom;
        textLength += textTo - textFrom;
        r += rows;
        continue;
      }
      const fields: string[] = [];
      for (let i = 0; i < textFields; i++) {
        const text = record.text[i] ?? "";
        fields.push(text.includes(SEPARATOR) ? text.replaceAll(SEPARATOR, "\uFFFD") : text);
      }
      const joined = fields.join(SEPARATOR);
      textParts.push(joined);
      rowStarts[r] = textLength;
      textLength += joined.length + 1;
      r++;
    }
    const text = textParts.join(SEPARATOR);
    const keys = segments.map(([key]) => key).join(SEPARATOR);
    const header: IndexHeader = { ...about, count, segments: segments.length, textBytes: Buffer.byteLength(text, "utf8"), keysBytes: Buffer.byteLength(keys, "utf8") };
    const headerJson = JSON.stringify(header);
    const layout = indexLayout(Buffer.byteLength(headerJson, "utf8"), header, this.#shape);
    const out = this.#scratch.take(layout.total);
    INDEX_MAGIC.copy(out, 0);
    out.writeUInt32LE(layout.headerBytes, 8);
    out.writeUInt32LE(0, 12);
    out.write(headerJson, 16, "utf8");
    const columns = viewColumns(out, layout, header, this.#shape);
    const { textStarts, numbers, fragmentOffsets, fragmentLengths, fragmentIds, segmentNumbers } = columns;
    for (let r = 0; r < count; r++) textStarts[r] = rowStarts[r]!;
    textStarts[count] = textLength;
    for (let r = 0; r < count; ) {
      const record = records[r]!;
      if (record instanceof StoredRecord && record.table === this.#table) {
        const table = record.table;
        const first = record.row;
        let rows = 1;
        while (r + rows < count) {
          const next = records[r + rows]!;
          if (!(next instanceof StoredRecord) || next.table !== table || next.row !== first + rows) break;
          rows++;
        }
        const last = first + rows - 1;
        numbers.set(table.numbers.subarray(first * nf, (last + 1) * nf), r * nf);
        fragmentOffsets.set(table.offsets.subarray(first * f, (last + 1) * f), r * f);
        fragmentLengths.set(table.lengths.subarray(first * f, (last + 1) * f), r * f);
        fragmentIds.set(table.ids.subarray(first * f * ID_BYTES, (last + 1) * f * ID_BYTES), r * f * ID_BYTES);
        r += rows;
        continue;
      }
      for (let i = 0; i < nf; i++) numbers[r * nf + i] = record.numbers[i] ?? 0;
      for (let i = 0; i < f; i++) {
        const ref = record.fragments[i] ?? NO_FRAGMENT;
        fragmentOffsets[r * f + i] = ref.offset;
        fragmentLengths[r * f + i] = ref.length;
        writeId(fragmentIds, r * f + i, ref.id);
      }
      r++;
    }
    if (remap !== undefined) {
      for (let k = 0; k < fragmentOffsets.length; k++) if (fragmentLengths[k]! > 0) fragmentOffsets[k] = remap(fragmentOffsets[k]!);
    }
    segments.forEach(([, segment], i) => {
      const offset = remap === undefined || segment.ref.length === 0 ? segment.ref.offset : remap(segment.ref.offset);
      segmentNumbers.set([offset, segment.ref.length, segment.rawLength, segment.crc], i * 4);
    });
    out.write(text, layout.text, "utf8");
    out.write(keys, layout.keys, "utf8");
    return out;
  }
}

/** Byte offsets of an index file's parts (every column 8-byte aligned). */
interface IndexLayout {
  headerBytes: number;
  textStarts: number;
  numbers: number;
  fragmentOffsets: number;
  fragmentLengths: number;
  segmentNumbers: number;
  fragmentIds: number;
  text: number;
  keys: number;
  total: number;
}

function indexLayout(headerBytes: number, header: IndexHeader, shape: CacheShape): IndexLayout {
  const align = (n: number) => Math.ceil(n / 8) * 8;
  const { count, segments, textBytes, keysBytes } = header;
  const fragments = count * shape.fragmentFields;
  const textStarts = align(16 + headerBytes);
  const numbers = textStarts + 8 * (count + 1);
  const fragmentOffsets = numbers + 8 * count * shape.numberFields;
  const fragmentLengths = fragmentOffsets + 8 * fragments;
  const segmentNumbers = fragmentLengths + 8 * fragments;
  const fragmentIds = segmentNumbers + 8 * 4 * segments;
  const text = align(fragmentIds + ID_BYTES * fragments);
  const keys = text + textBytes;
  return { headerBytes, textStarts, numbers, fragmentOffsets, fragmentLengths, segmentNumbers, fragmentIds, text, keys, total: keys + keysBytes };
}

/** The float and id columns of an index file, as views into `buffer` (text columns are decoded separately). */
function viewColumns(buffer: Buffer, layout: IndexLayout, header: IndexHeader, shape: CacheShape): Omit<IndexColumns, "count" | "text" | "segmentKeys"> {
  const { count, segments } = header;
  const fragments = count * shape.fragmentFields;
  const floats = (offset: number, length: number) => new Float64Array(buffer.buffer, buffer.byteOffset + offset, length);
  return {
    textStarts: floats(layout.textStarts, count + 1),
    numbers: floats(layout.numbers, count * shape.numberFields),
    fragmentOffsets: floats(layout.fragmentOffsets, fragments),
    fragmentLengths: floats(layout.fragmentLengths, fragments),
    segmentNumbers: floats(layout.segmentNumbers, segments * 4),
    fragmentIds: new Uint8Array(buffer.buffer, buffer.byteOffset + layout.fragmentIds, fragments * ID_BYTES),
  };
}

/** Writes a 32-hex-digit id as 16 bytes at item `index` (zeros for anything else). */
function writeId(target: Uint8Array, index: number, id: string): void {
  if (id.length === ID_BYTES * 2 && Buffer.from(target.buffer, target.byteOffset + index * ID_BYTES, ID_BYTES).write(id, "hex") === ID_BYTES) return;
  target.set(ZERO_ID_BYTES, index * ID_BYTES);
}

interface LoadedState {
  table: RecordTable;
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

/** Reads a whole file into a buffer of `scratch` (8-byte aligned, so that columns can be viewed in place). */
function readIndexFile(path: string, scratch: RunScratch): Buffer {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") throw new CacheMismatch("no cache yet", true);
    throw error;
  }
  try {
    const size = fstatSync(fd).size;
    const buffer = scratch.take(size);
    if (buffer.byteOffset % 8 !== 0) throw new Error("unaligned buffer");
    let done = 0;
    while (done < size) {
      const n = readSync(fd, buffer, done, size - done, done);
      if (n === 0) break;
      done += n;
    }
    return buffer.subarray(0, done);
  } finally {
    closeSync(fd);
  }
}

function loadState(path: string, shape: CacheShape, scratch: RunScratch): LoadedState {
  const raw = readIndexFile(`${path}.idx`, scratch);
  if (raw.length < 16 || !raw.subarray(0, 8).equals(INDEX_MAGIC)) throw new CacheMismatch("not a quipu index cache (or of another format)");
  const headerBytes = raw.readUInt32LE(8);
  if (16 + headerBytes > raw.length) throw new CacheMismatch("index header is incomplete");
  let header: Partial<IndexHeader>;
  try {
    header = JSON.parse(raw.toString("utf8", 16, 16 + headerBytes)) as Partial<IndexHeader>;
  } catch {
    throw new CacheMismatch("index header is not readable");
  }
  if (header.format !== CACHE_FORMAT) throw new CacheMismatch(`cache format ${String(header.format)}, expected ${CACHE_FORMAT}`);
  if (header.kind !== shape.kind) throw new CacheMismatch(`cache of kind ${String(header.kind)}, expected ${shape.kind}`);
  if (header.fingerprint !== shape.fingerprint) throw new CacheMismatch("made with other options or another quipu version");
  const { count, blobLength, blobId, segments: segmentCount, textBytes, keysBytes } = header;
  const whole = (n: unknown): n is number => typeof n === "number" && Number.isSafeInteger(n) && n >= 0;
  if (!whole(count) || !whole(blobLength) || typeof blobId !== "string" || !whole(segmentCount) || !whole(textBytes) || !whole(keysBytes)) {
    throw new CacheMismatch("index header is incomplete");
  }
  const complete = header as IndexHeader;
  const layout = indexLayout(headerBytes, complete, shape);
  if (layout.total !== raw.length) throw new CacheMismatch("index file is truncated or too long");
  const { textStarts, numbers, fragmentOffsets, fragmentLengths, fragmentIds, segmentNumbers } = viewColumns(raw, layout, complete, shape);
  const text = raw.toString("utf8", layout.text, layout.text + textBytes);
  const segmentKeys = raw.toString("utf8", layout.keys, layout.keys + keysBytes);
  const { textFields } = shape;

  // Record boundaries: from 0, increasing, each after a separator, the last one past the end.
  if (count === 0 ? text !== "" || textStarts[0] !== 0 : textStarts[0] !== 0 || textStarts[count] !== text.length + 1) {
    throw new CacheMismatch("index text column is inconsistent");
  }
  for (let r = 1; r < count; r++) {
    const start = textStarts[r]!;
    if (!(start > textStarts[r - 1]!) || start > text.length || text.charCodeAt(start - 1) !== 0) throw new CacheMismatch("index text column is inconsistent");
  }
  if (count > 0 && countZeroBytes(raw, layout.text, layout.text + textBytes) !== count * textFields - 1) throw new CacheMismatch("index text column is inconsistent");
  const inBlob = (offset: number, length: number) => length === 0 || (offset >= BLOB_HEADER && offset + length <= blobLength);
  for (let k = 0; k < fragmentOffsets.length; k++) {
    if (!inBlob(fragmentOffsets[k]!, fragmentLengths[k]!)) throw new CacheMismatch("a fragment lies outside the blob");
  }
  const keys = segmentKeys === "" ? [] : segmentKeys.split(SEPARATOR);
  if (keys.length !== segmentCount) throw new CacheMismatch("segment table is inconsistent");
  const segments = keys.map((key, i): [string, { ref: FragmentRef; rawLength: number; crc: number }] => {
    const offset = segmentNumbers[i * 4]!;
    const length = segmentNumbers[i * 4 + 1]!;
    if (!inBlob(offset, length)) throw new CacheMismatch("a segment lies outside the blob");
    return [key, { ref: { offset, length, id: EMPTY_ID }, rawLength: segmentNumbers[i * 4 + 2]!, crc: segmentNumbers[i * 4 + 3]! }];
  });

  const table = new RecordTable(shape, count, text, textStarts, numbers, fragmentOffsets, fragmentLengths, fragmentIds);
  const blobFd = openBlob(`${path}.blob`, blobId, blobLength);
  return { table, blobFd, blobId, blobLength, segments };
}

/** NUL bytes (field separators) in `bytes[start, end)`: one pass, no per-match call. */
function countZeroBytes(bytes: Uint8Array, start: number, end: number): number {
  let n = 0;
  for (let i = start; i < end; i++) if (bytes[i] === 0) n++;
  return n;
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

/** Writes to a temporary name next to `path`, syncs it and renames it over `path`. */
function writeWhole(path: string, content: (write: (bytes: Uint8Array, position: number) => void) => void): void {
  const temp = `${path}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
  const fd = openSync(temp, "w");
  try {
    content((bytes, position) => writeFully(fd, bytes, position));
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
