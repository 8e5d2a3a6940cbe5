/**
 * Table-driven CRC-32 (IEEE 802.3, the one of gzip, zip and .xz) and CRC-64 (ECMA-182, the one of
 * .xz), both in their reflected form. Pure computation over typed arrays; no allocation per call.
 *
 * Both functions take the previous value so a checksum can be computed over several pieces:
 * `crc32(b, crc32(a)) === crc32(concat(a, b))`.
 */

const CRC32_POLY = 0xedb88320;

/** Slicing-by-8 tables: table k maps a byte that is k positions ahead of the current one. */
const CRC32_TABLES: Uint32Array = buildCrc32Tables();

function buildCrc32Tables(): Uint32Array {
  const tables = new Uint32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ CRC32_POLY : c >>> 1;
    tables[n] = c >>> 0;
  }
  for (let n = 0; n < 256; n++) {
    let c = tables[n]!;
    for (let t = 1; t < 8; t++) {
      c = tables[c & 0xff]! ^ (c >>> 8);
      tables[t * 256 + n] = c >>> 0;
    }
  }
  return tables;
}

/** CRC-32 of `data[start, end)`, continuing from `previous` (0 for a fresh checksum). */
export function crc32(data: Uint8Array, previous = 0, start = 0, end = data.length): number {
  const t = CRC32_TABLES;
  let crc = ~previous;
  let i = start;
  const end8 = end - ((end - start) & 7);
  while (i < end8) {
    const lo = crc ^ (data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24));
    crc =
      t[1792 + (lo & 0xff)]! ^
      t[1536 + ((lo >>> 8) & 0xff)]! ^
      t[1280 + ((lo >>> 16) & 0xff)]! ^
      t[1024 + (lo >>> 24)]! ^
      t[768 + data[i + 4]!]! ^
      t[512 + data[i + 5]!]! ^
      t[256 + data[i + 6]!]! ^
      t[data[i + 7]!]!;
    i += 8;
  }
  while (i < end) crc = t[(crc ^ data[i++]!) & 0xff]! ^ (crc >>> 8);
  return ~crc >>> 0;
}

// ECMA-182 polynomial 0x42F0E1EBA9EA3693, reflected: 0xC96C5795D7870F42, split in 32-bit halves.
const CRC64_POLY_HI = 0xc96c5795;
const CRC64_POLY_LO = 0xd7870f42;

/** Slicing-by-4 tables, each entry split into a low and a high 32-bit half. */
const CRC64_LO = new Uint32Array(4 * 256);
const CRC64_HI = new Uint32Array(4 * 256);
buildCrc64Tables();

function buildCrc64Tables(): void {
  for (let n = 0; n < 256; n++) {
    let lo = n;
    let hi = 0;
    for (let k = 0; k < 8; k++) {
      const carry = lo & 1;
      lo = ((lo >>> 1) | (hi << 31)) >>> 0;
      hi = hi >>> 1;
      if (carry) {
        lo = (lo ^ CRC64_POLY_LO) >>> 0;
        hi = (hi ^ CRC64_POLY_HI) >>> 0;
      }
    }
    CRC64_LO[n] = lo;
    CRC64_HI[n] = hi;
  }
  for (let n = 0; n < 256; n++) {
    let lo = CRC64_LO[n]!;
    let hi = CRC64_HI[n]!;
    for (let t = 1; t < 4; t++) {
      // one more zero byte: crc = table[crc & 0xff] ^ (crc >> 8)
      const idx = lo & 0xff;
      const nextLo = CRC64_LO[idx]! ^ ((lo >>> 8) | (hi << 24));
      const nextHi = CRC64_HI[idx]! ^ (hi >>> 8);
      lo = nextLo >>> 0;
      hi = nextHi >>> 0;
      CRC64_LO[t * 256 + n] = lo;
      CRC64_HI[t * 256 + n] = hi;
    }
  }
}

/**
 * CRC-64 of `data[start, end)` as a bigint, continuing from `previous` (0n for a fresh checksum).
 * The work is done on two 32-bit halves; only the result is a bigint.
 */
export function crc64(data: Uint8Array, previous = 0n, start = 0, end = data.length): bigint {
  const tLo = CRC64_LO;
  const tHi = CRC64_HI;
  let lo = ~Number(previous & 0xffffffffn);
  let hi = ~Number((previous >> 32n) & 0xffffffffn);
  let i = start;
  const end4 = end - ((end - start) & 3);
  while (i < end4) {
    const x = lo ^ (data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24));
    // The first byte goes through four table steps (table 3), the last through one (table 0).
    const a = 768 + (x & 0xff);
    const b = 512 + ((x >>> 8) & 0xff);
    const c = 256 + ((x >>> 16) & 0xff);
    const d = x >>> 24;
    // After four bytes the old low half is fully consumed and the old high half moves down.
    lo = hi ^ tLo[d]! ^ tLo[c]! ^ tLo[b]! ^ tLo[a]!;
    hi = tHi[d]! ^ tHi[c]! ^ tHi[b]! ^ tHi[a]!;
    i += 4;
  }
  while (i < end) {
    const idx = (lo ^ data[i++]!) & 0xff;
    const nextLo = tLo[idx]! ^ ((lo >>> 8) | (hi << 24));
    hi = tHi[idx]! ^ (hi >>> 8);
    lo = nextLo;
  }
  return (BigInt(~hi >>> 0) << 32n) | BigInt(~lo >>> 0);
}
