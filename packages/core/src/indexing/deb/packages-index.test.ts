import { describe, expect, it } from "vitest";
import { parseControlParagraph } from "./control-fields.js";
import { renderPackagesIndex, renderPackagesStanza } from "./packages-index.js";
import type { AptPackageEntry } from "./package-entry.js";
import { renderSourcesStanza } from "./sources-index.js";
import { readDsc } from "./dsc-reader.js";

const CONTROL = `Package: quipu-lib
Version: 1:2.0-1
Architecture: amd64
Maintainer: Zoë Ünïcödé <z@example.invalid>
X-Custom-Thing: hello
Depends: libc6 (>= 2.34) | libc6-compat, foo (<< 3)
Multi-Arch: same
Section: libs
Priority: optional
Homepage: https://example.invalid
Installed-Size: 12
Description: a library — with ünïcödé
 long line one
 .
 second para
`;

const HASHES = {
  md5: "d94f0ff5b4057d1443d09f6a63fdae84",
  sha1: "ca7dd80ac69ee29d58e59e6663505114bda73c89",
  sha256: "6e734a0f9d6ec8125701d6515e6c7997b09df4e95380dbcf931a2e8a0e2256aa",
  sha512: "547acf83f4c75730908cd663466c0b1ed6491646899ddd2658ce75d490ebc07c291f4e74b00ebf4779e4a44b97b70eaca056a2e32c73d38c17832bb34152ff36",
};

// apt-ftparchive 2.6.2's output for this package (captured once on this machine).
const APT_FTPARCHIVE = `Package: quipu-lib
Architecture: amd64
Version: 1:2.0-1
Multi-Arch: same
Priority: optional
Section: libs
Maintainer: Zoë Ünïcödé <z@example.invalid>
Installed-Size: 12
Depends: libc6 (>= 2.34) | libc6-compat, foo (<< 3)
Filename: pool/main/quipu-lib_2.0-1_amd64.deb
Size: 924
MD5sum: d94f0ff5b4057d1443d09f6a63fdae84
SHA1: ca7dd80ac69ee29d58e59e6663505114bda73c89
SHA256: 6e734a0f9d6ec8125701d6515e6c7997b09df4e95380dbcf931a2e8a0e2256aa
SHA512: 547acf83f4c75730908cd663466c0b1ed6491646899ddd2658ce75d490ebc07c291f4e74b00ebf4779e4a44b97b70eaca056a2e32c73d38c17832bb34152ff36
Homepage: https://example.invalid
Description: a library — with ünïcödé
 long line one
 .
 second para
X-Custom-Thing: hello

`;

const entry: AptPackageEntry = {
  control: parseControlParagraph(CONTROL),
  filename: "pool/main/quipu-lib_2.0-1_amd64.deb",
  size: 924,
  hashes: HASHES,
};

describe("Packages stanzas", () => {
  it("match apt-ftparchive byte for byte (field order, spelling, appended fields)", () => {
    expect(renderPackagesIndex([entry])).toBe(APT_FTPARCHIVE);
  });

  it("respell known fields, drop Status and stale indexer fields, keep unknown ones in control order", () => {
    const control = parseControlParagraph("package: a\nx-b: 1\nversion: 1\nstatus: install ok installed\nSHA256: stale\nx-a: 2\narchitecture: all\nfilename: old\n");
    const stanza = renderPackagesStanza({ control, filename: "a.deb", size: 1, hashes: { sha256: "0".repeat(64) } });
    expect(stanza.pairs()).toEqual([
      ["Package", "a"],
      ["Architecture", "all"],
      ["Version", "1"],
      ["Filename", "a.deb"],
      ["Size", "1"],
      ["SHA256", "0".repeat(64)],
      ["x-b", "1"],
      ["x-a", "2"],
    ]);
  });

  it("write only the asked digests and refuse missing or malformed ones", () => {
    expect(renderPackagesStanza(entry, { hashes: ["sha256"] }).has("MD5sum")).toBe(false);
    const weak = { ...entry, hashes: { sha256: HASHES.sha256 } };
    expect(() => renderPackagesStanza(weak, { hashes: ["md5", "sha256"] })).toThrow(expect.objectContaining({ code: "QUIPU_DEB_REPO_INVALID" }));
    expect(() => renderPackagesStanza({ ...entry, hashes: { sha256: "XYZ" } })).toThrow(/sha256 is not a lower-case hex digest/);
    expect(() => renderPackagesStanza({ ...entry, hashes: {} as never })).toThrow(/SHA256 is required/);
    expect(() => renderPackagesStanza({ ...entry, filename: "../escape.deb" })).toThrow(/unsafe or empty Filename/);
    expect(() => renderPackagesStanza({ ...entry, filename: "pool/a b.deb" })).toThrow(/unsafe or empty Filename/);
    expect(() => renderPackagesStanza({ ...entry, size: -1 })).toThrow(/whole number/);
    expect(() => renderPackagesStanza({ ...entry, control: entry.control.delete("Version") })).toThrow(/no single-line Version/);
  });
});

describe("Sources stanzas", () => {
  it("match apt-ftparchive: Package first, Directory, the .dsc listed first in every list, Priority dropped", () => {
    const dsc = readDsc(`Format: 3.0 (native)
Source: quipu-src
Binary: quipu-src
Architecture: all
Version: 1.0
Priority: optional
Maintainer: Zoë <z@example.invalid>
Homepage: https://example.invalid
Standards-Version: 4.6.2
Vcs-Git: https://example.invalid/q.git
Build-Depends: debhelper-compat (= 13)
Package-List:
 quipu-src deb misc optional arch=all
Checksums-Sha1:
 73726506f6de87badfbf2b51560639ef383e6759 588 quipu-src_1.0.tar.xz
Checksums-Sha256:
 7ecc56a900162ab60d26fd92db6748eaabe198eab0a12cafe31e79a7b14b458a 588 quipu-src_1.0.tar.xz
Files:
 89551aeb09385dbf15f235d0021dcb9d 588 quipu-src_1.0.tar.xz
`);
    const stanza = renderSourcesStanza({
      dsc,
      filename: "src/quipu-src_1.0.dsc",
      size: 572,
      hashes: { md5: "7b261d72f6e76702de4e7ee243be4a66", sha1: "fe422019ab5b4fbb731042fed9f3e1105666ae8e", sha256: "27bb16c778746a0c48b32eff1b1ca4bb998b5c7f9e6f6e88d5c1d6c984774497" },
    });
    expect(stanza.toString()).toBe(`Package: quipu-src
Format: 3.0 (native)
Binary: quipu-src
Architecture: all
Version: 1.0
Maintainer: Zoë <z@example.invalid>
Standards-Version: 4.6.2
Build-Depends: debhelper-compat (= 13)
Homepage: https://example.invalid
Vcs-Git: https://example.invalid/q.git
Directory: src
Package-List:
 quipu-src deb misc optional arch=all
Files:
 7b261d72f6e76702de4e7ee243be4a66 572 quipu-src_1.0.dsc
 89551aeb09385dbf15f235d0021dcb9d 588 quipu-src_1.0.tar.xz
Checksums-Sha1:
 fe422019ab5b4fbb731042fed9f3e1105666ae8e 572 quipu-src_1.0.dsc
 73726506f6de87badfbf2b51560639ef383e6759 588 quipu-src_1.0.tar.xz
Checksums-Sha256:
 27bb16c778746a0c48b32eff1b1ca4bb998b5c7f9e6f6e88d5c1d6c984774497 572 quipu-src_1.0.dsc
 7ecc56a900162ab60d26fd92db6748eaabe198eab0a12cafe31e79a7b14b458a 588 quipu-src_1.0.tar.xz
`);
  });
});
