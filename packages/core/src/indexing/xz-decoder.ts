import { createHash } from "node:crypto";
import { isQuipuError, QuipuError } from "../errors/quipu-error.js";
import { crc32, crc64 } from "./crc.js";

/**
 * A synchronous .xz decoder in plain TypeScript (Node 20 has no xz in node:zlib).
 *
 * Written from the .xz file format specification (version 1.x) and the documented LZMA / LZMA2
 * algorithm. Supported: any number of concatenated streams with stream padding; the None, CRC32,
 * CRC64 and SHA-256 checks (all verified); blocks with or without the optional size fields; the
 * filter chains LZMA2 and Delta(s) + LZMA2; index and footer verification. Other filters (BCJ
 * branch converters, ARM64, ...) and reserved check types are rejected with a clear reason.
 *
 * Every problem with the input is reported as a `QuipuError` with code `QUIPU_XZ_INVALID` and
 * `details: { reason, offset }` (offset: byte position in the input where it was detected).
 */

export interface XzDecodeOptions {
  /** Largest decoded size accepted, in bytes; a larger output is an error. Default 512 MiB. */
  maxOutputBytes?: number;
}

export const XZ_DEFAULT_MAX_OUTPUT_BYTES = 512 * 1024 * 1024;

/** Decodes a complete .xz file (one or more concatenated streams) into its contents. */
export function decodeXz(data: Uint8Array, options: XzDecodeOptions = {}): Uint8Array {
  const maxOutputBytes = options.maxOutputBytes ?? XZ_DEFAULT_MAX_OUTPUT_BYTES;
  if (!Number.isSafeInteger(maxOutputBytes) || maxOutputBytes < 0) {
    const issues = ["maxOutputBytes: must be a non-negative safe integer"];
    throw new QuipuError("QUIPU_VALIDATION_FAILED", `invalid xz decode options: ${issues[0]}`, {
      details: { what: "xz decode options", issues },
    });
  }
  try {
    return new XzDecoder(data, maxOutputBytes).decode();
  } catch (error) {
    if (isQuipuError(error)) throw error;
    // Safety net: whatever else happens (an allocation refused by the engine, a bug) still
    // surfaces as the one documented error.
    throw new QuipuError("QUIPU_XZ_INVALID", "invalid xz data: unexpected decoder failure", {
      details: { reason: "unexpected decoder failure", offset: -1 },
      cause: error,
    });
  }
}

function fail(reason: string, offset: number): never {
  throw new QuipuError("QUIPU_XZ_INVALID", `invalid xz data: ${reason} (at byte ${offset})`, {
    details: { reason, offset },
  });
}

// --- container constants (xz file format 1.x)

const HEADER_MAGIC = [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00] as const;
const STREAM_HEADER_SIZE = 12;
const STREAM_FOOTER_SIZE = 12;

const CHECK_NONE = 0x00;
const CHECK_CRC32 = 0x01;
const CHECK_CRC64 = 0x04;
const CHECK_SHA256 = 0x0a;

const FILTER_DELTA = 0x03;
const FILTER_LZMA2 = 0x21;

function checkSize(checkType: number): number {
  switch (checkType) {
    case CHECK_NONE:
      return 0;
    case CHECK_CRC32:
      return 4;
    case CHECK_CRC64:
      return 8;
    case CHECK_SHA256:
      return 32;
    default:
      return -1;
  }
}

function readUint32LE(data: Uint8Array, pos: number): number {
  return (data[pos]! | (data[pos + 1]! << 8) | (data[pos + 2]! << 16) | (data[pos + 3]! << 24)) >>> 0;
}

/** The growing output; also the LZMA2 dictionary (a match reaches back into it). */
class Output {
  buf: Uint8Array;
  length = 0;

  constructor(
    initialCapacity: number,
    private readonly max: number,
  ) {
    this.buf = new Uint8Array(Math.min(initialCapacity, max));
  }

  /** Fails when `extra` more bytes would exceed `max`. */
  checkLimit(extra: number, offset: number): void {
    if (extra > this.max - this.length) fail(`output exceeds maxOutputBytes (${this.max})`, offset);
  }

  /** Makes room for `extra` more bytes, growing geometrically, never past `max`. */
  reserve(extra: number, offset: number): void {
    const needed = this.length + extra;
    if (needed <= this.buf.length) return;
    this.checkLimit(extra, offset);
    const capacity = Math.min(this.max, Math.max(needed, this.buf.length * 2, 65536));
    let grown: Uint8Array;
    try {
      grown = new Uint8Array(capacity);
    } catch {
      fail(`cannot allocate ${capacity} bytes of output`, offset);
    }
    grown.set(this.buf.subarray(0, this.length));
    this.buf = grown;
  }

  result(): Uint8Array {
    return this.length === this.buf.length ? this.buf : this.buf.slice(0, this.length);
  }
}

interface IndexRecord {
  unpaddedSize: number;
  uncompressedSize: number;
}

interface Filter {
  id: number;
  /**
   * Delta: the distance. LZMA2: the dictionary size, validated but otherwise unused, since the
   * whole decoded block stays in memory and serves as the dictionary.
   */
  value: number;
}

class XzDecoder {
  private readonly out: Output;
  private readonly lzma = new LzmaDecoder();

  constructor(
    private readonly data: Uint8Array,
    maxOutputBytes: number,
  ) {
    // A guess (xz usually shrinks 3-10x), capped so a large bogus input allocates little up front.
    this.out = new Output(Math.min(data.length * 3, 4 << 20), maxOutputBytes);
  }

  decode(): Uint8Array {
    const data = this.data;
    let pos = this.decodeStream(0);
    while (pos < data.length) {
      const paddingStart = pos;
      while (pos < data.length && data[pos] === 0) pos++;
      if ((pos - paddingStart) % 4 !== 0) fail("stream padding is not a multiple of four bytes", paddingStart);
      if (pos === data.length) break;
      pos = this.decodeStream(pos);
    }
    return this.out.result();
  }

  /** Decodes one stream starting at `start`; returns the position after its footer. */
  private decodeStream(start: number): number {
    const data = this.data;
    for (let i = 0; i < HEADER_MAGIC.length && start + i < data.length; i++) {
      if (data[start + i] !== HEADER_MAGIC[i]) fail("not an xz stream (bad header magic)", start);
    }
    if (data.length - start < STREAM_HEADER_SIZE) fail("truncated stream header", start);
    const flags0 = data[start + 6]!;
    const flags1 = data[start + 7]!;
    if (crc32(data, 0, start + 6, start + 8) !== readUint32LE(data, start + 8)) {
      fail("stream header CRC32 mismatch", start + 8);
    }
    if (flags0 !== 0 || (flags1 & 0xf0) !== 0) fail("unsupported stream flags", start + 6);
    const checkType = flags1;
    const checkLength = checkSize(checkType);
    if (checkLength < 0) fail(`unsupported check type ${checkType}`, start + 7);

    const records: IndexRecord[] = [];
    let pos = start + STREAM_HEADER_SIZE;
    for (;;) {
      if (pos >= data.length) fail("truncated stream (missing index)", pos);
      if (data[pos] === 0) break; // index indicator
      pos = this.decodeBlock(pos, checkType, checkLength, records);
    }

    const indexStart = pos;
    pos = this.verifyIndex(pos, records);
    const indexSize = pos - indexStart;

    if (data.length - pos < STREAM_FOOTER_SIZE) fail("truncated stream footer", pos);
    if (data[pos + 10] !== 0x59 || data[pos + 11] !== 0x5a) fail("bad stream footer magic", pos + 10);
    if (crc32(data, 0, pos + 4, pos + 10) !== readUint32LE(data, pos)) fail("stream footer CRC32 mismatch", pos);
    if ((readUint32LE(data, pos + 4) + 1) * 4 !== indexSize) fail("backward size does not match the index size", pos + 4);
    if (data[pos + 8] !== flags0 || data[pos + 9] !== flags1) fail("stream footer flags differ from the header", pos + 8);
    return pos + STREAM_FOOTER_SIZE;
  }

  /** Decodes the block at `start` into the output; returns the position after its check. */
  private decodeBlock(start: number, checkType: number, checkLength: number, records: IndexRecord[]): number {
    const data = this.data;
    const headerSize = (data[start]! + 1) * 4;
    const headerEnd = start + headerSize - 4; // where the header CRC32 is
    if (start + headerSize > data.length) fail("truncated block header", start);
    if (crc32(data, 0, start, headerEnd) !== readUint32LE(data, headerEnd)) fail("block header CRC32 mismatch", headerEnd);

    const flags = data[start + 1]!;
    if ((flags & 0x3c) !== 0) fail("reserved block flags are set", start + 1);
    const cursor = new HeaderCursor(data, start + 2, headerEnd);
    const compressedSize = flags & 0x40 ? cursor.varint("compressed size") : -1;
    const uncompressedSize = flags & 0x80 ? cursor.varint("uncompressed size") : -1;
    if (compressedSize === 0) fail("block compressed size is zero", start + 2);

    const filterCount = (flags & 0x03) + 1;
    const filters: Filter[] = [];
    for (let i = 0; i < filterCount; i++) {
      const idOffset = cursor.pos;
      const id = cursor.varint("filter id");
      const propsSize = cursor.varint("filter properties size");
      const propsOffset = cursor.pos;
      cursor.skip(propsSize);
      const last = i === filterCount - 1;
      if (id === FILTER_LZMA2) {
        if (!last) fail("LZMA2 must be the last filter", idOffset);
        if (propsSize !== 1) fail("LZMA2 filter properties must be one byte", propsOffset);
        const props = data[propsOffset]!;
        if ((props & 0xc0) !== 0 || props > 40) fail("invalid LZMA2 dictionary size", propsOffset);
        const dictSize = props === 40 ? 0xffffffff : (2 | (props & 1)) * 2 ** ((props >>> 1) + 11);
        filters.push({ id, value: dictSize });
      } else if (id === FILTER_DELTA) {
        if (last) fail("the last filter must be LZMA2", idOffset);
        if (propsSize !== 1) fail("Delta filter properties must be one byte", propsOffset);
        filters.push({ id, value: data[propsOffset]! + 1 });
      } else {
        fail(`unsupported filter 0x${id.toString(16)} (only LZMA2 and Delta are supported)`, idOffset);
      }
    }
    for (let p = cursor.pos; p < headerEnd; p++) {
      if (data[p] !== 0) fail("block header padding is not zero", p);
    }

    // Compressed data: LZMA2, bounded by the declared compressed size when there is one.
    const dataStart = start + headerSize;
    let limit = data.length;
    if (compressedSize >= 0) {
      if (compressedSize > data.length - dataStart) fail("truncated block (compressed size beyond input)", dataStart);
      limit = dataStart + compressedSize;
    }
    const outStart = this.out.length;
    // A declared size only serves to fail early; nothing is allocated from it.
    if (uncompressedSize >= 0) this.out.checkLimit(uncompressedSize, start + 2);
    const dataEnd = this.decodeLzma2(dataStart, limit);
    const actualCompressed = dataEnd - dataStart;
    const actualUncompressed = this.out.length - outStart;
    if (compressedSize >= 0 && actualCompressed !== compressedSize) fail("block compressed size mismatch", dataEnd);
    if (uncompressedSize >= 0 && actualUncompressed !== uncompressedSize) fail("block uncompressed size mismatch", dataEnd);

    // Filters other than LZMA2 run on the decoded block, last-applied first.
    for (let i = filters.length - 2; i >= 0; i--) {
      const filter = filters[i]!;
      if (filter.id === FILTER_DELTA) undoDelta(this.out.buf, outStart, this.out.length, filter.value);
    }

    let pos = dataEnd;
    const paddingEnd = pos + ((4 - ((headerSize + actualCompressed) % 4)) % 4);
    if (paddingEnd > data.length) fail("truncated block padding", pos);
    for (; pos < paddingEnd; pos++) if (data[pos] !== 0) fail("block padding is not zero", pos);
    if (data.length - pos < checkLength) fail("truncated block check", pos);
    this.verifyCheck(checkType, outStart, pos);

    records.push({ unpaddedSize: headerSize + actualCompressed + checkLength, uncompressedSize: actualUncompressed });
    return pos + checkLength;
  }

  private verifyCheck(checkType: number, outStart: number, pos: number): void {
    const data = this.data;
    const buf = this.out.buf;
    const outEnd = this.out.length;
    if (checkType === CHECK_CRC32) {
      if (crc32(buf, 0, outStart, outEnd) !== readUint32LE(data, pos)) fail("block CRC32 mismatch", pos);
    } else if (checkType === CHECK_CRC64) {
      const expected = (BigInt(readUint32LE(data, pos + 4)) << 32n) | BigInt(readUint32LE(data, pos));
      if (crc64(buf, 0n, outStart, outEnd) !== expected) fail("block CRC64 mismatch", pos);
    } else if (checkType === CHECK_SHA256) {
      const digest = createHash("sha256").update(buf.subarray(outStart, outEnd)).digest();
      for (let i = 0; i < 32; i++) if (digest[i] !== data[pos + i]) fail("block SHA-256 mismatch", pos);
    }
  }

  /** Checks the index at `start` against the decoded blocks; returns the position after it. */
  private verifyIndex(start: number, records: IndexRecord[]): number {
    const data = this.data;
    const cursor = new HeaderCursor(data, start + 1, data.length);
    const countOffset = cursor.pos;
    const count = cursor.varint("index record count");
    if (count !== records.length) fail(`index lists ${count} blocks but the stream has ${records.length}`, countOffset);
    for (const record of records) {
      const offset = cursor.pos;
      const unpaddedSize = cursor.varint("index unpadded size");
      const uncompressedSize = cursor.varint("index uncompressed size");
      if (unpaddedSize !== record.unpaddedSize || uncompressedSize !== record.uncompressedSize) {
        fail("index record does not match the block", offset);
      }
    }
    let pos = cursor.pos;
    const paddingEnd = pos + ((4 - ((pos - start) % 4)) % 4);
    if (paddingEnd + 4 > data.length) fail("truncated index", pos);
    for (; pos < paddingEnd; pos++) if (data[pos] !== 0) fail("index padding is not zero", pos);
    if (crc32(data, 0, start, pos) !== readUint32LE(data, pos)) fail("index CRC32 mismatch", pos);
    return pos + 4;
  }

  /** Decodes LZMA2 chunks from `start` (not past `limit`) into the output; returns the end. */
  private decodeLzma2(start: number, limit: number): number {
    const data = this.data;
    const out = this.out;
    const lzma = this.lzma;
    let needDictReset = true;
    let needProperties = true;
    let dictStart = out.length;
    let pos = start;
    for (;;) {
      if (pos >= limit) fail("truncated LZMA2 data", pos);
      const control = data[pos]!;
      if (control === 0x00) return pos + 1;
      if (control > 0x02 && control < 0x80) fail(`invalid LZMA2 control byte 0x${control.toString(16)}`, pos);

      if (control >= 0xe0 || control === 0x01) {
        needDictReset = false;
        needProperties = true;
        dictStart = out.length;
      } else if (needDictReset) {
        fail("LZMA2 data does not begin with a dictionary reset", pos);
      }

      if (control >= 0x80) {
        if (limit - pos < 5) fail("truncated LZMA2 chunk header", pos);
        const unpackedSize = (control & 0x1f) * 65536 + data[pos + 1]! * 256 + data[pos + 2]! + 1;
        const packedSize = data[pos + 3]! * 256 + data[pos + 4]! + 1;
        let p = pos + 5;
        if (control >= 0xc0) {
          if (p >= limit) fail("truncated LZMA2 chunk header", p);
          lzma.setProperties(data[p]!, p);
          p++;
          needProperties = false;
        } else if (needProperties) {
          fail("LZMA2 chunk lacks the properties a dictionary reset requires", pos);
        }
        if (control >= 0xa0) lzma.resetState();
        if (packedSize > limit - p) fail("truncated LZMA2 chunk", p);
        out.reserve(unpackedSize, pos);
        lzma.decodeChunk(data, p, p + packedSize, out.buf, out.length, out.length + unpackedSize, dictStart);
        out.length += unpackedSize;
        pos = p + packedSize;
      } else {
        if (limit - pos < 3) fail("truncated LZMA2 chunk header", pos);
        const size = data[pos + 1]! * 256 + data[pos + 2]! + 1;
        const p = pos + 3;
        if (size > limit - p) fail("truncated uncompressed LZMA2 chunk", p);
        out.reserve(size, pos);
        out.buf.set(data.subarray(p, p + size), out.length);
        out.length += size;
        pos = p + size;
      }
    }
  }
}

/** Reads xz multibyte integers and skips bytes, never past `end`. */
class HeaderCursor {
  constructor(
    private readonly data: Uint8Array,
    public pos: number,
    private readonly end: number,
  ) {}

  /** A multibyte integer: 7 bits per byte, little-endian, at most 9 bytes, no trailing zero byte. */
  varint(what: string): number {
    const start = this.pos;
    let value = 0;
    for (let i = 0; i < 9; i++) {
      if (this.pos >= this.end) fail(`truncated ${what}`, start);
      const byte = this.data[this.pos++]!;
      value += (byte & 0x7f) * 2 ** (7 * i);
      if ((byte & 0x80) === 0) {
        if (byte === 0 && i > 0) fail(`${what} is not minimally encoded`, start);
        if (!Number.isSafeInteger(value)) fail(`${what} is too large`, start);
        return value;
      }
    }
    fail(`${what} is longer than nine bytes`, start);
  }

  skip(count: number): void {
    if (count > this.end - this.pos) fail("truncated block header field", this.pos);
    this.pos += count;
  }
}

/** Undoes the Delta filter in place: each byte was stored minus the byte `distance` before it. */
function undoDelta(buf: Uint8Array, start: number, end: number, distance: number): void {
  for (let i = start + distance; i < end; i++) buf[i] = (buf[i]! + buf[i - distance]!) & 0xff;
}

// --- LZMA

const NUM_STATES = 12;
const POS_STATES_MAX = 16;
const PROB_INIT = 1024; // probabilities are 11-bit, 1024 = one half

// Length coder layout: [0] choice, [1] choice2, low trees (16 x 8), mid trees (16 x 8), high tree (256).
const LEN_LOW = 2;
const LEN_MID = LEN_LOW + POS_STATES_MAX * 8;
const LEN_HIGH = LEN_MID + POS_STATES_MAX * 8;
const LEN_PROBS = LEN_HIGH + 256;

// All probabilities live in one array (one allocation, one base pointer in the hot loop).
const IS_MATCH = 0; // [state][posState]
const IS_REP = IS_MATCH + NUM_STATES * POS_STATES_MAX;
const IS_REP_G0 = IS_REP + NUM_STATES;
const IS_REP_G1 = IS_REP_G0 + NUM_STATES;
const IS_REP_G2 = IS_REP_G1 + NUM_STATES;
const IS_REP0_LONG = IS_REP_G2 + NUM_STATES; // [state][posState]
const DIST_SLOT = IS_REP0_LONG + NUM_STATES * POS_STATES_MAX; // [lengthState][64]
const DIST_SPECIAL = DIST_SLOT + 4 * 64; // reverse trees of slots 4..13 (115 entries)
const ALIGN = DIST_SPECIAL + 115;
const MATCH_LEN = ALIGN + 16;
const REP_LEN = MATCH_LEN + LEN_PROBS;
const LITERAL = REP_LEN + LEN_PROBS; // [0x300 << (lc + lp)], lc + lp <= 4
const PROBS_SIZE = LITERAL + (0x300 << 4);

const END_POS_MODEL_INDEX = 14; // distance slots below this use the "special" reverse trees

/**
 * The LZMA decoder of LZMA2: probabilities, state and reps survive from chunk to chunk; each chunk
 * starts a fresh range decoder and must be consumed exactly.
 */
class LzmaDecoder {
  private lc = 0;
  private lp = 0;
  private pb = 0;
  private state = 0;
  private rep0 = 0;
  private rep1 = 0;
  private rep2 = 0;
  private rep3 = 0;

  private readonly probs = new Uint16Array(PROBS_SIZE);

  /** Reads the lc/lp/pb properties byte of an LZMA2 chunk. */
  setProperties(props: number, offset: number): void {
    if (props >= 9 * 5 * 5) fail("invalid LZMA properties byte", offset);
    const lc = props % 9;
    const rest = (props / 9) | 0;
    const lp = rest % 5;
    const pb = (rest / 5) | 0;
    if (lc + lp > 4) fail("LZMA lc + lp exceeds 4", offset);
    this.lc = lc;
    this.lp = lp;
    this.pb = pb;
  }

  resetState(): void {
    this.state = 0;
    this.rep0 = this.rep1 = this.rep2 = this.rep3 = 0;
    this.probs.fill(PROB_INIT, 0, LITERAL + (0x300 << (this.lc + this.lp)));
  }

  /**
   * Decodes one LZMA chunk: exactly `input[inStart, inEnd)` into exactly `out[outStart, outEnd)`.
   * `dictStart` is where the dictionary was last reset; matches may not reach before it.
   *
   * The range decoder is kept in local variables and each binary decision is written out in
   * place (the same eight lines every time): this is the hot loop, and locals stay in registers.
   */
  decodeChunk(input: Uint8Array, inStart: number, inEnd: number, out: Uint8Array, outStart: number, outEnd: number, dictStart: number): void {
    if (inEnd - inStart < 5) fail("LZMA chunk is too short", inStart);
    if (input[inStart] !== 0) fail("LZMA range coder does not start with a zero byte", inStart);
    // range and code are unsigned 32-bit values kept in int32 variables (so the optimiser keeps
    // them in integer registers); unsigned comparisons flip the sign bit of both sides.
    let code = readUint32BE(input, inStart + 1) | 0;
    let range = -1;
    let inPos = inStart + 5;

    const probs = this.probs;
    const lc = this.lc;
    const literalShift = 8 - lc;
    const lpMask = (1 << this.lp) - 1;
    const pbMask = (1 << this.pb) - 1;
    let state = this.state;
    let rep0 = this.rep0;
    let rep1 = this.rep1;
    let rep2 = this.rep2;
    let rep3 = this.rep3;
    let outPos = outStart;

    let prob = 0;
    let bound = 0;
    let bit = 0;

    while (outPos < outEnd) {
      const posState = (outPos - dictStart) & pbMask;

      let i = IS_MATCH + ((state << 4) | posState);
      prob = probs[i]!;
      bound = Math.imul(range >>> 11, prob);
      if ((code ^ 0x80000000) < (bound ^ 0x80000000)) { range = bound; probs[i] = prob + ((2048 - prob) >>> 5); bit = 0; }
      else { range = (range - bound) | 0; code = (code - bound) | 0; probs[i] = prob - (prob >>> 5); bit = 1; }
      if ((range & 0xff000000) === 0) {
        if (inPos >= inEnd) fail("truncated LZMA chunk", inPos);
        range <<= 8; code = (code << 8) | input[inPos++]!;
      }

      if (bit === 0) {
        // Literal: an 8-bit tree chosen by position and previous byte.
        const rel = outPos - dictStart;
        const previous = rel > 0 ? out[outPos - 1]! : 0;
        const base = LITERAL + 0x300 * (((rel & lpMask) << lc) + (previous >>> literalShift));
        let symbol = 1;
        if (state < 7) {
          do {
            i = base + symbol;
            prob = probs[i]!;
            bound = Math.imul(range >>> 11, prob);
            if ((code ^ 0x80000000) < (bound ^ 0x80000000)) { range = bound; probs[i] = prob + ((2048 - prob) >>> 5); symbol <<= 1; }
            else { range = (range - bound) | 0; code = (code - bound) | 0; probs[i] = prob - (prob >>> 5); symbol = (symbol << 1) | 1; }
            if ((range & 0xff000000) === 0) {
              if (inPos >= inEnd) fail("truncated LZMA chunk", inPos);
              range <<= 8; code = (code << 8) | input[inPos++]!;
            }
          } while (symbol < 0x100);
        } else {
          // After a match the byte at rep0 steers the tree until the first differing bit.
          const matchPos = outPos - rep0 - 1;
          if (matchPos < dictStart) fail("corrupt LZMA data (match byte before dictionary)", inPos);
          let matchByte = out[matchPos]!;
          do {
            const matchBit = (matchByte >>> 7) & 1;
            matchByte <<= 1;
            i = base + ((1 + matchBit) << 8) + symbol;
            prob = probs[i]!;
            bound = Math.imul(range >>> 11, prob);
            if ((code ^ 0x80000000) < (bound ^ 0x80000000)) { range = bound; probs[i] = prob + ((2048 - prob) >>> 5); bit = 0; }
            else { range = (range - bound) | 0; code = (code - bound) | 0; probs[i] = prob - (prob >>> 5); bit = 1; }
            if ((range & 0xff000000) === 0) {
              if (inPos >= inEnd) fail("truncated LZMA chunk", inPos);
              range <<= 8; code = (code << 8) | input[inPos++]!;
            }
            symbol = (symbol << 1) | bit;
            if (matchBit !== bit) {
              while (symbol < 0x100) {
                i = base + symbol;
                prob = probs[i]!;
                bound = Math.imul(range >>> 11, prob);
                if ((code ^ 0x80000000) < (bound ^ 0x80000000)) { range = bound; probs[i] = prob + ((2048 - prob) >>> 5); symbol <<= 1; }
                else { range = (range - bound) | 0; code = (code - bound) | 0; probs[i] = prob - (prob >>> 5); symbol = (symbol << 1) | 1; }
                if ((range & 0xff000000) === 0) {
                  if (inPos >= inEnd) fail("truncated LZMA chunk", inPos);
                  range <<= 8; code = (code << 8) | input[inPos++]!;
                }
              }
              break;
            }
          } while (symbol < 0x100);
        }
        out[outPos++] = symbol & 0xff;
        state = state < 4 ? 0 : state < 10 ? state - 3 : state - 6;
        continue;
      }

      // A match: new distance, or one of the four most recent ones.
      let lengthProbs: number; // MATCH_LEN or REP_LEN
      let newDistance = false;
      i = IS_REP + state;
      prob = probs[i]!;
      bound = Math.imul(range >>> 11, prob);
      if ((code ^ 0x80000000) < (bound ^ 0x80000000)) { range = bound; probs[i] = prob + ((2048 - prob) >>> 5); bit = 0; }
      else { range = (range - bound) | 0; code = (code - bound) | 0; probs[i] = prob - (prob >>> 5); bit = 1; }
      if ((range & 0xff000000) === 0) {
        if (inPos >= inEnd) fail("truncated LZMA chunk", inPos);
        range <<= 8; code = (code << 8) | input[inPos++]!;
      }
      if (bit === 0) {
        rep3 = rep2;
        rep2 = rep1;
        rep1 = rep0;
        state = state < 7 ? 7 : 10;
        lengthProbs = MATCH_LEN;
        newDistance = true;
      } else {
        i = IS_REP_G0 + state;
      prob = probs[i]!;
        bound = Math.imul(range >>> 11, prob);
        if ((code ^ 0x80000000) < (bound ^ 0x80000000)) { range = bound; probs[i] = prob + ((2048 - prob) >>> 5); bit = 0; }
        else { range = (range - bound) | 0; code = (code - bound) | 0; probs[i] = prob - (prob >>> 5); bit = 1; }
        if ((range & 0xff000000) === 0) {
          if (inPos >= inEnd) fail("truncated LZMA chunk", inPos);
          range <<= 8; code = (code << 8) | input[inPos++]!;
        }
        if (bit === 0) {
          i = IS_REP0_LONG + ((state << 4) | posState);
          prob = probs[i]!;
          bound = Math.imul(range >>> 11, prob);
          if ((code ^ 0x80000000) < (bound ^ 0x80000000)) { range = bound; probs[i] = prob + ((2048 - prob) >>> 5); bit = 0; }
          else { range = (range - bound) | 0; code = (code - bound) | 0; probs[i] = prob - (prob >>> 5); bit = 1; }
          if ((range & 0xff000000) === 0) {
            if (inPos >= inEnd) fail("truncated LZMA chunk", inPos);
            range <<= 8; code = (code << 8) | input[inPos++]!;
          }
          if (bit === 0) {
            // Short rep: one byte from rep0.
            if (rep0 >= outPos - dictStart) fail("corrupt LZMA data (distance beyond dictionary)", inPos);
            state = state < 7 ? 9 : 11;
            out[outPos] = out[outPos - rep0 - 1]!;
            outPos++;
            continue;
          }
        } else {
          let distance: number;
          i = IS_REP_G1 + state;
      prob = probs[i]!;
          bound = Math.imul(range >>> 11, prob);
          if ((code ^ 0x80000000) < (bound ^ 0x80000000)) { range = bound; probs[i] = prob + ((2048 - prob) >>> 5); bit = 0; }
          else { range = (range - bound) | 0; code = (code - bound) | 0; probs[i] = prob - (prob >>> 5); bit = 1; }
          if ((range & 0xff000000) === 0) {
            if (inPos >= inEnd) fail("truncated LZMA chunk", inPos);
            range <<= 8; code = (code << 8) | input[inPos++]!;
          }
          if (bit === 0) {
            distance = rep1;
          } else {
            i = IS_REP_G2 + state;
      prob = probs[i]!;
            bound = Math.imul(range >>> 11, prob);
            if ((code ^ 0x80000000) < (bound ^ 0x80000000)) { range = bound; probs[i] = prob + ((2048 - prob) >>> 5); bit = 0; }
            else { range = (range - bound) | 0; code = (code - bound) | 0; probs[i] = prob - (prob >>> 5); bit = 1; }
            if ((range & 0xff000000) === 0) {
              if (inPos >= inEnd) fail("truncated LZMA chunk", inPos);
              range <<= 8; code = (code << 8) | input[inPos++]!;
            }
            if (bit === 0) {
              distance = rep2;
            } else {
              distance = rep3;
              rep3 = rep2;
            }
            rep2 = rep1;
          }
          rep1 = rep0;
          rep0 = distance;
        }
        state = state < 7 ? 8 : 11;
        lengthProbs = REP_LEN;
      }

      // Length: choice bits select a 3-bit low, 3-bit mid or 8-bit high tree.
      let treeBase: number;
      let treeLimit: number;
      let lengthBase: number;
      i = lengthProbs;
      prob = probs[i]!;
      bound = Math.imul(range >>> 11, prob);
      if ((code ^ 0x80000000) < (bound ^ 0x80000000)) { range = bound; probs[i] = prob + ((2048 - prob) >>> 5); bit = 0; }
      else { range = (range - bound) | 0; code = (code - bound) | 0; probs[i] = prob - (prob >>> 5); bit = 1; }
      if ((range & 0xff000000) === 0) {
        if (inPos >= inEnd) fail("truncated LZMA chunk", inPos);
        range <<= 8; code = (code << 8) | input[inPos++]!;
      }
      if (bit === 0) {
        treeBase = lengthProbs + LEN_LOW + (posState << 3);
        treeLimit = 8;
        lengthBase = 0;
      } else {
        i = lengthProbs + 1;
        prob = probs[i]!;
        bound = Math.imul(range >>> 11, prob);
        if ((code ^ 0x80000000) < (bound ^ 0x80000000)) { range = bound; probs[i] = prob + ((2048 - prob) >>> 5); bit = 0; }
        else { range = (range - bound) | 0; code = (code - bound) | 0; probs[i] = prob - (prob >>> 5); bit = 1; }
        if ((range & 0xff000000) === 0) {
          if (inPos >= inEnd) fail("truncated LZMA chunk", inPos);
          range <<= 8; code = (code << 8) | input[inPos++]!;
        }
        if (bit === 0) {
          treeBase = lengthProbs + LEN_MID + (posState << 3);
          treeLimit = 8;
          lengthBase = 8;
        } else {
          treeBase = lengthProbs + LEN_HIGH;
          treeLimit = 256;
          lengthBase = 16;
        }
      }
      let symbol = 1;
      do {
        i = treeBase + symbol;
        prob = probs[i]!;
        bound = Math.imul(range >>> 11, prob);
        if ((code ^ 0x80000000) < (bound ^ 0x80000000)) { range = bound; probs[i] = prob + ((2048 - prob) >>> 5); symbol <<= 1; }
        else { range = (range - bound) | 0; code = (code - bound) | 0; probs[i] = prob - (prob >>> 5); symbol = (symbol << 1) | 1; }
        if ((range & 0xff000000) === 0) {
          if (inPos >= inEnd) fail("truncated LZMA chunk", inPos);
          range <<= 8; code = (code << 8) | input[inPos++]!;
        }
      } while (symbol < treeLimit);
      const lengthIndex = lengthBase + symbol - treeLimit; // 0..271

      if (newDistance) {
        // Distance slot (6-bit tree per length state), then its extra bits.
        const slotBase = DIST_SLOT + ((lengthIndex < 3 ? lengthIndex : 3) << 6);
        let slot = 1;
        do {
          i = slotBase + slot;
          prob = probs[i]!;
          bound = Math.imul(range >>> 11, prob);
          if ((code ^ 0x80000000) < (bound ^ 0x80000000)) { range = bound; probs[i] = prob + ((2048 - prob) >>> 5); slot <<= 1; }
          else { range = (range - bound) | 0; code = (code - bound) | 0; probs[i] = prob - (prob >>> 5); slot = (slot << 1) | 1; }
          if ((range & 0xff000000) === 0) {
            if (inPos >= inEnd) fail("truncated LZMA chunk", inPos);
            range <<= 8; code = (code << 8) | input[inPos++]!;
          }
        } while (slot < 64);
        slot -= 64;
        let distance: number;
        if (slot < 4) {
          distance = slot;
        } else {
          const footerBits = (slot >>> 1) - 1;
          distance = ((2 | (slot & 1)) << footerBits) >>> 0;
          if (slot < END_POS_MODEL_INDEX) {
            // Reverse tree over the special probabilities (footerBits <= 5).
            const specialBase = DIST_SPECIAL + distance - slot;
            let m = 1;
            for (let k = 0; k < footerBits; k++) {
              i = specialBase + m;
              prob = probs[i]!;
              bound = Math.imul(range >>> 11, prob);
              if ((code ^ 0x80000000) < (bound ^ 0x80000000)) { range = bound; probs[i] = prob + ((2048 - prob) >>> 5); m <<= 1; }
              else { range = (range - bound) | 0; code = (code - bound) | 0; probs[i] = prob - (prob >>> 5); m = (m << 1) | 1; distance += 1 << k; }
              if ((range & 0xff000000) === 0) {
                if (inPos >= inEnd) fail("truncated LZMA chunk", inPos);
                range <<= 8; code = (code << 8) | input[inPos++]!;
              }
            }
          } else {
            // Direct bits (fixed probability one half), then four reverse-tree align bits.
            let direct = 0;
            for (let k = footerBits - 4; k > 0; k--) {
              range = (range >>> 1) | 0;
              if ((code ^ 0x80000000) >= (range ^ 0x80000000)) { code = (code - range) | 0; direct = (direct << 1) | 1; }
              else direct <<= 1;
              if ((range & 0xff000000) === 0) {
                if (inPos >= inEnd) fail("truncated LZMA chunk", inPos);
                range <<= 8; code = (code << 8) | input[inPos++]!;
              }
            }
            distance += direct * 16;
            let m = 1;
            for (let k = 0; k < 4; k++) {
              i = ALIGN + m;
              prob = probs[i]!;
              bound = Math.imul(range >>> 11, prob);
              if ((code ^ 0x80000000) < (bound ^ 0x80000000)) { range = bound; probs[i] = prob + ((2048 - prob) >>> 5); m <<= 1; }
              else { range = (range - bound) | 0; code = (code - bound) | 0; probs[i] = prob - (prob >>> 5); m = (m << 1) | 1; distance += 1 << k; }
              if ((range & 0xff000000) === 0) {
                if (inPos >= inEnd) fail("truncated LZMA chunk", inPos);
                range <<= 8; code = (code << 8) | input[inPos++]!;
              }
            }
            if (distance === 0xffffffff) fail("LZMA end marker is not allowed in LZMA2", inPos);
          }
        }
        rep0 = distance;
      }

      const length = lengthIndex + 2;
      if (rep0 >= outPos - dictStart) fail("corrupt LZMA data (distance beyond dictionary)", inPos);
      if (length > outEnd - outPos) fail("corrupt LZMA data (match crosses the chunk end)", inPos);
      let from = outPos - rep0 - 1;
      const end = outPos + length;
      if (length >= 64 && rep0 + 1 >= length) {
        out.copyWithin(outPos, from, from + length);
        outPos = end;
      } else {
        while (outPos < end) out[outPos++] = out[from++]!;
      }
    }

    if (inPos !== inEnd) fail("LZMA chunk has unused compressed bytes", inPos);
    if (code !== 0) fail("corrupt LZMA data (range decoder not at its end)", inPos);
    this.state = state;
    this.rep0 = rep0;
    this.rep1 = rep1;
    this.rep2 = rep2;
    this.rep3 = rep3;
  }
}

function readUint32BE(data: Uint8Array, pos: number): number {
  return ((data[pos]! << 24) | (data[pos + 1]! << 16) | (data[pos + 2]! << 8) | data[pos + 3]!) >>> 0;
}
