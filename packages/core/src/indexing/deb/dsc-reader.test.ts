import { describe, expect, it } from "vitest";
import { readDsc, stripClearSignature } from "./dsc-reader.js";

const DSC = `Format: 3.0 (native)
Source: quipu-src
Binary: quipu-src, quipu-src-doc
Architecture: all
Version: 1:1.0-2
Maintainer: Zoë <z@example.invalid>
Package-List:
 quipu-src deb misc optional arch=all
Checksums-Sha1:
 73726506f6de87badfbf2b51560639ef383e6759 588 quipu-src_1.0.tar.xz
Checksums-Sha256:
 7ecc56a900162ab60d26fd92db6748eaabe198eab0a12cafe31e79a7b14b458a 588 quipu-src_1.0.tar.xz
Files:
 89551aeb09385dbf15f235d0021dcb9d 588 quipu-src_1.0.tar.xz
`;

const signed = (body: string) => `-----BEGIN PGP SIGNED MESSAGE-----
Hash: SHA256

${body}
-----BEGIN PGP SIGNATURE-----

iQEzBAEBCAAdFiEE
=abcd
-----END PGP SIGNATURE-----
`;

function reason(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toMatchObject({ code: "QUIPU_DEB_DSC_INVALID" });
    return (error as { details: { reason: string } }).details.reason;
  }
  throw new Error("expected QUIPU_DEB_DSC_INVALID");
}

describe("readDsc", () => {
  it("parses an unsigned .dsc and merges its file lists", () => {
    const dsc = readDsc(new TextEncoder().encode(DSC), { fileName: "q.dsc" });
    expect(dsc).toMatchObject({ source: "quipu-src", version: "1:1.0-2", format: "3.0 (native)", architecture: "all", signed: false });
    expect(dsc.binaries).toEqual(["quipu-src", "quipu-src-doc"]);
    expect(dsc.files).toEqual([
      {
        name: "quipu-src_1.0.tar.xz",
        size: 588,
        md5: "89551aeb09385dbf15f235d0021dcb9d",
        sha1: "73726506f6de87badfbf2b51560639ef383e6759",
        sha256: "7ecc56a900162ab60d26fd92db6748eaabe198eab0a12cafe31e79a7b14b458a",
      },
    ]);
  });

  it("strips clear-sign armor, including dash-escaping", () => {
    const dsc = readDsc(signed(`${DSC.replace("Format:", "Format:")}`), { fileName: "q.dsc" });
    expect(dsc.signed).toBe(true);
    expect(dsc.paragraph.toString()).toBe(DSC);
    expect(stripClearSignature(signed("- -dashed: x\nA: b\n")).text).toBe("-dashed: x\nA: b\n\n");
    expect(stripClearSignature("A: b\n")).toEqual({ text: "A: b\n", signed: false });
  });

  it("refuses broken armor and inconsistent lists", () => {
    expect(reason(() => readDsc(signed(DSC).split("-----BEGIN PGP SIGNATURE-----")[0] ?? ""))).toMatch(/no signature block/);
    expect(reason(() => readDsc(signed(DSC).replace("-----END PGP SIGNATURE-----", "")))).toMatch(/not terminated/);
    expect(reason(() => readDsc(`${signed(DSC)}trailing\n`))).toBe("data after the PGP signature");
    expect(reason(() => readDsc("-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256"))).toMatch(/truncated armor/);
    expect(reason(() => readDsc(`junk\n${signed(DSC)}`))).toMatch(/does not start with a signed-message header/);
    expect(reason(() => readDsc(DSC.replace("Source: quipu-src\n", "")))).toBe("no Source field");
    expect(reason(() => readDsc(DSC.replace("Version: 1:1.0-2", "Version: bad version")))).toMatch(/invalid Version/);
    expect(reason(() => readDsc(DSC.replace(/Checksums-Sha1:[\s\S]*$/, "")))).toBe("no Files or Checksums-* list");
    expect(reason(() => readDsc(DSC.replace(" 588 quipu-src_1.0.tar.xz\nFiles", " 589 quipu-src_1.0.tar.xz\nFiles")))).toMatch(/different sizes/);
    expect(reason(() => readDsc(DSC.replace("588 quipu-src_1.0.tar.xz\nChecksums-Sha256", "588 other.tar.xz\nChecksums-Sha256")))).toMatch(/does not/);
    expect(reason(() => readDsc(DSC.replace("89551aeb09385dbf15f235d0021dcb9d 588", "8955 588")))).toMatch(/not a md5 digest/);
    expect(reason(() => readDsc(DSC.replace("588 quipu-src_1.0.tar.xz\n", "588 ../evil\n")))).toMatch(/unsafe file/);
    expect(reason(() => readDsc(DSC.replace("Files:\n 8", "Files:\n garbage\n 8")))).toMatch(/malformed line in Files/);
    expect(reason(() => readDsc("Source: a\n\nSource: b\n"))).toMatch(/unreadable control paragraph/);
  });
});
