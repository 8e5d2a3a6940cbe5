import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, readdirSync, readlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { RPMFILE, RPMSENSE, buildSyntheticRpm, rpmFileName, type SyntheticRpmOptions } from "../../src/index.js";
import { hasTool, run, runBytes, runOk, tempDir, withoutDebianRpmNotice } from "./tools.js";

const longPath = `/usr/share/doc/hello-syn/${"d".repeat(90)}/${"e".repeat(120)}/README`;

const sample: SyntheticRpmOptions = {
  name: "hello-syn",
  version: "1.0",
  release: "1",
  epoch: 2,
  arch: "noarch",
  summary: "hello summary",
  description: "hello description\nsecond line",
  license: "Apache-2.0",
  group: "Applications/System",
  url: "https://example.invalid/hello",
  vendor: "Quipu",
  packager: "Quipu Testkit <testkit@example.invalid>",
  buildHost: "builder.example.invalid",
  buildTime: 1_750_000_000,
  requires: ["bash >= 4.0", "(foo or bar)", { name: "/bin/sh", flags: RPMSENSE.PREREQ | RPMSENSE.SCRIPT_POST }, "libx < 2:3.0-1"],
  provides: ["hello-virtual = 1.0", "config(hello-syn) = 2:1.0-1"],
  conflicts: ["hello-old < 1.0"],
  obsoletes: ["hello-older"],
  recommends: ["hello-extras >= 1"],
  suggests: ["hello-docs"],
  supplements: ["hello-base"],
  enhances: ["hello-core"],
  files: [
    { path: "/usr/bin/hello", content: "#!/bin/sh\necho hi\n", mode: 0o755 },
    { path: "/usr/bin/hello-link", linkTo: "hello" },
    { path: "/etc/hello", type: "directory" },
    { path: "/etc/hello/hello.conf", content: "greeting=hi\n", flags: RPMFILE.CONFIG | RPMFILE.NOREPLACE },
    { path: "/usr/share/doc/hello/README", content: "read me\n", flags: RPMFILE.DOC },
    { path: "/var/log/hello.log", flags: RPMFILE.GHOST },
    { path: longPath, content: "a long path\n" },
    { path: "/usr/share/hello/ünïcödé.txt", content: "utf-8 names\n", mtime: 1_600_000_000 },
  ],
};

const dir = tempDir("synthetic-rpm");
afterAll(() => dir.remove());

const qf = (file: string, format: string) => runOk("rpm", ["-qp", "--nosignature", "--queryformat", format, file]);

describe.skipIf(!hasTool("rpm"))("buildSyntheticRpm, read back by rpm", () => {
  const bytes = buildSyntheticRpm(sample);
  const file = dir.write(rpmFileName(sample), bytes);

  it("names the file name-version-release.arch.rpm", () => {
    expect(rpmFileName(sample)).toBe("hello-syn-1.0-1.noarch.rpm");
  });

  it("rpm -qp --queryformat reads the NEVRA and the descriptive tags", () => {
    expect(qf(file, "%{NAME} %{EPOCH} %{VERSION} %{RELEASE} %{ARCH}")).toBe("hello-syn 2 1.0 1 noarch");
    const tags = [
      "SUMMARY", "DESCRIPTION", "LICENSE", "GROUP", "URL", "VENDOR", "PACKAGER", "BUILDHOST", "BUILDTIME", "OS",
      "SOURCERPM", "RPMVERSION", "PAYLOADFORMAT", "PAYLOADCOMPRESSOR", "PAYLOADFLAGS", "FILEDIGESTALGO", "ENCODING", "HEADERI18NTABLE",
    ];
    const values = qf(file, tags.map((tag) => `%{${tag}}`).join("\\t")).split("\t");
    expect(Object.fromEntries(tags.map((tag, i) => [tag, values[i]]))).toEqual({
      SUMMARY: "hello summary",
      DESCRIPTION: "hello description\nsecond line",
      LICENSE: "Apache-2.0",
      GROUP: "Applications/System",
      URL: "https://example.invalid/hello",
      VENDOR: "Quipu",
      PACKAGER: "Quipu Testkit <testkit@example.invalid>",
      BUILDHOST: "builder.example.invalid",
      BUILDTIME: "1750000000",
      OS: "linux",
      SOURCERPM: "hello-syn-1.0-1.src.rpm",
      RPMVERSION: "4.18.0",
      PAYLOADFORMAT: "cpio",
      PAYLOADCOMPRESSOR: "gzip",
      PAYLOADFLAGS: "9",
      FILEDIGESTALGO: "8",
      ENCODING: "utf-8",
      HEADERI18NTABLE: "C",
    });
  });

  it("rpm -qpl lists every file; file tags carry modes, sizes, digests, flags and links", () => {
    expect(runOk("rpm", ["-qpl", "--nosignature", file]).trim().split("\n")).toEqual([
      "/etc/hello",
      "/etc/hello/hello.conf",
      "/usr/bin/hello",
      "/usr/bin/hello-link",
      longPath, // "hello-syn" sorts before "hello/": paths are in byte order
      "/usr/share/doc/hello/README",
      "/usr/share/hello/ünïcödé.txt",
      "/var/log/hello.log",
    ]);
    const rows = qf(file, "[%{FILENAMES}|%{FILEMODES:perms}|%{FILESIZES}|%{FILEFLAGS:fflags}|%{FILELINKTOS}|%{FILEUSERNAME}:%{FILEGROUPNAME}|%{FILEMTIMES}|%{FILEDIGESTS}\\n]")
      .trim()
      .split("\n")
      .map((row) => row.split("|"));
    const byPath = new Map(rows.map((row) => [row[0], row.slice(1)]));
    const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
    expect(byPath.get("/etc/hello")).toEqual(["drwxr-xr-x", "0", "", "", "root:root", "1750000000", ""]);
    expect(byPath.get("/etc/hello/hello.conf")).toEqual(["-rw-r--r--", "12", "cn", "", "root:root", "1750000000", sha256("greeting=hi\n")]);
    expect(byPath.get("/usr/bin/hello")).toEqual(["-rwxr-xr-x", "18", "", "", "root:root", "1750000000", sha256("#!/bin/sh\necho hi\n")]);
    expect(byPath.get("/usr/bin/hello-link")).toEqual(["lrwxrwxrwx", "5", "", "hello", "root:root", "1750000000", ""]);
    expect(byPath.get("/usr/share/doc/hello/README")?.slice(2, 3)).toEqual(["d"]);
    expect(byPath.get("/usr/share/hello/ünïcödé.txt")?.[5]).toBe("1600000000");
    expect(byPath.get("/var/log/hello.log")).toEqual(["-rw-r--r--", "0", "g", "", "root:root", "1750000000", ""]);
    // Like rpmbuild: regular files and symlink targets, not directories or ghosts.
    expect(qf(file, "%{SIZE}")).toBe(String(12 + 18 + 5 + 8 + 12 + 12));
  });

  it("rpm -K --nosignature checks the SHA1, SHA256, payload and MD5 digests as OK", () => {
    const check = run("rpm", ["-K", "--nosignature", file]);
    expect(check.status).toBe(0);
    expect(check.stdout.trim()).toBe(`${file}: digests OK`);
    const verbose = runOk("rpm", ["-Kv", "--nosignature", file]);
    for (const line of ["Header SHA256 digest: OK", "Header SHA1 digest: OK", "Payload SHA256 digest: OK", "MD5 digest: OK"]) {
      expect(verbose).toContain(line);
    }
    if (hasTool("rpmkeys")) expect(runOk("rpmkeys", ["--checksig", "--nosignature", file]).trim()).toBe(`${file}: digests OK`);
  });

  it("rpm -K notices a changed byte in the header or the payload (the digests are real)", () => {
    const headerStart = signatureEnd(bytes);
    for (const [label, offset] of [["header", headerStart + 200], ["payload", bytes.length - 20]] as const) {
      const tampered = Buffer.from(bytes);
      tampered[offset] = (tampered[offset] ?? 0) ^ 0xff;
      const copy = dir.write(`tampered-${label}.rpm`, tampered);
      const check = run("rpm", ["-K", "--nosignature", copy]);
      expect(check.status, label).not.toBe(0);
    }
  });

  it("rpm2cpio extracts a newc payload that rpm2archive turns into the listed files", () => {
    const cpio = runBytes("rpm2cpio", [file]);
    expect(cpio.subarray(0, 6).toString()).toBe("070701");
    expect(String(cpio.length)).toBe(qf(file, "%{ARCHIVESIZE}"));
    expect(cpio.subarray(cpio.length - 124).toString("latin1")).toContain("TRAILER!!!");
    const tgz = runBytes("rpm2archive", ["-"], bytes);
    const listing = runOk("tar", ["--quoting-style=literal", "-tvzf", "-"], { input: tgz }).trim().split("\n");
    const names = listing.map((line) => line.split(/\s+/).slice(5).join(" "));
    expect(names).toEqual([
      "./etc/hello/",
      "./etc/hello/hello.conf",
      "./usr/bin/hello",
      "./usr/bin/hello-link -> hello",
      `.${longPath}`,
      "./usr/share/doc/hello/README",
      "./usr/share/hello/ünïcödé.txt",
    ]);
  });

  it("rpm -qp --requires/--provides and the weak dependency queries show every dependency", () => {
    const query = (option: string) => runOk("rpm", ["-qp", "--nosignature", option, file]).trim().split("\n");
    expect(query("--requires")).toEqual([
      "(foo or bar)",
      "/bin/sh",
      "bash >= 4.0",
      "libx < 2:3.0-1",
      "rpmlib(CompressedFileNames) <= 3.0.4-1",
      "rpmlib(FileDigests) <= 4.6.0-1",
      "rpmlib(PayloadFilesHavePrefix) <= 4.0-1",
    ]);
    expect(query("--provides")).toEqual(["config(hello-syn) = 2:1.0-1", "hello-syn = 2:1.0-1", "hello-virtual = 1.0"]);
    expect(query("--conflicts")).toEqual(["hello-old < 1.0"]);
    expect(query("--obsoletes")).toEqual(["hello-older"]);
    expect(query("--recommends")).toEqual(["hello-extras >= 1"]);
    expect(query("--suggests")).toEqual(["hello-docs"]);
    expect(query("--supplements")).toEqual(["hello-base"]);
    expect(query("--enhances")).toEqual(["hello-core"]);
    expect(qf(file, "[%{REQUIRENAME}:%{REQUIREFLAGS:deptype}\\n]")).toContain("/bin/sh:post");
  });

  it("installs into a throwaway root, where rpm -V finds every file as the header describes it", () => {
    const root = join(dir.path, "root");
    mkdirSync(root);
    runOk("rpm", ["--root", root, "--initdb"]);
    const install = run("rpm", ["--root", root, "-i", "--nodeps", "--nosignature", "--noscripts", file]);
    expect(withoutDebianRpmNotice(install.stderr)).toBe("");
    expect(install.status).toBe(0);
    expect(readFileSync(join(root, "usr/bin/hello"), "utf8")).toBe("#!/bin/sh\necho hi\n");
    expect(readFileSync(join(root, longPath), "utf8")).toBe("a long path\n");
    expect(readlinkSync(join(root, "usr/bin/hello-link"))).toBe("hello");
    const verify = run("rpm", ["--root", root, "-V", "--nodeps", "--nosignature", "hello-syn"]);
    expect(verify.stdout).toBe("");
    expect(verify.status).toBe(0);
  });
});

describe.skipIf(!hasTool("rpm"))("buildSyntheticRpm variants", () => {
  const variants: [string, SyntheticRpmOptions][] = [
    ["x86_64 without epoch or files", { name: "bare", version: "0.1", release: "1.el9", arch: "x86_64" }],
    ["uncompressed payload", { ...sample, name: "plain", compression: "none" }],
    ["reserved signature space", { ...sample, name: "reserved", signatureReservedSpace: 4128 }],
    [
      "xz payload (injected)",
      { ...sample, name: "xzpayload", compression: { name: "xz", flags: "2", compress: (data) => runBytes("xz", ["-q", "-c", "-2"], data) } },
    ],
    [
      "zstd payload (injected)",
      { ...sample, name: "zstdpayload", compression: { name: "zstd", flags: "3", compress: (data) => runBytes("zstd", ["-q", "-c", "-3"], data) } },
    ],
  ];
  for (const [label, options] of variants) {
    it(`${label}: digests OK, payload readable`, () => {
      const file = dir.write(rpmFileName(options), buildSyntheticRpm(options));
      expect(runOk("rpm", ["-K", "--nosignature", file]).trim()).toBe(`${file}: digests OK`);
      expect(qf(file, "%{NAME} %{EPOCH} %{VERSION} %{RELEASE} %{ARCH}")).toBe(
        `${options.name} ${options.epoch ?? "(none)"} ${options.version} ${options.release} ${options.arch}`,
      );
      const listing = runOk("tar", ["-tzf", "-"], { input: runBytes("rpm2archive", ["-"], readFileSync(file)) });
      expect(listing.trim().split("\n").filter(Boolean)).toHaveLength((options.files ?? []).filter((f) => !((f.flags ?? 0) & RPMFILE.GHOST)).length);
    });
  }

  it("reserved signature space puts the main header where rpmbuild does (4504)", () => {
    expect(signatureEnd(buildSyntheticRpm({ ...sample, signatureReservedSpace: 4128 }))).toBe(4504);
  });

  it("xz and zstd payloads require rpmlib(PayloadIsXz)/(PayloadIsZstd) as rpmbuild does", () => {
    const [, , , xz, zstd] = variants;
    const requires = (options: SyntheticRpmOptions) => runOk("rpm", ["-qp", "--nosignature", "--requires", dir.write("r.rpm", buildSyntheticRpm(options))]);
    expect(requires((xz as [string, SyntheticRpmOptions])[1])).toContain("rpmlib(PayloadIsXz) <= 5.2-1");
    expect(requires((zstd as [string, SyntheticRpmOptions])[1])).toContain("rpmlib(PayloadIsZstd) <= 5.4.18-1");
  });
});

describe.skipIf(!hasTool("createrepo_c"))("createrepo_c over synthetic rpms", () => {
  it("indexes a directory of them without warnings, with the right NEVRAs, deps and header ranges", () => {
    const repo = join(dir.path, "repo");
    mkdirSync(repo);
    const packages: SyntheticRpmOptions[] = [
      sample,
      { name: "bare", version: "0.1", release: "1", arch: "x86_64" },
      { ...sample, name: "reserved", signatureReservedSpace: 4128 },
    ];
    for (const options of packages) writeFileSync(join(repo, rpmFileName(options)), buildSyntheticRpm(options));
    const result = run("createrepo_c", ["--no-database", repo]);
    expect(result.status).toBe(0);
    expect(result.stderr).toBe("");
    expect(result.stdout).not.toMatch(/warn|error|critical/i);
    const primaryName = readdirSync(join(repo, "repodata")).find((name) => name.endsWith("primary.xml.gz"));
    const primary = gunzipSync(readFileSync(join(repo, "repodata", primaryName ?? ""))).toString();
    expect(primary).toContain('packages="3"');
    expect(primary).toContain('<version epoch="2" ver="1.0" rel="1"/>');
    expect(primary).toContain('<version epoch="0" ver="0.1" rel="1"/>');
    expect(primary).toContain('<rpm:entry name="bash" flags="GE" epoch="0" ver="4.0"/>');
    expect(primary).toContain('<rpm:entry name="/bin/sh" pre="1"/>');
    expect(primary).toContain('<rpm:entry name="hello-syn" flags="EQ" epoch="2" ver="1.0" rel="1"/>');
    expect(primary).toContain('<rpm:entry name="hello-extras" flags="GE" epoch="0" ver="1"/>');
    expect(primary).toContain('<file type="dir">/etc/hello</file>');
    const filelistsName = readdirSync(join(repo, "repodata")).find((name) => name.endsWith("filelists.xml.gz"));
    const filelists = gunzipSync(readFileSync(join(repo, "repodata", filelistsName ?? ""))).toString();
    expect(filelists).toContain('<file type="ghost">/var/log/hello.log</file>');
    expect(filelists).toContain("<file>/usr/share/hello/ünïcödé.txt</file>");
    expect(primary).toMatch(/<rpm:header-range start="4504" end="\d+"\/>/);
    expect(primary).not.toContain("rpmlib(");
    const header = buildSyntheticRpm(sample);
    const range = /<name>hello-syn<\/name>[\s\S]*?<rpm:header-range start="(\d+)" end="(\d+)"\/>/.exec(primary);
    expect(Number(range?.[1])).toBe(signatureEnd(header));
    const checksum = /<name>hello-syn<\/name>[\s\S]*?<checksum type="sha256" pkgid="YES">([0-9a-f]+)</.exec(primary);
    expect(checksum?.[1]).toBe(createHash("sha256").update(header).digest("hex"));
  });
});

describe.skipIf(!hasTool("rpmbuild"))("buildSyntheticRpm next to rpmbuild", () => {
  it("writes the same tags and the same cpio payload as rpmbuild for the same package", () => {
    const top = join(dir.path, "rpmbuild");
    mkdirSync(join(top, "SPECS"), { recursive: true });
    writeFileSync(
      join(top, "SPECS/twin.spec"),
      [
        "Name: twin", "Version: 2.0", "Release: 3", "Epoch: 1", "Summary: twin summary", "License: MIT", "Group: Unspecified",
        "BuildArch: noarch", "AutoReqProv: no", "Requires: bash >= 4.0", "Provides: twin-virtual = 2.0",
        "", "%description", "twin description", "", "%install",
        "mkdir -p %{buildroot}/usr/bin %{buildroot}/etc/twin %{buildroot}/usr/share/doc/twin",
        "printf '#!/bin/sh\\necho twin\\n' > %{buildroot}/usr/bin/twin",
        "printf 'conf=1\\n' > %{buildroot}/etc/twin/twin.conf",
        "printf 'read me\\n' > %{buildroot}/usr/share/doc/twin/README",
        "ln -s twin %{buildroot}/usr/bin/twin-link",
        "chmod 755 %{buildroot}/usr/bin/twin %{buildroot}/etc/twin",
        "chmod 644 %{buildroot}/etc/twin/twin.conf %{buildroot}/usr/share/doc/twin/README",
        "", "%files", "%dir /etc/twin", "%config(noreplace) /etc/twin/twin.conf", "/usr/bin/twin", "/usr/bin/twin-link",
        "%doc /usr/share/doc/twin/README", "",
      ].join("\n"),
    );
    const built = run("sh", [
      "-c",
      `SOURCE_DATE_EPOCH=1700000000 rpmbuild --define "_topdir ${top}" --define "use_source_date_epoch_as_buildtime 1" ` +
        `--define "clamp_mtime_to_source_date_epoch 1" --define "_buildhost quipu-testkit" -bb ${join(top, "SPECS/twin.spec")}`,
    ]);
    expect(built.status, built.stderr).toBe(0);
    const theirs = join(top, "RPMS/noarch/twin-2.0-3.noarch.rpm");
    const ours = dir.write(
      "twin-ours.rpm",
      buildSyntheticRpm({
        name: "twin",
        version: "2.0",
        release: "3",
        epoch: 1,
        arch: "noarch",
        summary: "twin summary",
        description: "twin description",
        license: "MIT",
        buildTime: 1_700_000_000,
        requires: ["bash >= 4.0"],
        provides: ["twin-virtual = 2.0"],
        signatureReservedSpace: 4128,
        files: [
          { path: "/etc/twin", type: "directory" },
          { path: "/etc/twin/twin.conf", content: "conf=1\n", flags: RPMFILE.CONFIG | RPMFILE.NOREPLACE },
          { path: "/usr/bin/twin", content: "#!/bin/sh\necho twin\n", mode: 0o755 },
          { path: "/usr/bin/twin-link", linkTo: "twin" },
          { path: "/usr/share/doc/twin/README", content: "read me\n", flags: RPMFILE.DOC },
        ],
      }),
    );
    const oursTags = xmlTags(ours);
    const theirTags = xmlTags(theirs);
    // Tags rpmbuild adds that no indexer or client needs (build flags, file colours and libmagic classes).
    const rpmbuildOnly = ["Optflags", "Platform", "Filecolors", "Fileclass", "Classdict"];
    expect([...theirTags.keys()].filter((tag) => !rpmbuildOnly.includes(tag))).toEqual([...oursTags.keys()]);
    // Digests and sizes cover the whole header, which differs by the tags above; the compressed
    // payload differs by zlib's gzip header fields.
    const coveringEverything = ["Sigsize", "Sigmd5", "Sha1header", "Sha256header", "Payloaddigest"];
    for (const [tag, value] of oursTags) {
      if (!coveringEverything.includes(tag)) expect(value, tag).toBe(theirTags.get(tag));
    }
    expect(runBytes("rpm2cpio", [ours]).equals(runBytes("rpm2cpio", [theirs]))).toBe(true);
    expect(signatureEnd(readFileSync(ours))).toBe(signatureEnd(readFileSync(theirs)));
  });
});

describe("buildSyntheticRpm determinism and validation", () => {
  it("gives the same bytes for the same input, other bytes for another build time", () => {
    const a = Buffer.from(buildSyntheticRpm(sample));
    expect(Buffer.from(buildSyntheticRpm(structuredClone({ ...sample, files: sample.files }))).equals(a)).toBe(true);
    expect(Buffer.from(buildSyntheticRpm({ ...sample, buildTime: 1 })).equals(a)).toBe(false);
  });

  it("reports every invalid input at once as QUIPU_VALIDATION_FAILED", () => {
    let caught: unknown;
    try {
      buildSyntheticRpm({
        name: "bad name",
        version: "1-0",
        release: "",
        arch: "x86-64",
        epoch: -1,
        requires: ["a >= ", { name: "b", operator: ">=" }],
        files: [{ path: "relative" }, { path: "/a/../b" }, { path: "/dup" }, { path: "/dup" }, { path: "/l", type: "symlink" }],
      });
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({ code: "QUIPU_VALIDATION_FAILED" });
    const issues = (caught as { details: { issues: string[] } }).details.issues;
    for (const prefix of ["name", "version", "release", "arch", "epoch", "requires[0]", "requires[1]", "files[0].path", "files[1].path", "files[3].path", "files[4].linkTo"]) {
      expect(issues.some((issue) => issue.startsWith(`${prefix}: `)), prefix).toBe(true);
    }
  });
});

/** Offset of the main header: 96-byte lead + signature header padded to 8. */
function signatureEnd(bytes: Uint8Array): number {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const size = 16 + 16 * view.readUInt32BE(96 + 8) + view.readUInt32BE(96 + 12);
  return 96 + size + ((8 - (size % 8)) % 8);
}

/** `rpm -qp --xml` as tag name → serialised values, in rpm's order. */
function xmlTags(file: string): Map<string, string> {
  const xml = runOk("rpm", ["-qp", "--nosignature", "--xml", file]);
  const tags = new Map<string, string>();
  for (const match of xml.matchAll(/<rpmTag name="([^"]+)">([\s\S]*?)<\/rpmTag>/g)) tags.set(match[1] ?? "", (match[2] ?? "").trim());
  return tags;
}
