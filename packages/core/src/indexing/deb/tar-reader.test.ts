import { describe, expect, it } from "vitest";
import { buildTar, bytesOf } from "../../../test/deb/archive-builders.js";
import { iterateTarEntries, normaliseTarPath } from "./tar-reader.js";

const text = (data: Uint8Array) => new TextDecoder().decode(data);
const entries = (bytes: Uint8Array) => [...iterateTarEntries(bytes, { file: "x.deb", member: "control.tar" })];

function codeAndReason(fn: () => unknown): [string, string] {
  try {
    fn();
  } catch (error) {
    const e = error as { code: string; details: { reason: string } };
    return [e.code, e.details.reason];
  }
  return ["none", ""];
}

describe("iterateTarEntries", () => {
  it("reads ustar entries, normalising ./ prefixes", () => {
    const tar = buildTar([
      { name: "./", type: "5" },
      { name: "./control", data: "Package: a\n" },
      { name: "./md5sums", data: "" },
      { name: "./link", type: "2", linkName: "control" },
    ]);
    const list = entries(tar);
    expect(list.map((e) => [e.name, e.type, e.size])).toEqual([
      ["", "directory", 0],
      ["control", "file", 11],
      ["md5sums", "file", 0],
      ["link", "symlink", 0],
    ]);
    expect(text(list[1]?.data ?? new Uint8Array())).toBe("Package: a\n");
    expect(list[3]?.linkName).toBe("control");
  });

  it("handles v7 headers, GNU long names, pax paths and the ustar prefix field", () => {
    const long = `./${"d".repeat(80)}/${"f".repeat(90)}`;
    const tar = buildTar([
      { name: "./v7file", data: "v7", format: "v7" },
      { name: long, data: "gnu", format: "gnu" },
      { name: `./pax/${"p".repeat(120)}`, data: "pax", format: "pax" },
      { name: long, data: "prefix", format: "ustar" },
    ]);
    const list = entries(tar);
    expect(list.map((e) => e.name)).toEqual(["v7file", long.slice(2), `pax/${"p".repeat(120)}`, long.slice(2)]);
    expect(list.map((e) => text(e.data))).toEqual(["v7", "gnu", "pax", "prefix"]);
  });

  it("stops at the first zero block and tolerates a missing end-of-archive marker", () => {
    expect(entries(buildTar([{ name: "a", data: "1" }], { noEnd: true })).map((e) => e.name)).toEqual(["a"]);
    expect(entries(new Uint8Array(0))).toEqual([]);
  });

  it("normalises paths", () => {
    expect(normaliseTarPath("./control")).toBe("control");
    expect(normaliseTarPath("././/control")).toBe("control");
    expect(normaliseTarPath("./")).toBe("");
    expect(normaliseTarPath("dir/")).toBe("dir");
  });

  it("refuses bad checksums, truncation, corrupt numbers and dangling extended headers", () => {
    expect(codeAndReason(() => entries(buildTar([{ name: "a", data: "1", badChecksum: true }])))).toEqual(["QUIPU_DEB_INVALID", "tar header checksum mismatch"]);
    const tar = buildTar([{ name: "a", data: "x".repeat(700) }]);
    expect(codeAndReason(() => entries(tar.subarray(0, 600)))[1]).toMatch(/tar entry is truncated/);
    expect(codeAndReason(() => entries(tar.subarray(0, 100)))[1]).toMatch(/truncated tar header/);
    const corrupt = tar.slice();
    corrupt[124] = 0x39; // '9' in the octal size field
    expect(codeAndReason(() => entries(corrupt))[0]).toBe("QUIPU_DEB_INVALID");
    const gnu = buildTar([{ name: `${"x".repeat(120)}`, data: "1", format: "gnu" }]);
    expect(codeAndReason(() => entries(gnu.subarray(0, 1024)))[1]).toMatch(/ends after an extended header/);
    expect(codeAndReason(() => entries(bytesOf("x".repeat(512))))[0]).toBe("QUIPU_DEB_INVALID");
  });

  it("reads GNU base-256 sizes", () => {
    const tar = buildTar([{ name: "a", data: "hello" }]);
    const patched = tar.slice();
    patched.fill(0, 124, 136);
    patched[124] = 0x80;
    patched[135] = 5;
    let sum = 0;
    patched.fill(0x20, 148, 156);
    for (let i = 0; i < 512; i += 1) sum += patched[i] ?? 0;
    patched.set(bytesOf(`${sum.toString(8).padStart(6, "0")}\0 `), 148);
    expect(entries(patched).map((e) => text(e.data))).toEqual(["hello"]);
  });
});
