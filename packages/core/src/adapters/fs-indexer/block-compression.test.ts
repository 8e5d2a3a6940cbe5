import { createHash } from "node:crypto";
import { spawnSync } from "node:child_process";
import { crc32, gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { createCodecs } from "../../indexing/codecs.js";
import { blockBoundaries, composeDocument, crc32Combine, memorySource, zstdRawFrame, type CompressedSegment, type SegmentStore } from "./block-compression.js";

function store(): SegmentStore & { map: Map<string, CompressedSegment> } {
  const map = new Map<string, CompressedSegment>();
  return { map, get: (key) => map.get(key), set: (key, value) => void map.set(key, value) };
}

function items(count: number, size = 900, salt = "") {
  return Array.from({ length: count }, (_, i) => {
    const bytes = Buffer.from(`<package n="${salt}${i}">${"x".repeat(size)}${i}</package>\n`);
    return { bytes, id: createHash("sha256").update(bytes).digest("hex").slice(0, 32) };
  });
}

const zstdAvailable = spawnSync("zstd", ["--version"]).status === 0;

describe("block compression", () => {
  it("combines CRC-32s like zlib", () => {
    const a = Buffer.from("hello, ");
    const b = Buffer.from("world ".repeat(1000));
    expect(crc32Combine(crc32(a), crc32(b), b.length)).toBe(crc32(Buffer.concat([a, b])));
    expect(crc32Combine(crc32(a), crc32(Buffer.alloc(0)), 0)).toBe(crc32(a));
  });

  it("splits on content: inserting an item only moves the boundaries next to it", () => {
    const list = items(2000);
    const ends = blockBoundaries(memorySource(list));
    expect(ends.length).toBeGreaterThan(5);
    const extra = items(1, 900, "new")[0]!;
    const changed = [...list.slice(0, 1000), extra, ...list.slice(1000)];
    const endsAfter = blockBoundaries(memorySource(changed));
    const shifted = endsAfter.map((end) => (end > 1000 ? end - 1 : end));
    const common = ends.filter((end) => shifted.includes(end));
    expect(common.length).toBeGreaterThanOrEqual(ends.length - 2);
  });

  it("assembles one valid gzip member from reusable segments; reuses unchanged blocks", async () => {
    const list = items(1500);
    const segments = store();
    const head = Buffer.from("<head>\n");
    const foot = Buffer.from("</head>");
    const first = await composeDocument({ format: "gzip", head, source: memorySource(list), foot, codecs: createCodecs(), store: segments });
    const open = Buffer.concat([head, ...list.map((i) => i.bytes), foot]);
    expect(gunzipSync(first.stored).equals(open)).toBe(true);
    expect(first.openLength).toBe(open.length);
    expect(first.openDigests["sha256"]).toBe(createHash("sha256").update(open).digest("hex"));
    expect(first.compressedBlocks).toBe(first.blocks);

    const changed = [...list.slice(0, 700), ...items(1, 900, "new"), ...list.slice(700)];
    const second = await composeDocument({ format: "gzip", head, source: memorySource(changed), foot, codecs: createCodecs(), store: segments });
    expect(gunzipSync(second.stored).equals(Buffer.concat([head, ...changed.map((i) => i.bytes), foot]))).toBe(true);
    expect(second.compressedBlocks).toBeLessThanOrEqual(2);
    // The same items from scratch give the same bytes.
    const scratch = await composeDocument({ format: "gzip", head, source: memorySource(changed), foot, codecs: createCodecs(), store: store() });
    expect(Buffer.from(scratch.stored).equals(Buffer.from(second.stored))).toBe(true);
  });

  it("handles empty documents", async () => {
    const empty = await composeDocument({ format: "gzip", source: memorySource([]), codecs: createCodecs(), store: store() });
    expect(gunzipSync(empty.stored).length).toBe(0);
  });

  it.skipIf(!zstdAvailable)("writes raw zstd frames any decoder reads, and concatenated frames", async () => {
    for (const size of [0, 1, 255, 256, 70_000, 200_000]) {
      const data = Buffer.alloc(size, "q");
      const out = spawnSync("zstd", ["-d", "-c", "-q"], { input: zstdRawFrame(data) });
      expect(out.status, out.stderr.toString()).toBe(0);
      expect(out.stdout.equals(data)).toBe(true);
    }
    const codecs = createCodecs({ zstd: { compress: (d) => spawnSync("zstd", ["-q", "-c"], { input: d }).stdout } });
    const list = items(300);
    const doc = await composeDocument({ format: "zstd", head: Buffer.from("<h>"), source: memorySource(list), foot: Buffer.from("</h>"), codecs, store: store() });
    const out = spawnSync("zstd", ["-d", "-c", "-q"], { input: doc.stored });
    expect(out.stdout.equals(Buffer.concat([Buffer.from("<h>"), ...list.map((i) => i.bytes), Buffer.from("</h>")]))).toBe(true);
  });
});
