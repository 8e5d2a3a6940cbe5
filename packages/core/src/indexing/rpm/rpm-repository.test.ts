import { createHash } from "node:crypto";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { isQuipuError } from "../../errors/quipu-error.js";
import { basicPackageTags, encodeRpm, i18n, int16, int32, str, strs } from "../../../test/rpm/synthetic-rpm.js";
import { createCodecs } from "../codecs.js";
import { createRpmRepositoryEntry, type RpmRepositoryEntry } from "./rpm-repository-entry.js";
import { buildRpmRepository, renderRpmPackage } from "./rpm-repository.js";
import { RpmSense, RpmTag } from "./tag-ids.js";

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

function entry(href: string, name = "synth", extra: Parameters<typeof basicPackageTags>[0] = []): RpmRepositoryEntry {
  const bytes = encodeRpm({ header: basicPackageTags([[RpmTag.NAME, str(name)], ...extra]) });
  return createRpmRepositoryEntry(bytes, { href, fileMtime: 1_700_000_100 });
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (isQuipuError(error)) return error.code;
    throw error;
  }
  throw new Error("expected a QuipuError");
}

describe("renderRpmPackage", () => {
  it("renders primary, filelists and other fragments in createrepo_c's exact layout", () => {
    const e = entry("pool/t/tool-1.0-1.noarch.rpm", "tool", [
      [RpmTag.EPOCH, int32(2)],
      [RpmTag.SUMMARY, i18n('Tool & "friends" <x>\u0007')],
      [RpmTag.DIRNAMES, strs("/etc/", "/etc/tool/", "/usr/share/tool/")],
      [RpmTag.BASENAMES, strs("tool", "tool.conf", "README")],
      [RpmTag.DIRINDEXES, int32(0, 1, 2)],
      [RpmTag.FILEMODES, int16(0o40755, 0o100644, 0o100644)],
      [RpmTag.FILEFLAGS, int32(0, 1, 0)],
      [RpmTag.REQUIRENAME, strs("/etc/tool/tool.conf", "rpmlib(X)", "dep")],
      [RpmTag.REQUIREFLAGS, int32(0, RpmSense.RPMLIB, RpmSense.GREATER | RpmSense.EQUAL | RpmSense.SCRIPT_PRE)],
      [RpmTag.REQUIREVERSION, strs("", "1", "1:2.0-3")],
      [RpmTag.CHANGELOGTIME, int32(1_600_000_000)],
      [RpmTag.CHANGELOGNAME, strs("Zoë <z@x> - 2:1.0-1")],
      [RpmTag.CHANGELOGTEXT, strs("- first & <last>")],
    ]);
    const r = renderRpmPackage({ ...e, locationBase: "/srv/repo" });
    const { start, end } = e.metadata.headerRange;
    expect(r.primary).toBe(
      `<package type="rpm">
  <name>tool</name>
  <arch>noarch</arch>
  <version epoch="2" ver="1.0" rel="1"/>
  <checksum type="sha256" pkgid="YES">${e.pkgid}</checksum>
  <summary>Tool &amp; "friends" &lt;x&gt;</summary>
  <description>Made by synthetic-rpm.ts.</description>
  <packager></packager>
  <url></url>
  <time file="1700000100" build="1700000000"/>
  <size package="${e.size}" installed="1234" archive="0"/>
  <location xml:base="file:///srv/repo" href="pool/t/tool-1.0-1.noarch.rpm"/>
  <format>
    <rpm:license>MIT</rpm:license>
    <rpm:vendor></rpm:vendor>
    <rpm:group>Unspecified</rpm:group>
    <rpm:buildhost>builder.example.invalid</rpm:buildhost>
    <rpm:sourcerpm>synth-1.0-1.src.rpm</rpm:sourcerpm>
    <rpm:header-range start="${start}" end="${end}"/>
    <rpm:provides>
      <rpm:entry name="synth" flags="EQ" epoch="0" ver="1.0" rel="1"/>
    </rpm:provides>
    <rpm:requires>
      <rpm:entry name="dep" flags="GE" epoch="1" ver="2.0" rel="3" pre="1"/>
    </rpm:requires>
    <file type="dir">/etc/tool</file>
    <file>/etc/tool/tool.conf</file>
  </format>
</package>
`,
    );
    expect(r.filelists).toBe(
      `<package pkgid="${e.pkgid}" name="tool" arch="noarch">
  <version epoch="2" ver="1.0" rel="1"/>
  <file type="dir">/etc/tool</file>
  <file>/etc/tool/tool.conf</file>
  <file>/usr/share/tool/README</file>
</package>
`,
    );
    expect(r.other).toBe(
      `<package pkgid="${e.pkgid}" name="tool" arch="noarch">
  <version epoch="2" ver="1.0" rel="1"/>
  <changelog author="Zo&#xEB; &lt;z@x&gt; - 2:1.0-1" date="1600000000">- first &amp; &lt;last&gt;</changelog>
</package>
`,
    );
  });
});

describe("buildRpmRepository", () => {
  const entries = [entry("b/zeta-1.rpm", "zeta"), entry("alpha-1.rpm", "alpha"), entry("a/zeta-1.rpm", "zeta2")];

  it("writes the three indexes and then repomd.xml, with consistent checksums and sizes", () => {
    const files = buildRpmRepository(entries, { revision: "42", timestamp: 7 });
    expect(files.map((f) => f.path.replace(/[0-9a-f]{64}/, "H"))).toEqual([
      "repodata/H-primary.xml.gz",
      "repodata/H-filelists.xml.gz",
      "repodata/H-other.xml.gz",
      "repodata/repomd.xml",
    ]);
    const repomd = text(files[3]!.bytes);
    expect(repomd).toContain("<revision>42</revision>");
    for (const file of files.slice(0, 3)) {
      const open = gunzipSync(file.bytes);
      const type = /-(\w+)\.xml\.gz$/.exec(file.path)![1]!;
      expect(file.path).toBe(`repodata/${sha256(file.bytes)}-${type}.xml.gz`);
      expect(repomd).toContain(
        `  <data type="${type}">
    <checksum type="sha256">${sha256(file.bytes)}</checksum>
    <open-checksum type="sha256">${sha256(open)}</open-checksum>
    <location href="${file.path}"/>
    <timestamp>7</timestamp>
    <size>${file.bytes.length}</size>
    <open-size>${open.length}</open-size>
  </data>
`,
      );
    }
    const primary = gunzipSync(files[0]!.bytes).toString();
    expect(primary.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<metadata xmlns="http://linux.duke.edu/metadata/common" xmlns:rpm="http://linux.duke.edu/metadata/rpm" packages="3">\n<package type="rpm">')).toBe(true);
    expect(primary.endsWith("</package>\n</metadata>")).toBe(true);
    // createrepo_c order: file name, then full path
    expect([...primary.matchAll(/<location href="([^"]+)"/g)].map((m) => m[1])).toEqual(["alpha-1.rpm", "a/zeta-1.rpm", "b/zeta-1.rpm"]);
  });

  it("is deterministic: same bytes for the same packages in any input order, timestamp from the newest mtime", () => {
    const one = buildRpmRepository(entries);
    const two = buildRpmRepository([...entries].reverse());
    expect(two).toEqual(one);
    expect(text(one[3]!.bytes)).toContain("<revision>1700000100</revision>");
    expect(text(one[3]!.bytes)).toContain("<timestamp>1700000100</timestamp>");
  });

  it("uses cached fragments verbatim", () => {
    const cached = { ...entries[1]!, rendered: { primary: "<P/>\n", filelists: "<F/>\n", other: "<O/>\n" } };
    const files = buildRpmRepository([cached], { uniqueMdFilenames: false });
    expect(gunzipSync(files[0]!.bytes).toString()).toContain('packages="1">\n<P/>\n</metadata>');
  });

  it("compresses through the codecs port (zstd injected) or not at all, with simple file names on request", () => {
    const fakeZstd = createCodecs({ zstd: { compress: (d) => Uint8Array.from([0x28, 0xb5, 0x2f, 0xfd, ...d]) } });
    const files = buildRpmRepository(entries, { compression: "zstd", codecs: fakeZstd, uniqueMdFilenames: false });
    expect(files.map((f) => f.path)).toEqual(["repodata/primary.xml.zst", "repodata/filelists.xml.zst", "repodata/other.xml.zst", "repodata/repomd.xml"]);
    expect(text(files[3]!.bytes)).toContain(`<checksum type="sha256">${sha256(files[0]!.bytes)}</checksum>`);
    const plain = buildRpmRepository(entries, { compression: "none", uniqueMdFilenames: false });
    expect(plain[0]!.path).toBe("repodata/primary.xml");
    expect(text(plain[3]!.bytes)).not.toContain("open-checksum");
    expect(codeOf(() => buildRpmRepository(entries, { compression: "zstd" }))).toBe("QUIPU_CODEC_UNSUPPORTED");
  });

  it("writes an empty repository", () => {
    const files = buildRpmRepository([]);
    expect(gunzipSync(files[0]!.bytes).toString()).toMatch(/packages="0">\n<\/metadata>$/);
    expect(text(files[3]!.bytes)).toContain("<revision>0</revision>");
  });

  it("rejects unusable entries with QUIPU_RPM_ENTRY_INVALID", () => {
    const base = entries[0]!;
    for (const bad of [
      { ...base, href: "/abs.rpm" },
      { ...base, href: "a/../b.rpm" },
      { ...base, href: "a//b.rpm" },
      { ...base, href: "" },
      { ...base, href: "a\\b.rpm" },
      { ...base, pkgid: "xyz" },
      { ...base, pkgid: base.pkgid.toUpperCase() },
      { ...base, size: -1 },
      { ...base, fileMtime: 1.5 },
    ]) {
      expect(codeOf(() => buildRpmRepository([bad]))).toBe("QUIPU_RPM_ENTRY_INVALID");
    }
    expect(codeOf(() => buildRpmRepository([base, { ...base }]))).toBe("QUIPU_RPM_ENTRY_INVALID");
    expect(codeOf(() => buildRpmRepository([base], { checksumType: "sha512" }))).toBe("QUIPU_RPM_ENTRY_INVALID");
    expect(codeOf(() => buildRpmRepository([base], { changelogLimit: -2 }))).toBe("QUIPU_VALIDATION_FAILED");
  });

  it("supports other checksum types end to end", () => {
    const bytes = encodeRpm({ header: basicPackageTags() });
    const e = createRpmRepositoryEntry(bytes, { href: "s.rpm", fileMtime: 1, checksumType: "sha512" });
    const files = buildRpmRepository([e], { checksumType: "sha512" });
    expect(gunzipSync(files[0]!.bytes).toString()).toContain(`<checksum type="sha512" pkgid="YES">${createHash("sha512").update(bytes).digest("hex")}</checksum>`);
    expect(text(files[3]!.bytes)).toContain('<checksum type="sha512">');
  });

  it("adds repomd tags when asked", () => {
    const files = buildRpmRepository([], { tags: { content: ["binary-x86_64"], distro: [{ value: "Fedora 40", cpeid: "cpe:/o:fedoraproject:fedora:40" }] } });
    expect(text(files[3]!.bytes)).toContain(
      '  <tags>\n    <content>binary-x86_64</content>\n    <distro cpeid="cpe:/o:fedoraproject:fedora:40">Fedora 40</distro>\n  </tags>\n',
    );
  });
});
