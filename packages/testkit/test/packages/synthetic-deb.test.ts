import { createHash } from "node:crypto";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildSyntheticDeb, debFileName, type SyntheticDebOptions } from "../../src/index.js";
import { hasTool, run, runOk, tempDir, xzCli, zstdCli } from "./tools.js";

const longDir = `usr/share/doc/hello-syn/${"d".repeat(60)}/${"e".repeat(70)}`;
const longName = `opt/${"x".repeat(130)}`;

const sample: SyntheticDebOptions = {
  name: "hello-syn",
  version: "1:1.0-1",
  architecture: "amd64",
  depends: ["libc6 (>= 2.31)", "bash | dash"],
  description: "short synopsis\nfirst line of the long description\n\nsecond paragraph",
  extraFields: { Section: "utils", Priority: "optional", Provides: "hello-virtual (= 1.0)", "X-Quipu-Custom": "kept" },
  files: [
    { path: "/usr/bin/hello", content: "#!/bin/sh\necho hi\n", mode: 0o755 },
    { path: "/usr/bin/hello-link", linkTo: "hello" },
    { path: "/etc/hello", type: "directory", mode: 0o750 },
    { path: "/etc/hello/hello.conf", content: "greeting=hi\n" },
    { path: `/${longDir}/README`, content: "long path split into ustar prefix and name\n" },
    { path: `/${longName}`, content: "path too long for ustar: pax header\n" },
    { path: "/usr/share/empty", content: "" },
  ],
  controlFiles: [
    { name: "conffiles", content: "/etc/hello/hello.conf\n" },
    { name: "postinst", content: "#!/bin/sh\nexit 0\n", mode: 0o755 },
  ],
};

const dir = tempDir("synthetic-deb");
afterAll(() => dir.remove());

describe.skipIf(!hasTool("dpkg-deb"))("buildSyntheticDeb, read back by dpkg-deb", () => {
  const bytes = buildSyntheticDeb(sample);
  const file = dir.write(debFileName(sample), bytes);

  it("names the file name_version_arch.deb without the epoch", () => {
    expect(debFileName(sample)).toBe("hello-syn_1.0-1_amd64.deb");
  });

  it("dpkg-deb --info reads the archive and the control members", () => {
    const info = runOk("dpkg-deb", ["--info", file]);
    expect(info).toContain(" new Debian package, version 2.0.");
    expect(info).toMatch(/ size \d+ bytes: control archive=\d+ bytes\./);
    for (const member of ["conffiles", "control", "md5sums", "postinst"]) expect(info).toMatch(new RegExp(`\\s${member}\\s`));
    expect(info).toContain(" Description: short synopsis\n  first line of the long description\n  .\n  second paragraph\n");
  });

  it("dpkg-deb --field returns each field", () => {
    const field = (name: string) => runOk("dpkg-deb", ["--field", file, name]).trim();
    expect(field("Package")).toBe("hello-syn");
    expect(field("Version")).toBe("1:1.0-1");
    expect(field("Architecture")).toBe("amd64");
    expect(field("Depends")).toBe("libc6 (>= 2.31), bash | dash");
    expect(field("Provides")).toBe("hello-virtual (= 1.0)");
    expect(field("X-Quipu-Custom")).toBe("kept");
    expect(field("Maintainer")).toBe("Quipu Testkit <testkit@example.invalid>");
    // dpkg-gencontrol's rule: files rounded up to KiB, 1 per directory and symlink:
    // 10 directories + 1 symlink + 4 small files + 1 empty file.
    expect(field("Installed-Size")).toBe(String(10 + 1 + 4 + 0));
  });

  it("dpkg-deb --contents lists every file and parent directory, root-owned, in sorted order", () => {
    const lines = runOk("dpkg-deb", ["--contents", file]).trim().split("\n");
    const listing = lines.map((line) => {
      const [mode, owner, , , , ...rest] = line.split(/\s+/);
      return `${mode} ${owner} ${rest.join(" ")}`;
    });
    const dirs = ["./", "./etc/", "./opt/", "./usr/", "./usr/bin/", "./usr/share/", "./usr/share/doc/", "./usr/share/doc/hello-syn/"];
    expect(listing).toEqual([
      "drwxr-xr-x root/root ./",
      "drwxr-xr-x root/root ./etc/",
      "drwxr-x--- root/root ./etc/hello/",
      "-rw-r--r-- root/root ./etc/hello/hello.conf",
      "drwxr-xr-x root/root ./opt/",
      `-rw-r--r-- root/root ./${longName}`,
      "drwxr-xr-x root/root ./usr/",
      "drwxr-xr-x root/root ./usr/bin/",
      "-rwxr-xr-x root/root ./usr/bin/hello",
      "lrwxrwxrwx root/root ./usr/bin/hello-link -> hello",
      "drwxr-xr-x root/root ./usr/share/",
      "drwxr-xr-x root/root ./usr/share/doc/",
      "drwxr-xr-x root/root ./usr/share/doc/hello-syn/",
      `drwxr-xr-x root/root ./usr/share/doc/hello-syn/${"d".repeat(60)}/`,
      `drwxr-xr-x root/root ./${longDir}/`,
      `-rw-r--r-- root/root ./${longDir}/README`,
      "-rw-r--r-- root/root ./usr/share/empty",
    ]);
    expect(dirs.every((d) => listing.some((line) => line.endsWith(` ${d}`)))).toBe(true);
    expect(lines[0]).toContain("2023-11-14 22:13 ./");
  });

  it("dpkg-deb -x extracts the exact contents, and md5sums match them", () => {
    const target = join(dir.path, "extracted");
    runOk("dpkg-deb", ["-x", file, target]);
    for (const entry of sample.files ?? []) {
      if (entry.content !== undefined) expect(readFileSync(join(target, entry.path), "utf8")).toBe(entry.content);
    }
    const md5sums = runOk("sh", ["-c", `dpkg-deb --ctrl-tarfile "${file}" | tar -xO ./md5sums`]);
    expect(md5sums.split("\n").filter(Boolean)).toHaveLength(5);
    const check = run("md5sum", ["--check", "--strict", "-"], { cwd: target, input: Buffer.from(md5sums) });
    expect(check.stderr).toBe("");
    expect(check.status).toBe(0);
  });

  it("is an ar archive with debian-binary, control.tar.gz, data.tar.gz in that order", () => {
    expect(runOk("ar", ["t", file]).split("\n").filter(Boolean)).toEqual(["debian-binary", "control.tar.gz", "data.tar.gz"]);
    expect(runOk("ar", ["p", file, "debian-binary"])).toBe("2.0\n");
    expect(Buffer.from(bytes.subarray(0, 8)).toString()).toBe("!<arch>\n");
  });

  it.skipIf(!hasTool("apt-ftparchive"))("apt-ftparchive packages indexes it with every field, size and hash", () => {
    const repo = join(dir.path, "repo");
    mkdirSync(join(repo, "pool"), { recursive: true });
    dir.write(`repo/pool/${debFileName(sample)}`, bytes);
    const result = run("apt-ftparchive", ["packages", "pool"], { cwd: repo });
    expect(result.stderr).toBe("");
    const stanza = parseStanza(result.stdout);
    expect(stanza).toMatchObject({
      Package: "hello-syn",
      Version: "1:1.0-1",
      Architecture: "amd64",
      Depends: "libc6 (>= 2.31), bash | dash",
      Provides: "hello-virtual (= 1.0)",
      Section: "utils",
      Priority: "optional",
      "X-Quipu-Custom": "kept",
      Filename: `pool/${debFileName(sample)}`,
      Size: String(bytes.length),
      SHA256: createHash("sha256").update(bytes).digest("hex"),
      MD5sum: createHash("md5").update(bytes).digest("hex"),
    });
    expect(stanza.Description).toBe("short synopsis\n first line of the long description\n .\n second paragraph");
  });
});

describe.skipIf(!hasTool("dpkg-deb"))("buildSyntheticDeb compression", () => {
  const cases = [
    { label: "none", compression: "none" as const, member: "control.tar", dataMember: "data.tar" },
    ...(hasTool("xz") ? [{ label: "xz (injected)", compression: xzCli, member: "control.tar.xz", dataMember: "data.tar.xz" }] : []),
    ...(hasTool("zstd") ? [{ label: "zstd (injected)", compression: zstdCli, member: "control.tar.zst", dataMember: "data.tar.zst" }] : []),
  ];
  for (const { label, compression, member, dataMember } of cases) {
    it(`${label}: dpkg-deb and apt-ftparchive read ${member}`, () => {
      const options = { ...sample, compression };
      const file = dir.write(`${label.split(" ")[0]}.deb`, buildSyntheticDeb(options));
      expect(runOk("ar", ["t", file]).split("\n").filter(Boolean)).toEqual(["debian-binary", member, dataMember]);
      expect(runOk("dpkg-deb", ["--field", file, "Package"]).trim()).toBe("hello-syn");
      expect(runOk("dpkg-deb", ["--contents", file])).toContain("./usr/bin/hello");
      if (hasTool("apt-ftparchive")) {
        const sub = join(dir.path, `only-${label.split(" ")[0]}`);
        mkdirSync(sub);
        dir.write(`only-${label.split(" ")[0]}/x.deb`, readFileSync(file));
        expect(parseStanza(runOk("apt-ftparchive", ["packages", sub])).Package).toBe("hello-syn");
      }
    });
  }
});

describe.skipIf(!hasTool("dpkg-deb"))("buildSyntheticDeb next to dpkg-deb --build", () => {
  it("has the same members, ar headers (but sizes), control text and tar listing", () => {
    const options: SyntheticDebOptions = {
      name: "twin",
      version: "2.0-3",
      architecture: "all",
      description: "twin package\nbuilt both ways",
      installedSize: false,
      md5sums: false,
      files: [
        { path: "/usr/bin/twin", content: "#!/bin/sh\n", mode: 0o755 },
        { path: "/usr/share/doc/twin/README", content: "read me\n" },
      ],
      mtime: 1_700_000_000,
    };
    const ours = dir.write("twin-ours.deb", buildSyntheticDeb(options));
    const root = join(dir.path, "twin-root");
    mkdirSync(join(root, "DEBIAN"), { recursive: true });
    mkdirSync(join(root, "usr/bin"), { recursive: true });
    mkdirSync(join(root, "usr/share/doc/twin"), { recursive: true });
    const control = runOk("sh", ["-c", `dpkg-deb --ctrl-tarfile "${ours}" | tar -xO ./control`]);
    dir.write("twin-root/DEBIAN/control", control);
    dir.write("twin-root/usr/bin/twin", "#!/bin/sh\n");
    dir.write("twin-root/usr/share/doc/twin/README", "read me\n");
    runOk("chmod", ["0755", join(root, "usr/bin/twin"), join(root, "usr"), join(root, "usr/bin"), join(root, "usr/share"), join(root, "usr/share/doc"), join(root, "usr/share/doc/twin"), root]);
    runOk("chmod", ["0644", join(root, "usr/share/doc/twin/README")]);
    const theirs = join(dir.path, "twin-dpkg.deb");
    const built = run("sh", ["-c", `SOURCE_DATE_EPOCH=1700000000 dpkg-deb -Zgzip --root-owner-group --build "${root}" "${theirs}"`]);
    expect(built.status).toBe(0);

    const arHeaders = (path: string) => {
      const data = readFileSync(path);
      const headers: string[] = [];
      for (let offset = 8; offset < data.length; ) {
        const header = data.subarray(offset, offset + 60).toString("latin1");
        const size = Number(header.slice(48, 58).trim());
        headers.push(`${header.slice(0, 48)}<size>${header.slice(58)}`);
        offset += 60 + size + (size % 2);
      }
      return headers;
    };
    expect(arHeaders(ours)).toEqual(arHeaders(theirs));
    expect(runOk("dpkg-deb", ["--contents", ours])).toBe(runOk("dpkg-deb", ["--contents", theirs]));
    expect(runOk("sh", ["-c", `dpkg-deb --ctrl-tarfile "${theirs}" | tar -xO ./control`])).toBe(control);
    expect(runOk("sh", ["-c", `dpkg-deb --ctrl-tarfile "${ours}" | tar -t`])).toBe(runOk("sh", ["-c", `dpkg-deb --ctrl-tarfile "${theirs}" | tar -t`]));
    // Both pad their tar streams to GNU tar's 10 KiB records.
    expect(runOk("sh", ["-c", `dpkg-deb --fsys-tarfile "${ours}" | wc -c`]).trim()).toBe(runOk("sh", ["-c", `dpkg-deb --fsys-tarfile "${theirs}" | wc -c`]).trim());
  });
});

describe("buildSyntheticDeb determinism and validation", () => {
  it("gives the same bytes for the same input, other bytes for another mtime", () => {
    const a = buildSyntheticDeb(sample);
    expect(Buffer.from(buildSyntheticDeb(structuredClone(sample))).equals(Buffer.from(a))).toBe(true);
    expect(Buffer.from(buildSyntheticDeb({ ...sample, mtime: 1 })).equals(Buffer.from(a))).toBe(false);
  });

  it("accepts content as bytes exactly as the same string", () => {
    const asBytes = { ...sample, files: sample.files?.map((f) => (typeof f.content === "string" ? { ...f, content: Buffer.from(f.content) } : f)) };
    expect(Buffer.from(buildSyntheticDeb(asBytes)).equals(Buffer.from(buildSyntheticDeb(sample)))).toBe(true);
  });

  it("reports every invalid input at once as QUIPU_VALIDATION_FAILED", () => {
    let caught: unknown;
    try {
      buildSyntheticDeb({
        name: "Bad Name",
        version: "-1",
        architecture: "AMD64",
        extraFields: { Package: "x", "Bad Field": "y", Folded: "a\nb" },
        files: [{ path: "/usr/../etc" }, { path: "/a", content: "x" }, { path: "/a/b", content: "y" }, { path: "/l", type: "symlink" }],
      });
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({ code: "QUIPU_VALIDATION_FAILED" });
    const issues = (caught as { details: { issues: string[] } }).details.issues;
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^name: /),
        expect.stringMatching(/^version: /),
        expect.stringMatching(/^architecture: /),
        expect.stringMatching(/^extraFields\.Package: /),
        expect.stringMatching(/^extraFields\.Bad Field: /),
        expect.stringMatching(/^extraFields\.Folded: /),
        expect.stringMatching(/^files\[0\]\.path: /),
        expect.stringMatching(/^files\[2\]\.path: .*both a file and a parent directory/),
        expect.stringMatching(/^files\[3\]\.linkTo: /),
      ]),
    );
  });
});

function parseStanza(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  let last = "";
  for (const line of text.trimEnd().split("\n")) {
    if (line === "") break;
    if (line.startsWith(" ")) fields[last] += `\n${line}`;
    else {
      const colon = line.indexOf(":");
      last = line.slice(0, colon);
      fields[last] = line.slice(colon + 1).trim();
    }
  }
  return fields;
}
