import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { readRpm } from "../../src/indexing/rpm/index.js";
import { rpmFixtures, type RpmFixtures } from "./rpm-fixtures.js";

const F = "<<F>>";
const R = "<<R>>";
const S = "<<S>>";
const scalars = [
  "NAME",
  "EPOCHNUM",
  "VERSION",
  "RELEASE",
  "ARCH",
  "OS",
  "SUMMARY",
  "DESCRIPTION",
  "URL",
  "LICENSE",
  "VENDOR",
  "GROUP",
  "BUILDHOST",
  "PACKAGER",
  "SOURCERPM",
  "BUILDTIME",
  "LONGSIZE",
  "LONGARCHIVESIZE",
  "SOURCEPACKAGE",
  "SHA256HEADER",
  "SIGSIZE",
  "PAYLOADCOMPRESSOR",
] as const;
const depKinds = {
  provides: "PROVIDE",
  requires: "REQUIRE",
  conflicts: "CONFLICT",
  obsoletes: "OBSOLETE",
  recommends: "RECOMMEND",
  suggests: "SUGGEST",
  supplements: "SUPPLEMENT",
  enhances: "ENHANCE",
} as const;

const queryFormat = [
  scalars.map((t) => `%{${t}}`).join(F),
  ...Object.values(depKinds).map((t) => `[%{${t}NAME}${F}%{${t}FLAGS}${F}%{${t}VERSION}${R}]`),
  `[%{FILENAMES}${F}%{FILEMODES}${F}%{FILEFLAGS}${R}]`,
  `[%{CHANGELOGTIME}${F}%{CHANGELOGNAME}${F}%{CHANGELOGTEXT}${R}]`,
].join(S);

/** What `rpm -qp --queryformat` says about a package, in the reader's vocabulary. */
function rpmQuery(path: string) {
  const r = spawnSync("rpm", ["-qp", "--queryformat", queryFormat, path], { encoding: "utf8", env: { ...process.env, LC_ALL: "C.UTF-8" } });
  if (r.status !== 0) throw new Error(`rpm -qp ${path} failed: ${r.stderr}`);
  const sections = r.stdout.split(S);
  const none = (v: string) => (v === "(none)" ? "" : v);
  const values = Object.fromEntries(sections[0]!.split(F).map((v, i) => [scalars[i]!, v])) as Record<(typeof scalars)[number], string>;
  const rows = (text: string) => text.split(R).filter((row) => row !== "").map((row) => row.split(F));
  const deps = Object.fromEntries(
    Object.keys(depKinds).map((kind, i) => [kind, rows(sections[1 + i]!).map(([name, flags, version]) => ({ name, flags: Number(flags), version }))]),
  );
  return {
    name: values.NAME,
    epoch: Number(values.EPOCHNUM),
    version: values.VERSION,
    release: values.RELEASE,
    headerArch: values.ARCH,
    os: values.OS,
    summary: values.SUMMARY,
    description: values.DESCRIPTION,
    url: none(values.URL),
    license: values.LICENSE,
    vendor: none(values.VENDOR),
    group: values.GROUP,
    buildHost: values.BUILDHOST,
    packager: none(values.PACKAGER),
    sourceRpm: none(values.SOURCERPM),
    buildTime: Number(values.BUILDTIME),
    installedSize: Number(values.LONGSIZE),
    archiveSize: Number(values.LONGARCHIVESIZE),
    isSource: values.SOURCEPACKAGE === "1",
    headerSha256: values.SHA256HEADER,
    signedSize: Number(values.SIGSIZE),
    payloadCompressor: values.PAYLOADCOMPRESSOR,
    deps,
    files: rows(sections[9]!).map(([path, mode, flags]) => ({ path, mode: Number(mode), flags: Number(flags) })),
    changelogs: rows(sections[10]!).map(([time, author, text]) => ({ time: Number(time), author, text })),
  };
}

describe("readRpm agrees with rpm -qp --queryformat on real packages", () => {
  let fixtures: RpmFixtures;
  beforeAll(() => {
    fixtures = rpmFixtures();
  }, 120_000);

  it("covers noarch, x86_64 and source packages", () => {
    expect(fixtures.all.map((f) => f.fileName)).toEqual([
      "quipu-daemon-0.9-1.src.rpm",
      "quipu-daemon-0.9-1.x86_64.rpm",
      "quipu-nodeps-1.0-1.noarch.rpm",
      "quipu-nodeps-1.1-2.noarch.rpm",
      "quipu-tools-1.2.3-4.q1.noarch.rpm",
    ]);
  });

  it.each(["quipu-daemon-0.9-1.src", "quipu-daemon-0.9-1.x86_64", "quipu-nodeps-1.0", "quipu-nodeps-1.1", "quipu-tools"])("%s", (prefix) => {
    const fixture = fixtures.get(prefix);
    const bytes = readFileSync(fixture.path);
    const m = readRpm(bytes, { fileName: fixture.fileName });
    const q = rpmQuery(fixture.path);
    const { deps, files, changelogs, ...scalarsFromRpm } = q;
    expect(m).toMatchObject(scalarsFromRpm);
    expect(m.arch).toBe(q.isSource ? "src" : q.headerArch);
    for (const kind of Object.keys(depKinds) as (keyof typeof depKinds)[]) {
      expect(m.dependencies[kind].map(({ name, flags, version }) => ({ name, flags, version })), kind).toEqual(deps[kind]);
    }
    expect(m.files.map(({ path, mode, flags }) => ({ path, mode, flags }))).toEqual(files);
    expect(m.changelogs).toEqual(changelogs);
    expect(m.headerRange.start + m.signedSize!).toBe(bytes.length);
  });

  it("reads the interesting bits of the feature-rich package", () => {
    const m = readRpm(readFileSync(fixtures.get("quipu-tools").path));
    expect(m.epoch).toBe(3);
    expect(m.summary).toBe('Quipu tools: naïve café & <tags> "quoted" ✓');
    expect(m.changelogs[0]!.author).toBe("Zoë Quipu <zoe@example.invalid> - 3:1.2.3-4.q1");
    expect(m.changelogs).toHaveLength(13);
    const byPath = new Map(m.files.map((f) => [f.path, f.type]));
    expect(byPath.get("/etc/quipu")).toBe("dir");
    expect(byPath.get("/etc/quipu/state.db")).toBe("ghost");
    expect(byPath.get("/etc/quipu/quipu.conf")).toBe("file");
    const pre = m.dependencies.requires.filter((d) => d.pre).map((d) => d.name);
    expect(pre).toEqual(expect.arrayContaining(["/usr/sbin/useradd", "coreutils"]));
    expect(m.dependencies.requires.map((d) => d.name)).toContain("(quipu-a or quipu-b)");
    expect(m.dependencies.supplements.map((d) => d.name)).toEqual(["(quipu-core and quipu-lang-fr)"]);
    expect(m.payloadCompressor).toBe("gzip");
    const src = readRpm(readFileSync(fixtures.get("quipu-daemon-0.9-1.src").path));
    expect(src).toMatchObject({ arch: "src", isSource: true, leadType: 1, sourceRpm: "" });
    expect(src.files.map((f) => f.path)).toEqual(["quipu-daemon.spec"]);
  });

  it("reads a header-only prefix when told the file size", () => {
    const bytes = readFileSync(fixtures.get("quipu-daemon-0.9-1.x86_64").path);
    const whole = readRpm(bytes);
    expect(readRpm(bytes.subarray(0, whole.headerRange.end), { fileSize: bytes.length })).toEqual(whole);
  });
});
