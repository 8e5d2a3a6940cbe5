import { describe, expect, it } from "vitest";
import { BinarySchema, isGenericDistroVersion } from "./binary.js";

const good = {
  project: "ceph",
  ref: "main",
  sha1: "45B4CBE8DE1BA3B4D3E2A1B0C9D8E7F6A5B4C3D2",
  distro: "centos",
  distro_version: "9",
  arch: "x86_64",
  name: "ceph-common-20.3.0-123.gabc.el9.x86_64.rpm",
  size: 12_345,
  checksum: "a".repeat(128),
  path: "/opt/binaries/ceph/main/x/centos/9/x86_64/flavors/default/ceph-common.rpm",
  created: "2026-08-20T10:11:12Z",
  modified: "2026-08-20T10:11:13Z",
};

describe("BinarySchema", () => {
  it("accepts a stored binary, lowercasing the sha1 and defaulting flavor, signed and built_by", () => {
    const binary = BinarySchema.parse(good);
    expect(binary).toMatchObject({ sha1: good.sha1.toLowerCase(), flavor: "default", signed: false, built_by: null });
  });

  it("accepts a metadata-only binary (no file, no checksum)", () => {
    const binary = BinarySchema.parse({ ...good, checksum: undefined, path: undefined, size: undefined });
    expect(binary).toMatchObject({ checksum: null, path: null, size: 0 });
  });

  it.each([
    ["a file name with a slash", { name: "x/../y.rpm" }],
    ["a negative size", { size: -1 }],
    ["a fractional size", { size: 1.5 }],
    ["a sha256 checksum", { checksum: "a".repeat(64) }],
    ["a missing arch", { arch: undefined }],
    ["a bad created time", { created: "now" }],
  ])("rejects %s", (_name, override) => {
    expect(BinarySchema.safeParse({ ...good, ...override }).success).toBe(false);
  });
});

describe("isGenericDistroVersion", () => {
  it("recognises chacra's distro-independent versions", () => {
    for (const version of ["generic", "universal", "any"]) expect(isGenericDistroVersion(version)).toBe(true);
    for (const version of ["jammy", "9", "Generic"]) expect(isGenericDistroVersion(version)).toBe(false);
  });
});
