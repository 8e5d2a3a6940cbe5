import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { buildDeb, buildTar, bytesOf } from "../../../test/deb/archive-builders.js";
import { createCodecs } from "../codecs.js";
import { readDebControl } from "./deb-reader.js";

const codecs = createCodecs();
const CONTROL = "Package: hello\nVersion: 1:2.0-1\nArchitecture: amd64\nMaintainer: Zoë <z@example.invalid>\nDescription: hi\n there\n";

function failure(bytes: Uint8Array): { code: string; reason: string; offset?: number } {
  try {
    readDebControl(bytes, { codecs, fileName: "x.deb" });
  } catch (error) {
    const e = error as { code: string; details: { reason: string; offset?: number; file: string } };
    expect(e.details.file).toBe("x.deb");
    return { code: e.code, ...e.details };
  }
  throw new Error("expected readDebControl to fail");
}

describe("readDebControl", () => {
  it("reads the control paragraph of an uncompressed and a gzip control.tar", () => {
    for (const [member, compress] of [
      ["control.tar", undefined],
      ["control.tar.gz", (tar: Uint8Array) => gzipSync(tar)],
    ] as const) {
      const deb = readDebControl(buildDeb({ control: CONTROL, controlMember: member, controlCompress: compress }), { codecs });
      expect(deb).toMatchObject({
        package: "hello",
        version: "1:2.0-1",
        architecture: "amd64",
        source: "hello",
        formatVersion: "2.0",
        controlFiles: ["", "control"],
        textEncoding: "utf-8",
        dataCompression: "none",
      });
      expect(deb.control.get("Maintainer")).toBe("Zoë <z@example.invalid>");
      expect(deb.control.get("Description")).toBe("hi\n there");
    }
  });

  it("skips _ members, accepts GNU names, format 2.x and ignores members after data.tar", () => {
    const bytes = buildDeb({
      control: `${CONTROL}Source: hello-src (1.0)\n`,
      debianBinary: "2.1\nextra\n",
      between: [{ name: "_gpgorigin", data: "sig" }],
      after: [{ name: "anything", data: "x" }],
      gnuNames: true,
    });
    const deb = readDebControl(bytes, { codecs });
    expect(deb).toMatchObject({ formatVersion: "2.1", source: "hello-src" });
  });

  it("falls back to Latin-1 for control text that is not UTF-8", () => {
    const latin1 = Uint8Array.from([...bytesOf("Package: a\nVersion: 1\nArchitecture: all\nMaintainer: Zo"), 0xeb, 0x0a]);
    const tar = buildTar([{ name: "./control", data: latin1 }]);
    const deb = readDebControl(buildDeb({ control: "", controlTar: tar }), { codecs });
    expect(deb).toMatchObject({ textEncoding: "latin1" });
    expect(deb.control.get("Maintainer")).toBe("Zoë");
  });

  it("names what is wrong with a bad package", () => {
    expect(failure(bytesOf("hello world, not a deb"))).toMatchObject({ code: "QUIPU_DEB_INVALID", reason: "not an ar archive (bad magic)", offset: 0 });
    expect(failure(bytesOf("!<arch>\n")).reason).toMatch(/empty ar archive/);
    expect(failure(buildDeb({ control: CONTROL, before: [{ name: "other", data: "x" }] })).reason).toMatch(/first member is 'other'/);
    expect(failure(buildDeb({ control: CONTROL, debianBinary: "3.0\n" })).reason).toMatch(/unsupported .deb format version 3.0/);
    expect(failure(buildDeb({ control: CONTROL, debianBinary: "0.939000\n" })).reason).toMatch(/unsupported .deb format version/);
    expect(failure(buildDeb({ control: CONTROL, debianBinary: "junk" })).reason).toMatch(/no format version/);
    expect(failure(buildDeb({ control: CONTROL, controlMember: "control.tar.lz4" })).reason).toMatch(/unsupported control member compression/);
    expect(failure(buildDeb({ control: CONTROL, controlMember: "meta.tar" })).reason).toMatch(/where control.tar was expected/);
    expect(failure(buildDeb({ control: CONTROL, between: [{ name: "extra", data: "x" }] })).reason).toMatch(/where data.tar was expected/);
    expect(failure(buildDeb({ control: CONTROL, controlMember: "control.tar.gz" })).reason).toMatch(/cannot decompress control.tar.gz/);
    expect(failure(buildDeb({ control: "", controlTar: buildTar([{ name: "./postinst", data: "#!/bin/sh\n" }]) })).reason).toBe("control.tar has no control file");
    expect(failure(buildDeb({ control: "", controlTar: buildTar([{ name: "./control", type: "2", linkName: "x" }]) })).reason).toMatch(/symlink, not a regular file/);
    expect(failure(buildDeb({ control: "Version: 1\nArchitecture: all\n" })).reason).toBe("control file lacks the Package field");
    expect(failure(buildDeb({ control: "Package: a b\nVersion: 1\nArchitecture: all\n" })).reason).toMatch(/invalid Package/);
    expect(failure(buildDeb({ control: "Package: a\nVersion: 1 0\nArchitecture: all\n" })).reason).toMatch(/invalid Version/);
    expect(failure(buildDeb({ control: "Package: a\nVersion: 1\nArchitecture: AMD64\n" })).reason).toMatch(/invalid Architecture/);
    expect(failure(buildDeb({ control: "Package: a\nVersion: 1\n" })).reason).toMatch(/lacks the Architecture field/);
    expect(failure(buildDeb({ control: "Package: a\nPackage: b\n" }))).toMatchObject({ code: "QUIPU_DEB_INVALID", reason: expect.stringMatching(/unreadable control file: .*duplicate field/) });
    const whole = buildDeb({ control: CONTROL });
    expect(failure(whole.subarray(0, whole.length - 600)).reason).toMatch(/'data.tar' is truncated|no data.tar member/);
    expect(failure(whole.subarray(0, 100)).reason).toMatch(/truncated/);
  });

  it("reports a missing codec as QUIPU_CODEC_UNSUPPORTED", () => {
    // xz decoding is built into the core; zstd needs the adapter, so the pure codecs lack it.
    const bytes = buildDeb({ control: CONTROL, controlMember: "control.tar.zst", controlCompress: (tar) => tar });
    expect(() => readDebControl(bytes, { codecs })).toThrow(expect.objectContaining({ code: "QUIPU_CODEC_UNSUPPORTED" }));
  });
});
