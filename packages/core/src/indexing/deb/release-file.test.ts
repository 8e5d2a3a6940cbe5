import { describe, expect, it } from "vitest";
import { computeFileHashes } from "./file-hashes.js";
import { formatReleaseDate, renderRelease } from "./release-file.js";

const date = new Date("2024-11-09T10:05:58Z");
const packages = new TextEncoder().encode("Package: a\n\n");

describe("renderRelease", () => {
  it("formats dates as RFC 2822 in UTC", () => {
    expect(formatReleaseDate(date)).toBe("Sat, 09 Nov 2024 10:05:58 UTC");
    expect(formatReleaseDate(new Date("2025-01-01T00:00:00Z"))).toBe("Wed, 01 Jan 2025 00:00:00 UTC");
    expect(() => formatReleaseDate(new Date("nope"))).toThrow(expect.objectContaining({ code: "QUIPU_DEB_REPO_INVALID" }));
  });

  it("writes the fields in Debian's order and apt-ftparchive's checksum layout, files sorted", () => {
    const text = renderRelease(
      {
        origin: "quipu",
        label: "quipu ceph",
        suite: "stable",
        codename: "bookworm",
        version: "1.2",
        date,
        validUntil: new Date("2024-11-16T10:05:58Z"),
        acquireByHash: true,
        architectures: ["all", "amd64"],
        noSupportForArchitectureAll: true,
        components: ["main"],
        description: "quipu test",
        hashes: ["md5", "sha256"],
      },
      [
        { path: "main/binary-amd64/Packages.gz", size: 31, hashes: { md5: "1".repeat(32), sha256: "2".repeat(64) } },
        { path: "main/binary-amd64/Packages", size: packages.length, hashes: computeFileHashes(packages) },
      ],
    );
    const md5 = computeFileHashes(packages).md5 ?? "";
    expect(text).toBe(`Origin: quipu
Label: quipu ceph
Suite: stable
Version: 1.2
Codename: bookworm
Date: Sat, 09 Nov 2024 10:05:58 UTC
Valid-Until: Sat, 16 Nov 2024 10:05:58 UTC
Acquire-By-Hash: yes
No-Support-for-Architecture-all: Packages
Architectures: all amd64
Components: main
Description: quipu test
MD5Sum:
 ${md5}               12 main/binary-amd64/Packages
 ${"1".repeat(32)}               31 main/binary-amd64/Packages.gz
SHA256:
 ${computeFileHashes(packages).sha256}               12 main/binary-amd64/Packages
 ${"2".repeat(64)}               31 main/binary-amd64/Packages.gz
`);
  });

  it("refuses weak-only hashes, a Valid-Until before Date, multi-line fields and unsafe paths", () => {
    const code = expect.objectContaining({ code: "QUIPU_DEB_REPO_INVALID" });
    expect(() => renderRelease({ date, hashes: ["md5", "sha1"] }, [])).toThrow(code);
    expect(() => renderRelease({ date, validUntil: date }, [])).toThrow(/Valid-Until must be after Date/);
    expect(() => renderRelease({ date, origin: "a\nSHA256: x" }, [])).toThrow(/one non-empty line/);
    expect(() => renderRelease({ date, architectures: ["amd 64"] }, [])).toThrow(/not one word/);
    expect(() => renderRelease({ date }, [{ path: "../x", size: 1, hashes: { sha256: "0".repeat(64) } }])).toThrow(/unsafe path/);
    expect(() => renderRelease({ date }, [{ path: "x", size: 1, hashes: { sha256: "0".repeat(64) } }])).toThrow(/no md5 digest/);
  });
});
