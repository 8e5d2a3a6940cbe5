import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isQuipuError } from "../../errors/quipu-error.js";
import { sniffCompression } from "../../indexing/codecs.js";
import { createNodeCodecs } from "./index.js";

const sample = new TextEncoder().encode("Package: quipu\nVersion: 1.0\n".repeat(500));

function viaProgram(program: string, args: string[], input: Uint8Array): Uint8Array {
  const result = spawnSync(program, args, { input, maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`${program} failed`);
  return result.stdout;
}

describe("node codecs", () => {
  const codecs = createNodeCodecs();

  it.each(["gzip", "xz", "zstd", "none"] as const)("round-trips %s", (format) => {
    expect(codecs.supports(format, "compress")).toBe(true);
    expect(codecs.supports(format, "decompress")).toBe(true);
    const packed = codecs.compress(format, sample);
    if (format !== "none") expect(sniffCompression(packed)).toBe(format);
    expect(Buffer.from(codecs.decompress(format, packed))).toEqual(Buffer.from(sample));
  });

  it("reads what the real xz and zstd programs write", () => {
    const data = randomBytes(100_000);
    expect(Buffer.from(codecs.decompress("xz", viaProgram("xz", ["-c"], data)))).toEqual(data);
    expect(Buffer.from(codecs.decompress("zstd", viaProgram("zstd", ["-c", "-q"], data)))).toEqual(data);
  });

  it("writes what the real programs read", () => {
    expect(Buffer.from(viaProgram("xz", ["-dc"], codecs.compress("xz", sample)))).toEqual(Buffer.from(sample));
    expect(Buffer.from(viaProgram("zstd", ["-dc", "-q"], codecs.compress("zstd", sample)))).toEqual(Buffer.from(sample));
  });

  it.each(["gzip", "xz", "zstd"] as const)("corrupt %s data gives a typed error", (format) => {
    const packed = codecs.compress(format, sample).slice(0, 40);
    let caught: unknown;
    try {
      codecs.decompress(format, packed);
    } catch (error) {
      caught = error;
    }
    expect(isQuipuError(caught)).toBe(true);
  });

  it("a missing program means compress is unsupported, with a typed error", () => {
    const missing = createNodeCodecs({ programs: { xz: "/nonexistent/xz" } });
    expect(missing.supports("xz", "compress")).toBe(false);
    expect(missing.supports("xz", "decompress")).toBe(true);
    expect(() => missing.compress("xz", sample)).toThrow(expect.objectContaining({ code: "QUIPU_CODEC_UNSUPPORTED" }));
  });

  it("compresses asynchronously to the same bytes, while this thread does other work", async () => {
    const large = new TextEncoder().encode(Array.from({ length: 20_000 }, (_, i) => `Package: p${i}\nVersion: ${i}\n`).join("\n"));
    for (const format of ["xz", "zstd", "gzip", "none"] as const) {
      const pending = codecs.compressAsync!(format, large);
      // Busy here, without yielding: the program must not need this thread to feed it.
      const until = Date.now() + 50;
      while (Date.now() < until);
      expect(Buffer.from(await pending).equals(Buffer.from(codecs.compress(format, large))), format).toBe(true);
    }
    const failing = createNodeCodecs({ programs: { xz: "false" } });
    await expect(failing.compressAsync!("xz", sample)).rejects.toMatchObject({ code: "QUIPU_CODEC_UNSUPPORTED" });
  });

  it("bzip2 is not configured", () => {
    expect(codecs.supports("bzip2", "decompress")).toBe(false);
    expect(() => codecs.decompress("bzip2", sample)).toThrow(expect.objectContaining({ code: "QUIPU_CODEC_UNSUPPORTED" }));
  });
});

describe("xz output", () => {
  it("is one multi-block stream that the xz program and our decoder read, the same bytes every time", { timeout: 20_000 }, () => {
    const codecs = createNodeCodecs();
    const text = new TextEncoder().encode(Array.from({ length: 40_000 }, (_, i) => `Package: p${i}\nVersion: ${i % 97}.0\n`).join("\n"));
    const first = codecs.compress("xz", text);
    expect(Buffer.from(codecs.compress("xz", text)).equals(first)).toBe(true);
    // `xz --list` needs a seekable file, not a pipe.
    const file = join(mkdtempSync(join(tmpdir(), "quipu-xz-")), "index.xz");
    writeFileSync(file, first);
    const listing = spawnSync("xz", ["--robot", "--list", file]).stdout.toString();
    expect(listing).toMatch(/^totals\t1\t/m); // one stream
    expect(Number(listing.match(/^totals\t\d+\t(\d+)/m)?.[1])).toBeGreaterThan(1); // several blocks
    // Buffer.equals: vitest's deep equality walks a megabyte byte by byte for seconds.
    expect(Buffer.from(codecs.decompress("xz", first)).equals(text)).toBe(true);
    expect(Buffer.from(viaProgram("xz", ["-dc"], first)).equals(text)).toBe(true);
  });
});
