import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { isQuipuError, type QuipuError } from "../errors/quipu-error.js";
import { crc32, crc64 } from "./crc.js";
import { decodeXz, type XzDecodeOptions } from "./xz-decoder.js";

// --- helpers

const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let pos = 0;
  for (const part of parts) {
    out.set(part, pos);
    pos += part.length;
  }
  return out;
}

/** A small seeded PRNG (xorshift32), so every run sees the same data and the same mutations. */
function createRandom(seed: number): { next(): number; below(n: number): number; bytes(n: number): Uint8Array } {
  let x = seed >>> 0 || 0x9e3779b9;
  const next = (): number => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
  return {
    next,
    below: (n) => next() % n,
    bytes: (n) => {
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) out[i] = next() & 0xff;
      return out;
    },
  };
}

const WORDS = (
  "package version architecture maintainer depends description installed size section priority " +
  "the of and to in is that for it as with was on be at by this had not are but from or have an " +
  "libc6 libssl3 python3 perl-base debconf adduser systemd ceph radosgw amd64 arm64 all optional"
).split(" ");

function text(random: ReturnType<typeof createRandom>, length: number): Uint8Array {
  let out = "";
  while (out.length < length) {
    out += WORDS[random.below(WORDS.length)]!;
    out += random.below(12) === 0 ? ".\n" : " ";
  }
  return ascii(out.slice(0, length));
}

/** Text, random runs, zero runs, repeats of earlier data with edits, counters: like real files. */
function mixed(seed: number, length: number): Uint8Array {
  const random = createRandom(seed);
  const out = new Uint8Array(length);
  let pos = 0;
  while (pos < length) {
    const room = length - pos;
    const kind = random.below(5);
    let piece: Uint8Array;
    if (kind === 0) piece = text(random, 1 + random.below(20000));
    else if (kind === 1) piece = random.bytes(1 + random.below(3000));
    else if (kind === 2) piece = new Uint8Array(1 + random.below(40000));
    else if (kind === 3 && pos > 0) {
      const from = random.below(pos);
      piece = out.slice(from, from + 1 + random.below(Math.min(pos - from, 30000)));
      for (let i = 0; i < piece.length; i += 1 + random.below(200)) piece[i] = random.next() & 0xff;
    } else {
      piece = new Uint8Array(4 * (1 + random.below(2000)));
      const view = new DataView(piece.buffer);
      const base = random.next();
      for (let i = 0; i < piece.length; i += 4) view.setUint32(i, (base + i * 3) >>> 0, true);
    }
    out.set(piece.subarray(0, room), pos);
    pos += Math.min(room, piece.length);
  }
  return out;
}

const hasXz = spawnSync("xz", ["--version"]).status === 0;

/** Compresses with the real xz CLI. */
function xz(input: Uint8Array, args: string[]): Uint8Array {
  const result = spawnSync("xz", ["--compress", "--stdout", "--quiet", ...args], { input, maxBuffer: 1 << 28 });
  if (result.status !== 0) throw new Error(`xz ${args.join(" ")} failed: ${String(result.stderr)}`);
  return new Uint8Array(result.stdout.buffer, result.stdout.byteOffset, result.stdout.byteLength);
}

/** Whether the real xz CLI accepts a file (to know a hand-made file is valid). */
function xzAccepts(file: Uint8Array): boolean {
  return spawnSync("xz", ["--decompress", "--stdout", "--quiet"], { input: file, maxBuffer: 1 << 28 }).status === 0;
}

function xzErrorOf(data: Uint8Array, options?: XzDecodeOptions): QuipuError {
  try {
    decodeXz(data, options);
  } catch (error) {
    if (isQuipuError(error)) return error;
    throw error;
  }
  throw new Error("expected the input to be rejected");
}

function expectInvalid(data: Uint8Array, reason: RegExp, options?: XzDecodeOptions): QuipuError {
  const error = xzErrorOf(data, options);
  expect(error.code).toBe("QUIPU_XZ_INVALID");
  expect(error.status).toBe(400);
  expect(error.details.reason).toMatch(reason);
  expect(typeof error.details.offset).toBe("number");
  return error;
}

function expectSame(actual: Uint8Array, expected: Uint8Array): void {
  // toEqual on megabytes of typed array is slow and prints badly; compare digests and lengths.
  expect(actual.length).toBe(expected.length);
  const digest = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
  expect(digest(actual)).toBe(digest(expected));
}

// --- a hand-made .xz writer, to reach cases the xz CLI never produces

const u32le = (n: number): number[] => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];

function varint(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}

interface HandBlock {
  /** The compressed data (LZMA2 chunks, end marker included). */
  lzma2: number[];
  /** The expected decoded block (for the check and the index). */
  content: Uint8Array;
  /** Raw filter flags before LZMA2, e.g. Delta: [0x03, 0x01, distance - 1]. */
  extraFilters?: number[][];
  /** Write the size fields; numbers override the real ones. */
  sizes?: { compressed?: number; uncompressed?: number } | true;
  /** Raw header bytes instead of the computed ones (still CRC'd). */
  headerBody?: number[];
}

interface HandStream {
  blocks: HandBlock[];
  check?: number; // 0 none, 1 crc32, 4 crc64, 10 sha256
  indexRecords?: Array<[number, number]>;
  footerFlags?: number;
}

function buildXz(stream: HandStream): Uint8Array {
  const check = stream.check ?? 1;
  const flags = [0x00, check];
  const bytes: number[] = [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, ...flags, ...u32le(crc32(Uint8Array.from(flags)))];
  const records: Array<[number, number]> = [];
  for (const block of stream.blocks) {
    let body = block.headerBody;
    if (!body) {
      const filters = [...(block.extraFilters ?? []), [0x21, 0x01, 0x00]];
      body = [(filters.length - 1) | (block.sizes ? 0xc0 : 0)];
      if (block.sizes) {
        const sizes = block.sizes === true ? {} : block.sizes;
        body.push(...varint(sizes.compressed ?? block.lzma2.length), ...varint(sizes.uncompressed ?? block.content.length));
      }
      for (const filter of filters) body.push(...filter);
    }
    const headerSize = Math.ceil((body.length + 1 + 4) / 4) * 4;
    const header = [headerSize / 4 - 1, ...body];
    while (header.length < headerSize - 4) header.push(0);
    header.push(...u32le(crc32(Uint8Array.from(header))));
    bytes.push(...header, ...block.lzma2);
    while (bytes.length % 4 !== 0) bytes.push(0); // block padding (the stream header is 12 bytes)
    let checkBytes: number[] = [];
    if (check === 1) checkBytes = u32le(crc32(block.content));
    if (check === 4) {
      const value = crc64(block.content);
      checkBytes = [...u32le(Number(value & 0xffffffffn)), ...u32le(Number(value >> 32n))];
    }
    if (check === 10) checkBytes = [...createHash("sha256").update(block.content).digest()];
    bytes.push(...checkBytes);
    records.push([headerSize + block.lzma2.length + checkBytes.length, block.content.length]);
  }
  const listed = stream.indexRecords ?? records;
  const index: number[] = [0x00, ...varint(listed.length)];
  for (const [unpadded, uncompressed] of listed) index.push(...varint(unpadded), ...varint(uncompressed));
  while (index.length % 4 !== 0) index.push(0);
  index.push(...u32le(crc32(Uint8Array.from(index))));
  bytes.push(...index);
  const footerFlags = [0x00, stream.footerFlags ?? check];
  const footerBody = [...u32le(index.length / 4 - 1), ...footerFlags];
  bytes.push(...u32le(crc32(Uint8Array.from(footerBody))), ...footerBody, 0x59, 0x5a);
  return Uint8Array.from(bytes);
}

/** LZMA2 uncompressed chunk: control 0x01 (dictionary reset) or 0x02 (no reset). */
function storedChunk(control: 1 | 2, content: Uint8Array): number[] {
  return [control, (content.length - 1) >> 8, (content.length - 1) & 0xff, ...content];
}

// --- tests

describe("decodeXz: hand-made streams (container and LZMA2 chunk rules)", () => {
  const hello = ascii("hello, xz\n");
  const world = ascii("and a second chunk\n");

  it("decodes uncompressed LZMA2 chunks with and without dictionary reset, for every check type", () => {
    for (const check of [0, 1, 4, 10]) {
      const file = buildXz({
        check,
        blocks: [{ lzma2: [...storedChunk(1, hello), ...storedChunk(2, world), ...storedChunk(1, hello), 0x00], content: concat(hello, world, hello) }],
      });
      expect(decodeXz(file)).toEqual(concat(hello, world, hello));
      if (hasXz) expect(xzAccepts(file)).toBe(true);
    }
  });

  it("decodes an empty LZMA2 block, zero blocks, several blocks, and size fields in block headers", () => {
    expect(decodeXz(buildXz({ blocks: [{ lzma2: [0x00], content: new Uint8Array(0) }] }))).toEqual(new Uint8Array(0));
    expect(decodeXz(buildXz({ blocks: [] }))).toEqual(new Uint8Array(0));
    const two = buildXz({
      blocks: [
        { lzma2: [...storedChunk(1, hello), 0x00], content: hello, sizes: true },
        { lzma2: [...storedChunk(1, world), 0x00], content: world },
      ],
    });
    expect(decodeXz(two)).toEqual(concat(hello, world));
    if (hasXz) expect(xzAccepts(two)).toBe(true);
  });

  it("undoes a Delta filter before LZMA2", () => {
    const original = Uint8Array.from({ length: 300 }, (_, i) => (i * 7 + (i >> 2)) & 0xff);
    const distance = 3;
    const deltaEncoded = original.map((b, i) => (i >= distance ? (b - original[i - distance]!) & 0xff : b));
    const file = buildXz({
      blocks: [{ lzma2: [...storedChunk(1, deltaEncoded), 0x00], content: original, extraFilters: [[0x03, 0x01, distance - 1]] }],
    });
    expect(decodeXz(file)).toEqual(original);
    if (hasXz) expect(xzAccepts(file)).toBe(true);
  });

  it("rejects LZMA2 chunk sequences that break the reset rules", () => {
    const block = (lzma2: number[]) => buildXz({ blocks: [{ lzma2, content: hello }] });
    expectInvalid(block([...storedChunk(2, hello), 0x00]), /dictionary reset/);
    expectInvalid(block([0x03, 0x00, 0x00, 0x00]), /invalid LZMA2 control byte 0x3/);
    expectInvalid(block([0x80, 0x00, 0x09, 0x00, 0x05, 0, 0, 0, 0, 0, 0, 0x00]), /dictionary reset/);
    // after a dictionary reset, an LZMA chunk must bring new properties (control >= 0xc0)
    expectInvalid(block([...storedChunk(1, hello), 0xa0, 0x00, 0x00, 0x00, 0x04, 0, 0, 0, 0, 0, 0x00]), /properties/);
    // lc = 3, lp = 2: lc + lp > 4
    expectInvalid(block([0xe0, 0x00, 0x00, 0x00, 0x04, 3 + 2 * 9, 0, 0, 0, 0, 0, 0x00]), /lc \+ lp/);
    expectInvalid(block([0xe0, 0x00, 0x00, 0x00, 0x04, 225, 0, 0, 0, 0, 0, 0x00]), /properties byte/);
    expectInvalid(block([0xe0, 0x00, 0x00, 0x00, 0x04, 0x5d, 1, 0, 0, 0, 0, 0x00]), /zero byte/);
    const bounded = (lzma2: number[]) => buildXz({ blocks: [{ lzma2, content: hello, sizes: true }] });
    expectInvalid(bounded([...storedChunk(1, hello)]), /truncated LZMA2 data/);
    expectInvalid(bounded([0x01, 0x00, 0x40, 0x41]), /truncated uncompressed LZMA2 chunk/);
    expectInvalid(bounded([0xe0, 0x00, 0x00, 0x00, 0x08, 0x5d, 0, 0]), /truncated LZMA2 chunk/);
  });

  it("rejects block headers with bad fields", () => {
    const content = hello;
    const lzma2 = [...storedChunk(1, hello), 0x00];
    expectInvalid(buildXz({ blocks: [{ lzma2, content, sizes: { uncompressed: 11 } }] }), /uncompressed size mismatch/);
    expectInvalid(buildXz({ blocks: [{ lzma2, content, sizes: { compressed: lzma2.length + 1 } }] }), /compressed size mismatch/);
    expectInvalid(buildXz({ blocks: [{ lzma2, content, sizes: { compressed: 1000 } }] }), /compressed size beyond input/);
    expectInvalid(buildXz({ blocks: [{ lzma2, content, sizes: { compressed: 0 } }] }), /compressed size is zero/);
    expectInvalid(buildXz({ blocks: [{ lzma2, content, headerBody: [0x00, 0x04, 0x00] }] }), /unsupported filter 0x4/);
    expectInvalid(buildXz({ blocks: [{ lzma2, content, headerBody: [0x01, 0x21, 0x01, 0x00, 0x03, 0x01, 0x00] }] }), /LZMA2 must be the last/);
    expectInvalid(buildXz({ blocks: [{ lzma2, content, headerBody: [0x00, 0x03, 0x01, 0x00] }] }), /last filter must be LZMA2/);
    expectInvalid(buildXz({ blocks: [{ lzma2, content, headerBody: [0x00, 0x21, 0x01, 41] }] }), /dictionary size/);
    expectInvalid(buildXz({ blocks: [{ lzma2, content, headerBody: [0x00, 0x21, 0x02, 0x00, 0x00] }] }), /one byte/);
    expectInvalid(buildXz({ blocks: [{ lzma2, content, headerBody: [0x04, 0x21, 0x01, 0x00] }] }), /reserved block flags/);
    expectInvalid(buildXz({ blocks: [{ lzma2, content, headerBody: [0x40, 0x80, 0x00, 0x21, 0x01, 0x00] }] }), /not minimally encoded/);
    expectInvalid(buildXz({ blocks: [{ lzma2, content, headerBody: [0x00, 0x21, 0x01, 0x00, 0x00, 0x07] }] }), /header padding/);
    expectInvalid(buildXz({ blocks: [{ lzma2, content, headerBody: [0x00, 0x21, 0x09] }] }), /truncated block header field/);
  });

  it("rejects index, footer and check problems", () => {
    const lzma2 = [...storedChunk(1, hello), 0x00];
    const good = buildXz({ blocks: [{ lzma2, content: hello }] });
    expect(decodeXz(good)).toEqual(hello);
    expectInvalid(buildXz({ blocks: [{ lzma2, content: hello }], indexRecords: [] }), /index lists 0 blocks but the stream has 1/);
    expectInvalid(buildXz({ blocks: [{ lzma2, content: hello }], indexRecords: [[28, 11]] }), /index record does not match/);
    expectInvalid(buildXz({ blocks: [{ lzma2, content: hello }], footerFlags: 4 }), /footer flags differ/);
    expectInvalid(buildXz({ blocks: [{ lzma2, content: hello }], check: 2 }), /unsupported check type 2/);
    // the block decodes to other bytes of the same length than the check was computed over
    const other = [...storedChunk(1, world.subarray(0, hello.length)), 0x00];
    expectInvalid(buildXz({ check: 1, blocks: [{ lzma2: other, content: hello }] }), /block CRC32 mismatch/);
    expectInvalid(buildXz({ check: 4, blocks: [{ lzma2: other, content: hello }] }), /block CRC64 mismatch/);
    expectInvalid(buildXz({ check: 10, blocks: [{ lzma2: other, content: hello }] }), /block SHA-256 mismatch/);
    const flipped = good.slice();
    flipped[good.length - 15] = flipped[good.length - 15]! ^ 1; // inside the index CRC32
    expectInvalid(flipped, /index CRC32 mismatch/);
    const badFooterCrc = good.slice();
    badFooterCrc[good.length - 12] = badFooterCrc[good.length - 12]! ^ 1;
    expectInvalid(badFooterCrc, /footer CRC32 mismatch/);
    const badFooterMagic = good.slice();
    badFooterMagic[good.length - 1] = 0;
    expectInvalid(badFooterMagic, /footer magic/);
  });

  it("rejects streams that are empty, foreign, truncated or followed by bad padding", () => {
    const good = buildXz({ blocks: [{ lzma2: [...storedChunk(1, hello), 0x00], content: hello }] });
    expectInvalid(new Uint8Array(0), /truncated stream header/);
    expectInvalid(ascii("not xz at all, just text"), /bad header magic/);
    expectInvalid(concat(new Uint8Array(4), good), /bad header magic/);
    const badHeaderCrc = good.slice();
    badHeaderCrc[8] = badHeaderCrc[8]! ^ 0xff;
    expectInvalid(badHeaderCrc, /stream header CRC32 mismatch/);
    for (let length = 1; length < good.length; length++) {
      expect(xzErrorOf(good.subarray(0, length)).code).toBe("QUIPU_XZ_INVALID");
    }
    expect(decodeXz(concat(good, new Uint8Array(8)))).toEqual(hello);
    expect(decodeXz(concat(good, new Uint8Array(4), good))).toEqual(concat(hello, hello));
    expectInvalid(concat(good, new Uint8Array(3)), /stream padding is not a multiple of four/);
    expectInvalid(concat(good, new Uint8Array(2), good), /stream padding is not a multiple of four/);
    expectInvalid(concat(good, ascii("junk")), /bad header magic/);
  });

  it("enforces maxOutputBytes and validates the option", () => {
    const file = buildXz({ blocks: [{ lzma2: [...storedChunk(1, hello), 0x00], content: hello }] });
    expect(decodeXz(file, { maxOutputBytes: hello.length })).toEqual(hello);
    expectInvalid(file, /maxOutputBytes/, { maxOutputBytes: hello.length - 1 });
    const declared = buildXz({ blocks: [{ lzma2: [...storedChunk(1, hello), 0x00], content: hello, sizes: { uncompressed: 2 ** 40 } }] });
    expectInvalid(declared, /maxOutputBytes/);
    const bad = xzErrorOf(file, { maxOutputBytes: -1 });
    expect(bad.code).toBe("QUIPU_VALIDATION_FAILED");
  });
});

describe.skipIf(!hasXz)("decodeXz: round trips through the xz CLI", () => {
  const random = createRandom(20240611);
  const inputs: Record<string, Uint8Array> = {
    empty: new Uint8Array(0),
    "one byte": Uint8Array.of(0x42),
    "repetitive text": ascii("Package: quipu\nVersion: 1.0-1\nArchitecture: amd64\n\n".repeat(4000)),
    "random bytes": random.bytes(70000),
    "mixed 300 KB": mixed(1, 300_000),
  };

  for (const preset of ["-0", "-6", "-9e"]) {
    it(`decodes every input compressed with ${preset}`, () => {
      for (const [name, input] of Object.entries(inputs)) {
        const output = decodeXz(xz(input, [preset]));
        expect(output.length, name).toBe(input.length);
        expectSame(output, input);
      }
    });
  }

  it("decodes a ~5 MB mixed stream at -0, -6 and -9e", () => {
    const input = mixed(2, 5_000_000);
    for (const preset of ["-0", "-6", "-9e"]) expectSame(decodeXz(xz(input, [preset, "-T1"])), input);
  }, 120_000);

  it("verifies every check type (none, crc32, crc64, sha256)", () => {
    const input = mixed(3, 100_000);
    for (const check of ["none", "crc32", "crc64", "sha256"]) {
      const file = xz(input, ["--format=xz", `--check=${check}`]);
      expectSame(decodeXz(file), input);
    }
  });

  it("decodes many small blocks, with and without sizes in the block headers", () => {
    const input = mixed(4, 200_000);
    for (const args of [["--block-size=4KiB", "-T1"], ["--block-size=10000", "-T2"], ["--block-list=1,100,5000,0"]]) {
      expectSame(decodeXz(xz(input, args)), input);
    }
  });

  it("decodes concatenated streams, with stream padding between and after them", () => {
    const a = mixed(5, 20_000);
    const b = ascii("second stream\n".repeat(100));
    const fa = xz(a, ["--check=crc32"]);
    const fb = xz(b, ["--check=sha256", "-9"]);
    const empty = xz(new Uint8Array(0), []);
    expectSame(decodeXz(concat(fa, fb)), concat(a, b));
    const padded = concat(fa, new Uint8Array(8), empty, fb, new Uint8Array(4));
    expect(xzAccepts(padded)).toBe(true);
    expectSame(decodeXz(padded), concat(a, b));
  });

  it("decodes LZMA2 option variants (small dictionary, lc/lp/pb, match finders, modes)", () => {
    const input = mixed(6, 150_000);
    for (const options of [
      "dict=4KiB,lc=0,lp=2,pb=0",
      "dict=4KiB,lc=4,lp=0,pb=4",
      "preset=6,lc=1,lp=3,pb=2",
      "preset=1,mf=hc3,mode=fast,nice=8",
      "preset=9,mf=bt2,nice=273,depth=0",
      "dict=64KiB,lc=2,lp=1,pb=1,mode=normal",
    ]) {
      expectSame(decodeXz(xz(input, [`--lzma2=${options}`])), input);
    }
  });

  it("decodes uncompressible data (LZMA2 uncompressed chunks) and a Delta + LZMA2 chain", () => {
    const noise = createRandom(7).bytes(300_000);
    const file = xz(noise, ["-6"]);
    expect(file.length).toBeGreaterThan(noise.length); // stored, not compressed
    expectSame(decodeXz(file), noise);
    const samples = mixed(8, 100_000);
    expectSame(decodeXz(xz(samples, ["--delta=dist=4", "--lzma2=preset=6"])), samples);
    expectSame(decodeXz(xz(samples, ["--delta=dist=1", "--delta=dist=256", "--lzma2=preset=0"])), samples);
  });

  it("rejects the BCJ filters and the legacy .lzma format with a clear reason", () => {
    const input = mixed(9, 10_000);
    expectInvalid(xz(input, ["--x86", "--lzma2"]), /unsupported filter 0x4/);
    expectInvalid(xz(input, ["--format=lzma"]), /bad header magic/);
  });

  it("stops at maxOutputBytes on real data", () => {
    const input = mixed(10, 200_000);
    const file = xz(input, []);
    expectSame(decodeXz(file, { maxOutputBytes: input.length }), input);
    expectInvalid(file, /maxOutputBytes/, { maxOutputBytes: input.length - 1 });
    expectInvalid(xz(new Uint8Array(5_000_000), []), /maxOutputBytes \(1048576\)/, { maxOutputBytes: 1 << 20 });
  });
});

describe.skipIf(!hasXz)("decodeXz: fuzzing with flipped and truncated bytes", () => {
  it("rejects damaged files with QUIPU_XZ_INVALID only, never another exception", () => {
    const random = createRandom(0xc0ffee);
    const bases: Uint8Array[] = [];
    const argSets = [
      ["-0"],
      ["-6", "--check=crc32"],
      ["-9e", "--check=none"],
      ["--check=sha256"],
      ["--block-size=1KiB"],
      ["--lzma2=dict=4KiB,lc=0,lp=2,pb=0"],
      ["--delta=dist=2", "--lzma2=preset=1"],
      ["--lzma2=preset=3,lc=4"],
    ];
    for (let i = 0; i < 40; i++) {
      const size = [0, 1, 50, 700, 3000, 9000][i % 6]!;
      const content = i % 5 === 4 ? random.bytes(size) : mixed(100 + i, size);
      bases.push(xz(content, argSets[i % argSets.length]!));
    }
    bases.push(concat(bases[2]!, bases[3]!), concat(bases[4]!, new Uint8Array(4), bases[5]!));

    const failures: string[] = [];
    const outcomes = { rejected: 0, decoded: 0 };
    const cases = 600;
    for (let n = 0; n < cases; n++) {
      const base = bases[n % bases.length]!;
      let damaged = base.slice();
      const mode = random.below(4);
      if (mode !== 1) {
        const flips = 1 + random.below(4);
        for (let f = 0; f < flips && damaged.length > 0; f++) {
          // a third of the flips aim at the container: the first or the last 32 bytes
          const edge = Math.min(32, damaged.length);
          const zone = random.below(6);
          const at = zone === 0 ? random.below(edge) : zone === 1 ? damaged.length - 1 - random.below(edge) : random.below(damaged.length);
          damaged[at] = damaged[at]! ^ (1 + random.below(255));
        }
      }
      if (mode >= 1 && mode <= 2) damaged = damaged.subarray(0, random.below(damaged.length + 1));
      try {
        decodeXz(damaged, { maxOutputBytes: 1 << 20 });
        outcomes.decoded++;
      } catch (error) {
        outcomes.rejected++;
        if (!isQuipuError(error, "QUIPU_XZ_INVALID")) failures.push(`case ${n}: ${String(error)}`);
        else if (error.details.reason === "unexpected decoder failure") failures.push(`case ${n}: ${String(error.cause)}`);
        else if (typeof error.details.offset !== "number" || (error.details.offset as number) < 0) failures.push(`case ${n}: bad offset`);
      }
    }
    expect(failures).toEqual([]);
    expect(outcomes.rejected + outcomes.decoded).toBe(cases);
    expect(outcomes.rejected).toBeGreaterThan(cases * 0.9);
  }, 60_000);

  it("rejects every truncation and every single-byte flip of a small file", () => {
    const content = mixed(77, 2000);
    const file = xz(content, ["--check=crc64"]);
    for (let length = 0; length < file.length; length++) {
      expect(xzErrorOf(file.subarray(0, length)).code).toBe("QUIPU_XZ_INVALID");
    }
    let decoded = 0;
    for (let at = 0; at < file.length; at++) {
      const damaged = file.slice();
      damaged[at] = damaged[at]! ^ 0x20;
      try {
        expectSame(decodeXz(damaged), content); // a flip the format cannot see must be harmless
        decoded++;
      } catch (error) {
        if (!isQuipuError(error, "QUIPU_XZ_INVALID")) throw error;
      }
    }
    expect(decoded).toBeLessThan(4);
  });
});
