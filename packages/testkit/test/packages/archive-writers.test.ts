import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { writeAr, writeNewcCpio, writeTar } from "../../src/index.js";
import { hasTool, runBytes, runOk, tempDir } from "./tools.js";

const dir = tempDir("archive-writers");
afterAll(() => dir.remove());

describe.skipIf(!hasTool("tar"))("writeTar, read by GNU tar", () => {
  const prefixed = `./${"p".repeat(120)}/${"n".repeat(90)}`;
  const paxOnly = `./${"x".repeat(150)}`;
  const longLink = `../${"t".repeat(140)}`;
  const entries = [
    { path: "./", type: "directory" as const, mtime: 1_700_000_000 },
    { path: "./file", content: "hello\n", mode: 0o640, mtime: 1_700_000_000, uid: 1000, gid: 100, uname: "alice", gname: "users" },
    { path: prefixed, content: "split into prefix and name\n" },
    { path: paxOnly, content: "needs a pax header\n" },
    { path: "./link", type: "symlink" as const, linkTarget: "file" },
    { path: "./long-link", type: "symlink" as const, linkTarget: longLink },
    { path: "./ünï/ćödé", content: "utf-8\n" },
    { path: "./empty", content: "" },
    { path: "./block", content: new Uint8Array(512).fill(0x61) },
  ];
  const tar = writeTar(entries);
  const file = dir.write("test.tar", tar);

  it("lists every entry with its type, owner, mode, size and link target", () => {
    const listing = runOk("tar", ["--quoting-style=literal", "--numeric-owner", "-tvf", file]).trim().split("\n");
    const rows = listing.map((line) => {
      const [mode, owner, size, , , ...rest] = line.split(/\s+/);
      return `${mode} ${owner} ${size} ${rest.join(" ")}`;
    });
    expect(rows).toEqual([
      "drwxr-xr-x 0/0 0 ./",
      "-rw-r----- 1000/100 6 ./file",
      `-rw-r--r-- 0/0 27 ${prefixed}`,
      `-rw-r--r-- 0/0 19 ${paxOnly}`,
      "lrwxrwxrwx 0/0 0 ./link -> file",
      `lrwxrwxrwx 0/0 0 ./long-link -> ${longLink}`,
      "-rw-r--r-- 0/0 6 ./ünï/ćödé",
      "-rw-r--r-- 0/0 0 ./empty",
      "-rw-r--r-- 0/0 512 ./block",
    ]);
    expect(runOk("tar", ["-tvf", file])).toContain("alice/users");
  });

  it("extracts the exact contents", () => {
    const target = join(dir.path, "out");
    runOk("sh", ["-c", `mkdir -p "${target}/ünï" && tar -xf "${file}" -C "${target}"`]);
    expect(readFileSync(join(target, prefixed), "utf8")).toBe("split into prefix and name\n");
    expect(readFileSync(join(target, paxOnly), "utf8")).toBe("needs a pax header\n");
    expect(readFileSync(join(target, "ünï/ćödé"), "utf8")).toBe("utf-8\n");
    expect(readFileSync(join(target, "block"))).toEqual(Buffer.alloc(512, 0x61));
  });

  it("pads to 10 KiB records by default, to the two end blocks with recordSize 0", () => {
    expect(tar.length % 10_240).toBe(0);
    const small = writeTar([{ path: "./a", content: "a" }], { recordSize: 0 });
    expect(small.length).toBe(512 + 512 + 1024);
    expect(Buffer.from(small.subarray(1024)).equals(Buffer.alloc(1024))).toBe(true);
  });

  it("writes valid ustar headers: magic, version and checksum", () => {
    const header = Buffer.from(tar.subarray(512, 1024));
    expect(header.subarray(257, 265).toString("latin1")).toBe("ustar\u000000");
    const stored = Number.parseInt(header.subarray(148, 154).toString(), 8);
    header.fill(0x20, 148, 156);
    expect(header.reduce((sum, byte) => sum + byte, 0)).toBe(stored);
  });
});

describe.skipIf(!hasTool("ar"))("writeAr, read by binutils ar", () => {
  it("lists members in order and returns their bytes, odd sizes padded", () => {
    const members = [
      { name: "debian-binary", data: Buffer.from("2.0\n"), mtime: 1_700_000_000 },
      { name: "odd", data: Buffer.from("abc") },
      { name: "fifteen-chars-x", data: Buffer.from([0, 1, 2, 255]) },
    ];
    const file = dir.write("test.a", writeAr(members));
    expect(runOk("ar", ["t", file]).trim().split("\n")).toEqual(["debian-binary", "odd", "fifteen-chars-x"]);
    for (const member of members) expect(runBytes("ar", ["p", file, member.name]).equals(member.data)).toBe(true);
    expect(runOk("ar", ["tv", file])).toMatch(/rw-r--r-- 0\/0\s+4 Nov 14 22:13 2023 debian-binary/);
  });

  it("refuses names the common format cannot hold", () => {
    expect(() => writeAr([{ name: "sixteen-chars-ok", data: new Uint8Array() }])).toThrow(expect.objectContaining({ code: "QUIPU_VALIDATION_FAILED" }));
    expect(() => writeAr([{ name: "a/b", data: new Uint8Array() }])).toThrow(expect.objectContaining({ code: "QUIPU_VALIDATION_FAILED" }));
  });
});

describe("writeNewcCpio", () => {
  // Byte-for-byte equality with rpmbuild's payload is checked in synthetic-rpm.test.ts.
  it("writes 070701 headers with 8-digit hex fields, 4-byte alignment and the trailer", () => {
    const cpio = Buffer.from(writeNewcCpio([{ name: "./usr/bin/x", mode: 0o100755, content: "hello", mtime: 0x10, ino: 7 }]));
    const field = (offset: number, index: number) => Number.parseInt(cpio.subarray(offset + 6 + 8 * index, offset + 14 + 8 * index).toString(), 16);
    expect(cpio.subarray(0, 6).toString()).toBe("070701");
    expect([field(0, 0), field(0, 1), field(0, 4), field(0, 5), field(0, 6), field(0, 11)]).toEqual([7, 0o100755, 1, 0x10, 5, 12]);
    expect(cpio.subarray(110, 122).toString("latin1")).toBe("./usr/bin/x\0");
    expect(cpio.subarray(124, 129).toString()).toBe("hello");
    const trailer = 132;
    expect(cpio.subarray(trailer, trailer + 6).toString()).toBe("070701");
    expect(cpio.subarray(trailer + 110, trailer + 120).toString()).toBe("TRAILER!!!");
    expect(cpio.length).toBe(trailer + 124);
  });
});
