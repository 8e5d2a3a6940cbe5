/**
 * Mutation fuzzing of the reader with a seeded PRNG (reproducible): truncations, bit flips, word
 * overwrites aimed at header index entries, garbage with and without valid magics, splices. The
 * only acceptable outcomes are a result that renders without error, or a QUIPU_RPM_INVALID naming
 * the file, a reason and an offset.
 */
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { isQuipuError } from "../../src/errors/quipu-error.js";
import { readRpm, renderRpmPackage } from "../../src/indexing/rpm/index.js";
import { basicPackageTags, encodeRpm, int16, int32, strs } from "./synthetic-rpm.js";
import { rpmFixtures } from "./rpm-fixtures.js";

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Outcome = "ok" | "invalid";

function attempt(bytes: Uint8Array, label: string): Outcome {
  try {
    const metadata = readRpm(bytes, { fileName: label });
    renderRpmPackage({ metadata, href: "x.rpm", size: bytes.length, pkgid: "0".repeat(64), fileMtime: 0 });
    renderRpmPackage({ metadata, href: "x.rpm", size: bytes.length, pkgid: "0".repeat(64), fileMtime: 0 }, { changelogLimit: Infinity, legacyWeakDeps: false });
    return "ok";
  } catch (error) {
    if (!isQuipuError(error, "QUIPU_RPM_INVALID")) {
      throw new Error(`${label}: unexpected ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
    }
    const details = error.details as { file: unknown; reason: unknown; offset: unknown };
    expect(details.file).toBe(label);
    expect(typeof details.reason).toBe("string");
    expect(Number.isInteger(details.offset)).toBe(true);
    return "invalid";
  }
}

describe("readRpm fuzzing", () => {
  let seeds: { name: string; bytes: Uint8Array; headerEnd: number }[];

  beforeAll(() => {
    const real = rpmFixtures().all.map((f) => ({ name: f.fileName, bytes: new Uint8Array(readFileSync(f.path)) }));
    const synthetic = encodeRpm({
      header: basicPackageTags([
        [1118, strs("/etc/", "/usr/bin/")],
        [1117, strs("a", "b")],
        [1116, int32(0, 1)],
        [1030, int16(0o40755, 0o100755)],
        [1037, int32(0, 64)],
        [1080, int32(3, 2, 2)],
        [1081, strs("x", "y ", "z")],
        [1082, strs("1", "2", "3")],
      ]),
    });
    seeds = [...real, { name: "synthetic.rpm", bytes: synthetic }].map((s) => ({ ...s, headerEnd: readRpm(s.bytes).headerRange.end }));
  }, 120_000);

  it("survives 800 mutated packages with only success or QUIPU_RPM_INVALID", () => {
    const random = mulberry32(0x5eed_2024);
    const int = (n: number) => Math.floor(random() * n);
    const counts: Record<Outcome, number> = { ok: 0, invalid: 0 };
    for (let i = 0; i < 800; i++) {
      const seed = seeds[int(seeds.length)]!;
      let bytes = seed.bytes.slice();
      const kind = i % 8;
      if (kind === 0) {
        bytes = bytes.subarray(0, int(seed.headerEnd + 64));
      } else if (kind === 1 || kind === 2) {
        const flips = 1 + int(8);
        for (let f = 0; f < flips; f++) {
          const at = int(seed.headerEnd);
          bytes[at]! ^= 1 << int(8);
        }
      } else if (kind === 3) {
        // overwrite a 32-bit word inside an index entry of either header
        const value = [0, 0xffffffff, 0x7fffffff, 0x80000000, int(0x10000), int(64)][int(6)]!;
        const at = 96 + 16 + int(Math.floor((seed.headerEnd - 112) / 4)) * 4;
        new DataView(bytes.buffer).setUint32(Math.min(at, bytes.length - 4), value >>> 0);
      } else if (kind === 4) {
        bytes = Uint8Array.from({ length: int(20_000) }, () => int(256));
      } else if (kind === 5) {
        const garbage = Uint8Array.from({ length: 96 + int(5000) }, () => int(256));
        garbage.set(seed.bytes.subarray(0, 96 + (random() < 0.5 ? 16 : 0)));
        bytes = garbage;
      } else if (kind === 6) {
        const other = seeds[int(seeds.length)]!.bytes;
        const cut = int(seed.headerEnd);
        bytes = new Uint8Array([...seed.bytes.subarray(0, cut), ...other.subarray(int(other.length))]);
      } else {
        // zero or 0xff runs across the main header's index and store
        const start = int(seed.headerEnd);
        bytes.fill(random() < 0.5 ? 0 : 0xff, start, start + 1 + int(32));
      }
      counts[attempt(bytes, `case-${i}.rpm`)]++;
    }
    expect(counts.invalid).toBeGreaterThan(300);
    expect(counts.ok).toBeGreaterThan(20);
  });

  it("handles every truncation point of one real header", () => {
    const seed = seeds.find((s) => s.name.startsWith("quipu-nodeps-1.1"))!;
    for (let cut = 0; cut < seed.headerEnd; cut += 7) {
      expect(attempt(seed.bytes.subarray(0, cut), "cut.rpm")).toBe("invalid");
    }
  });
});
