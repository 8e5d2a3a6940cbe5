import { describe, expect, it } from "vitest";
import { isQuipuError } from "../../errors/quipu-error.js";
import { makeDependency, splitEvr } from "./rpm-dependency.js";
import type { RpmDependencies, RpmPackageMetadata } from "./rpm-reader.js";
import { compareLibcDependency, isPrimaryPath, toRepodataPackage } from "./repodata-package.js";
import { RpmSense } from "./tag-ids.js";

const EQ = RpmSense.EQUAL;
const d = (name: string, flags = 0, version = "") => makeDependency(name, flags, version);

function metadata(overrides: Partial<Omit<RpmPackageMetadata, "dependencies">> & { deps?: Partial<RpmDependencies> } = {}): RpmPackageMetadata {
  const { deps, ...rest } = overrides;
  return {
    name: "p",
    epoch: 0,
    version: "1",
    release: "1",
    arch: "noarch",
    headerArch: "noarch",
    os: "linux",
    isSource: false,
    leadType: 0,
    leadName: "p-1-1",
    leadVersion: 3,
    formatVersion: 4,
    summary: "",
    description: "",
    url: "",
    license: "",
    vendor: "",
    group: "",
    buildHost: "",
    packager: "",
    sourceRpm: "",
    buildTime: 0,
    headerRange: { start: 0, end: 0 },
    installedSize: 0,
    archiveSize: 0,
    files: [],
    changelogs: [],
    ...rest,
    dependencies: {
      provides: [],
      requires: [],
      conflicts: [],
      obsoletes: [],
      recommends: [],
      suggests: [],
      supplements: [],
      enhances: [],
      oldSuggests: [],
      oldEnhances: [],
      ...deps,
    },
  };
}

describe("splitEvr (cr_str_to_evr)", () => {
  it("splits at the first colon and the first dash, defaulting the epoch to 0", () => {
    expect(splitEvr("")).toEqual({});
    expect(splitEvr("1.0")).toEqual({ epoch: "0", version: "1.0" });
    expect(splitEvr("2:1.0-3.fc40")).toEqual({ epoch: "2", version: "1.0", release: "3.fc40" });
    expect(splitEvr("1.0-")).toEqual({ epoch: "0", version: "1.0" });
    expect(splitEvr("1-2-3")).toEqual({ epoch: "0", version: "1", release: "2-3" });
    expect(splitEvr(":1.0")).toEqual({ epoch: "0", version: "1.0" });
    expect(splitEvr("x:1.0")).toEqual({ version: "1.0" });
  });
});

describe("toRepodataPackage: createrepo_c's requires filter", () => {
  it("drops rpmlib(), own primary files, self-provided requires and repeats; keeps the highest libc.so.6 last", () => {
    const pkg = toRepodataPackage(
      metadata({
        files: [
          { path: "/usr/bin/tool", type: "file", mode: 0o100755, flags: 0 },
          { path: "/usr/share/p/data", type: "file", mode: 0o100644, flags: 0 },
        ],
        deps: {
          provides: [d("p", EQ, "1-1"), d("virt", EQ, "2")],
          requires: [
            d("rpmlib(CompressedFileNames)", RpmSense.LESS | EQ | RpmSense.RPMLIB, "3.0.4-1"),
            d("/usr/bin/tool"),
            d("/usr/share/p/data"),
            d("/bin/sh"),
            d("/bin/sh"),
            d("/bin/sh", RpmSense.SCRIPT_POST),
            d("libc.so.6()(64bit)"),
            d("libc.so.6(GLIBC_2.14)(64bit)"),
            d("libc.so.6(GLIBC_2.2.5)(64bit)"),
            d("virt", EQ, "2"),
            d("virt", RpmSense.GREATER | EQ, "2"),
            d("(a or b)"),
            d("other", RpmSense.PRETRANS),
            d("bad-epoch", EQ, "x:1"),
          ],
        },
      }),
    );
    expect(pkg.requires).toEqual([
      { name: "/usr/share/p/data" },
      { name: "/bin/sh" },
      { name: "/bin/sh", pre: true },
      { name: "virt", flags: "GE", epoch: "0", version: "2" },
      { name: "(a or b)" },
      { name: "other", pre: true },
      { name: "libc.so.6(GLIBC_2.14)(64bit)" },
    ]);
    expect(pkg.provides).toEqual([
      { name: "p", flags: "EQ", epoch: "0", version: "1", release: "1" },
      { name: "virt", flags: "EQ", epoch: "0", version: "2" },
    ]);
  });

  it("maps legacy weak dependencies: MISSINGOK requires and STRONG old tags", () => {
    const deps: Partial<RpmDependencies> = {
      requires: [d("maybe", RpmSense.MISSINGOK)],
      recommends: [d("rec")],
      oldSuggests: [d("s-strong", RpmSense.STRONG), d("s-weak")],
      oldEnhances: [d("e-strong", RpmSense.STRONG), d("e-weak")],
    };
    const pkg = toRepodataPackage(metadata({ deps }));
    expect(pkg.requires).toEqual([]);
    expect(pkg.recommends.map((x) => x.name)).toEqual(["maybe", "rec", "s-strong"]);
    expect(pkg.suggests.map((x) => x.name)).toEqual(["s-weak"]);
    expect(pkg.supplements.map((x) => x.name)).toEqual(["e-strong"]);
    expect(pkg.enhances.map((x) => x.name)).toEqual(["e-weak"]);
    const off = toRepodataPackage(metadata({ deps }), { legacyWeakDeps: false });
    expect(off.requires.map((x) => x.name)).toEqual(["maybe"]);
    expect(off.recommends.map((x) => x.name)).toEqual(["rec"]);
    expect(off.suggests).toEqual([]);
  });
});

describe("toRepodataPackage: changelogs", () => {
  const changelogs = [
    { time: 500, author: "E <e@x>  ", text: "e" },
    { time: 400, author: "D", text: "d" },
    { time: 400, author: "C", text: "c" },
    { time: 400, author: "B", text: "b" },
    { time: 100, author: "A", text: "a" },
  ];

  it("keeps the newest N, writes them oldest first, bumps equal dates and trims authors", () => {
    expect(toRepodataPackage(metadata({ changelogs })).changelogs).toEqual([
      { author: "A", date: 100, text: "a" },
      { author: "B", date: 400, text: "b" },
      { author: "C", date: 401, text: "c" },
      { author: "D", date: 402, text: "d" },
      { author: "E <e@x>", date: 500, text: "e" },
    ]);
    expect(toRepodataPackage(metadata({ changelogs }), { changelogLimit: 2 }).changelogs).toEqual([
      { author: "D", date: 400, text: "d" },
      { author: "E <e@x>", date: 500, text: "e" },
    ]);
    expect(toRepodataPackage(metadata({ changelogs }), { changelogLimit: 0 }).changelogs).toEqual([]);
    expect(toRepodataPackage(metadata({ changelogs }), { changelogLimit: Infinity }).changelogs).toHaveLength(5);
  });

  it("rejects a nonsensical limit", () => {
    try {
      toRepodataPackage(metadata(), { changelogLimit: -1 });
      throw new Error("no error");
    } catch (error) {
      expect(isQuipuError(error, "QUIPU_VALIDATION_FAILED")).toBe(true);
    }
  });
});

describe("primary-files rule and libc comparison", () => {
  it("matches createrepo_c's cr_is_primary", () => {
    expect(isPrimaryPath("/etc/x")).toBe(true);
    expect(isPrimaryPath("/etc")).toBe(false);
    expect(isPrimaryPath("/usr/lib/sendmail")).toBe(true);
    expect(isPrimaryPath("/opt/x/sbin/y")).toBe(true);
    expect(isPrimaryPath("/usr/kerberos/bin/z")).toBe(true);
    expect(isPrimaryPath("/usr/share/doc/x")).toBe(false);
    expect(isPrimaryPath("/usr/bin")).toBe(false);
  });

  it("compares libc.so.6 names by the version in parentheses", () => {
    expect(compareLibcDependency("libc.so.6()(64bit)", "libc.so.6(GLIBC_2.4)(64bit)")).toBe(2);
    expect(compareLibcDependency("libc.so.6(GLIBC_2.14)", "libc.so.6(GLIBC_2.4)")).toBe(1);
    expect(compareLibcDependency("libc.so.6", "libc.so.6(GLIBC_2.4)")).toBe(2);
    expect(compareLibcDependency("libc.so.6(GLIBC_2.4)", "libc.so.6")).toBe(1);
    expect(compareLibcDependency("libc.so.6(64bit)", "libc.so.6(GLIBC_PRIVATE)(64bit)")).toBe(1);
  });
});
