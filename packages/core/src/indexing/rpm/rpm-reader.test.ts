import { describe, expect, it } from "vitest";
import { isQuipuError } from "../../errors/quipu-error.js";
import { basicPackageTags, encodeRpm, i18n, int16, int32, int64, str, strs } from "../../../test/rpm/synthetic-rpm.js";
import { readRpm } from "./rpm-reader.js";
import { RpmSense, RpmTag } from "./tag-ids.js";

function invalid(fn: () => unknown): { reason: string; offset: number; file: string | null } {
  try {
    fn();
  } catch (error) {
    expect(isQuipuError(error, "QUIPU_RPM_INVALID")).toBe(true);
    return (error as { details: { reason: string; offset: number; file: string | null } }).details;
  }
  throw new Error("expected QUIPU_RPM_INVALID");
}

describe("readRpm on synthetic packages", () => {
  it("reads NEVRA, text fields, sizes and the header byte range", () => {
    const bytes = encodeRpm({ header: basicPackageTags([[RpmTag.EPOCH, int32(4)]]) });
    const m = readRpm(bytes, { fileName: "synth.rpm" });
    expect(m).toMatchObject({
      name: "synth",
      epoch: 4,
      version: "1.0",
      release: "1",
      arch: "noarch",
      isSource: false,
      summary: "A synthetic package",
      description: "Made by synthetic-rpm.ts.",
      license: "MIT",
      group: "Unspecified",
      vendor: "",
      url: "",
      buildTime: 1700000000,
      installedSize: 1234,
      sourceRpm: "synth-1.0-1.src.rpm",
    });
    expect(m.headerRange.end).toBe(bytes.length - 10);
    expect(m.headerRange.start % 8).toBe(0);
    expect(m.dependencies.provides).toEqual([{ name: "synth", flags: 8, version: "1.0-1", comparison: "EQ", pre: false }]);
  });

  it("prefers the 64-bit size tags and finds the archive size wherever rpm keeps it", () => {
    const big = readRpm(
      encodeRpm({
        header: basicPackageTags([
          [RpmTag.LONGSIZE, int64(6_000_000_000)],
          [RpmTag.LONGARCHIVESIZE, int64(7_000_000_000)],
        ]),
      }),
    );
    expect(big.installedSize).toBe(6_000_000_000);
    expect(big.archiveSize).toBe(7_000_000_000);
    const fromSignature = readRpm(encodeRpm({ header: basicPackageTags(), signature: [[1007, int32(4321)]] }));
    expect(fromSignature.archiveSize).toBe(4321);
    const longSignature = readRpm(encodeRpm({ header: basicPackageTags(), signature: [[271, int64(5_000_000_000)], [1007, int32(1)]] }));
    expect(longSignature.archiveSize).toBe(5_000_000_000);
    const v6 = readRpm(encodeRpm({ leadMajor: 4, header: basicPackageTags([[RpmTag.PAYLOADSIZEALT, int64(99)], [RpmTag.RPMFORMAT, int32(6)]]) }));
    expect(v6.archiveSize).toBe(99);
    expect(v6.formatVersion).toBe(6);
    expect(v6.leadVersion).toBe(4);
    expect(big.formatVersion).toBe(4);
    expect(readRpm(encodeRpm({ header: basicPackageTags(), mainRegion: null })).formatVersion).toBe(3);
  });

  it("marks source packages by SOURCEPACKAGE, keeping the build arch separately", () => {
    const m = readRpm(
      encodeRpm({
        leadType: 1,
        header: basicPackageTags([
          [RpmTag.SOURCEPACKAGE, int32(1)],
          [RpmTag.ARCH, str("x86_64")],
          [RpmTag.SOURCERPM, str("ignored")],
        ]),
      }),
    );
    expect(m.arch).toBe("src");
    expect(m.headerArch).toBe("x86_64");
    expect(m.isSource).toBe(true);
    expect(m.leadType).toBe(1);
  });

  it("reads file lists from DIRNAMES/BASENAMES/DIRINDEXES and from old FILENAMES, typing dirs and ghosts", () => {
    const modern = readRpm(
      encodeRpm({
        header: basicPackageTags([
          [RpmTag.DIRNAMES, strs("/etc/", "/etc/x/", "/usr/bin/")],
          [RpmTag.BASENAMES, strs("x", "x.conf", "state", "tool")],
          [RpmTag.DIRINDEXES, int32(0, 1, 1, 2)],
          [RpmTag.FILEMODES, int16(0o40755, 0o100644, 0o100644, 0o100755)],
          [RpmTag.FILEFLAGS, int32(0, 1 | 16, 64, 0)],
        ]),
      }),
    );
    expect(modern.files.map((f) => [f.path, f.type])).toEqual([
      ["/etc/x", "dir"],
      ["/etc/x/x.conf", "file"],
      ["/etc/x/state", "ghost"],
      ["/usr/bin/tool", "file"],
    ]);
    const old = readRpm(encodeRpm({ header: basicPackageTags([[RpmTag.OLDFILENAMES, strs("/usr/bin/a", "/usr/share/b")]]) }));
    expect(old.files.map((f) => f.path)).toEqual(["/usr/bin/a", "/usr/share/b"]);
  });

  it("reads every dependency kind, including the legacy SUSE weak-dependency tags", () => {
    const m = readRpm(
      encodeRpm({
        header: basicPackageTags([
          [RpmTag.REQUIRENAME, strs("a", "b")],
          [RpmTag.REQUIREFLAGS, int32(RpmSense.GREATER | RpmSense.EQUAL, RpmSense.SCRIPT_PRE)],
          [RpmTag.REQUIREVERSION, strs("1:2-3", "")],
          [RpmTag.RECOMMENDNAME, strs("r")],
          [RpmTag.RECOMMENDFLAGS, int32(0)],
          [RpmTag.RECOMMENDVERSION, strs("")],
          [RpmTag.OLDSUGGESTSNAME, strs("strong", "weak")],
          [RpmTag.OLDSUGGESTSFLAGS, int32(RpmSense.STRONG, 0)],
          [RpmTag.OLDSUGGESTSVERSION, strs("", "")],
        ]),
      }),
    );
    expect(m.dependencies.requires).toEqual([
      { name: "a", flags: 12, version: "1:2-3", comparison: "GE", pre: false },
      { name: "b", flags: RpmSense.SCRIPT_PRE, version: "", pre: true },
    ]);
    expect(m.dependencies.recommends.map((d) => d.name)).toEqual(["r"]);
    expect(m.dependencies.oldSuggests.map((d) => [d.name, d.flags])).toEqual([
      ["strong", RpmSense.STRONG],
      ["weak", 0],
    ]);
    expect(m.dependencies.conflicts).toEqual([]);
  });

  it("keeps changelogs in header order and decodes Latin-1 text", () => {
    const m = readRpm(
      encodeRpm({
        header: basicPackageTags([
          [RpmTag.SUMMARY, i18n("C text", "de Text")],
          [RpmTag.VENDOR, str(Uint8Array.from([0x56, 0xe9, 0x6e]))],
          [RpmTag.CHANGELOGTIME, int32(200, 100)],
          [RpmTag.CHANGELOGNAME, strs("New <n@x>", "Old <o@x>")],
          [RpmTag.CHANGELOGTEXT, strs("- new", "- old")],
        ]),
      }),
    );
    expect(m.summary).toBe("C text");
    expect(m.vendor).toBe("Vén");
    expect(m.changelogs).toEqual([
      { time: 200, author: "New <n@x>", text: "- new" },
      { time: 100, author: "Old <o@x>", text: "- old" },
    ]);
  });

  it("names every problem with a QUIPU_RPM_INVALID: non-rpm, truncation, inconsistent tags", () => {
    expect(invalid(() => readRpm(new Uint8Array(0), { fileName: "e.rpm" }))).toMatchObject({ reason: "empty file", file: "e.rpm" });
    expect(invalid(() => readRpm(new TextEncoder().encode("<html>not found</html>".repeat(10)))).reason).toMatch(/bad lead magic/);
    const good = encodeRpm({ header: basicPackageTags() });
    expect(invalid(() => readRpm(good.subarray(0, 50))).reason).toMatch(/truncated inside the lead/);
    expect(invalid(() => readRpm(good.subarray(0, 120))).reason).toMatch(/signature header: truncated/);
    expect(invalid(() => readRpm(good.subarray(0, good.length - 20))).reason).toMatch(/main header: truncated/);
    expect(invalid(() => readRpm(good.subarray(0, good.length - 3))).reason).toMatch(/truncated: the signature declares/);
    // a header-only prefix is fine when the caller states the file size
    const headerEnd = readRpm(good).headerRange.end;
    expect(readRpm(good.subarray(0, headerEnd), { fileSize: good.length }).name).toBe("synth");

    const noName = encodeRpm({ header: basicPackageTags().filter(([t]) => t !== RpmTag.NAME) });
    expect(invalid(() => readRpm(noName)).reason).toMatch(/no NAME/);
    const mismatch = encodeRpm({ header: basicPackageTags([[RpmTag.PROVIDEFLAGS, int32(8, 8)]]) });
    expect(invalid(() => readRpm(mismatch)).reason).toMatch(/1 names but 2 flags/);
    const badIndex = encodeRpm({
      header: basicPackageTags([
        [RpmTag.DIRNAMES, strs("/a/")],
        [RpmTag.BASENAMES, strs("b")],
        [RpmTag.DIRINDEXES, int32(3)],
      ]),
    });
    expect(invalid(() => readRpm(badIndex)).reason).toMatch(/outside DIRNAMES/);
    const wrongType = encodeRpm({ header: basicPackageTags([[RpmTag.EPOCH, str("1")]]) });
    expect(invalid(() => readRpm(wrongType)).reason).toMatch(/not an integer/);
    const lead = good.slice();
    lead[79] = 1;
    expect(invalid(() => readRpm(lead)).reason).toMatch(/unsupported signature type 1/);
    const pad = encodeRpm({ header: basicPackageTags() });
    const sigEnd = 96 + 16 + new DataView(pad.buffer).getUint32(104) * 16 + new DataView(pad.buffer).getUint32(108);
    if (sigEnd % 8 !== 0) {
      pad[sigEnd] = 1;
      expect(invalid(() => readRpm(pad)).reason).toMatch(/padding is not zero/);
    }
  });
});
