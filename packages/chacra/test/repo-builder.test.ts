/**
 * The repository builder on disk, with real packages (rpmbuild, dpkg-deb, dpkg-source and the
 * testkit writers) in temporary directories: layout, hard links, pruning, unchanged files left
 * alone, problems, rollback of a failed build. What real clients make of the result is in
 * `repo-builder-clients.test.ts`.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { isQuipuError } from "@quipu/core";
import { buildSyntheticDeb, buildSyntheticRpm, debFileName } from "@quipu/testkit/packages";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildRepository, type BuildRepositoryOptions, type RepoBuildInput } from "../src/repo-builder.js";
import { buildDebFixture, buildSourceFixture } from "../../core/test/deb/deb-fixtures.js";
import { tempDir } from "../../core/test/deb/repo-harness.js";
import { snapshot } from "../../core/test/fs-indexer/fs-indexer-helpers.js";
import { rpmFixtures } from "../../core/test/rpm/rpm-fixtures.js";

let root: string;
let counter = 0;

beforeAll(() => {
  root = tempDir("repo-builder");
  rpmFixtures();
}, 120_000);

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

/** Puts bytes (or a copy of a file) into a fresh binary-store directory, as an upload would, and returns the build input. */
function stored(name: string, content: Uint8Array | string | { copyOf: string }, arch = "x86_64", distroVersion = "9", storeRoot = join(root, "store")): RepoBuildInput {
  const dir = join(storeRoot, String(counter++));
  mkdirSync(dir, { recursive: true });
  const file = join(dir, name);
  if (typeof content === "object" && "copyOf" in content) copyFileSync(content.copyOf, file);
  else writeFileSync(file, content);
  return { file, name, arch, distroVersion };
}

const fixture = (prefix: string) => ({ copyOf: rpmFixtures().get(prefix).path });

function freshRepo(name: string): string {
  return join(root, "repos", `${name}-${counter++}`);
}

function filesUnder(dir: string): string[] {
  return Object.keys(snapshot(dir)).sort();
}

/** Package file names listed in an rpm repodata directory's primary.xml. */
function rpmLocations(dir: string): string[] {
  const repomd = readFileSync(join(dir, "repodata", "repomd.xml"), "utf8");
  const href = /<data type="primary">[\s\S]*?<location href="([^"]+)"/.exec(repomd)![1]!;
  const primary = gunzipSync(readFileSync(join(dir, href))).toString("utf8");
  return [...primary.matchAll(/<location href="([^"]+)"/g)].map((m) => m[1]!).sort();
}

/** `Filename:` entries of `dists/<codename>/main/binary-<arch>/Packages`. */
function debFilenames(repo: string, codename: string, arch = "amd64"): string[] {
  const packages = readFileSync(join(repo, "dists", codename, "main", `binary-${arch}`, "Packages"), "utf8");
  return [...packages.matchAll(/^Filename: (.+)$/gm)].map((m) => m[1]!).sort();
}

function rpm(name: string, arch: string, summary = `${name} test package`): Uint8Array {
  return buildSyntheticRpm({ name, version: "1.0", release: "1.el9", arch, summary, files: [{ path: `/usr/share/${name}/README`, content: summary }] });
}

function deb(control: string, compression: "gzip" | "xz" | "zstd" = "gzip") {
  return buildDebFixture({ control: `${control}Maintainer: Q <q@example.invalid>\nDescription: test\n`, compression });
}

describe("rpm repositories", { timeout: 120_000 }, () => {
  it("files each package by its header's arch, keeps plain files in noarch/, and reports a corrupt package", async () => {
    const directory = freshRepo("rpm");
    const inputs = [
      stored("quipu-daemon-0.9-1.x86_64.rpm", fixture("quipu-daemon-0.9-1.x86_64")),
      stored("quipu-daemon-0.9-1.src.rpm", fixture("quipu-daemon-0.9-1.src"), "source"),
      stored("quipu-tools-1.2.3-4.q1.noarch.rpm", fixture("quipu-tools"), "noarch"),
      // Named without an arch: the original would have put it in noarch/.
      stored("quipu-power.rpm", rpm("quipu-power", "ppc64le"), "ppc64le"),
      stored("cephadm", "#!/usr/bin/python3\nprint('cephadm')\n"),
      stored("quipu-broken-1.0-1.el9.x86_64.rpm", "this is not an rpm"),
    ];
    const result = await buildRepository({ directory, type: "rpm", distro: "centos", distroVersion: "9", inputs });

    expect(result.problems).toEqual([expect.objectContaining({ file: "x86_64/quipu-broken-1.0-1.el9.x86_64.rpm", code: "QUIPU_RPM_INVALID" })]);
    expect(result.packages).toBe(4);
    expect(result.archs).toEqual(["SRPMS", "noarch", "ppc64le", "x86_64"]);
    expect(readdirSync(directory).filter((name) => !name.startsWith(".")).sort()).toEqual(["SRPMS", "aarch64", "noarch", "ppc64le", "x86_64"]);
    expect(rpmLocations(join(directory, "x86_64"))).toEqual(["quipu-daemon-0.9-1.x86_64.rpm"]);
    expect(rpmLocations(join(directory, "SRPMS"))).toEqual(["quipu-daemon-0.9-1.src.rpm"]);
    expect(rpmLocations(join(directory, "noarch"))).toEqual(["quipu-tools-1.2.3-4.q1.noarch.rpm"]);
    expect(rpmLocations(join(directory, "ppc64le"))).toEqual(["quipu-power.rpm"]);
    // Empty, but indexed, so `baseurl=…/$basearch` works on aarch64 too.
    expect(rpmLocations(join(directory, "aarch64"))).toEqual([]);
    expect(readFileSync(join(directory, "noarch", "cephadm"), "utf8")).toContain("cephadm");
    expect(existsSync(join(directory, "x86_64", "quipu-broken-1.0-1.el9.x86_64.rpm"))).toBe(true);
    expect(existsSync(join(directory, "repodata"))).toBe(false);

    // Hard links: the repo file is the stored file.
    const placed = statSync(join(directory, "x86_64", "quipu-daemon-0.9-1.x86_64.rpm"));
    expect(placed.ino).toBe(statSync(inputs[0]!.file).ino);
  });

  it("leaves unchanged files alone, survives deleted stored binaries, and prunes removed inputs with their directories", async () => {
    const directory = freshRepo("rpm-prune");
    const keep = stored("quipu-daemon-0.9-1.x86_64.rpm", fixture("quipu-daemon-0.9-1.x86_64"));
    const power = stored("quipu-power-1.0-1.el9.ppc64le.rpm", rpm("quipu-power", "ppc64le"), "ppc64le");
    const script = stored("cephadm", "#!/bin/sh\n");
    await buildRepository({ directory, type: "rpm", distro: "rocky", distroVersion: "9", inputs: [keep, power, script] });
    const before = statSync(join(directory, "x86_64", keep.name));

    const again = await buildRepository({ directory, type: "rpm", distro: "rocky", distroVersion: "9", inputs: [keep, power, script] });
    expect(again.problems).toEqual([]);
    // Linking again would change the inode's ctime and make the indexer read the package again.
    expect(statSync(join(directory, "x86_64", keep.name)).ctimeMs).toBe(before.ctimeMs);

    // The store forgets a binary (purge): the served repo still has it until the next build.
    rmSync(keep.file);
    expect(readFileSync(join(directory, "x86_64", keep.name)).length).toBe(before.size);

    const tools = stored("quipu-tools-1.2.3-4.q1.noarch.rpm", fixture("quipu-tools"), "noarch");
    const pruned = await buildRepository({ directory, type: "rpm", distro: "rocky", distroVersion: "9", inputs: [tools] });
    expect(pruned.problems).toEqual([]);
    expect(existsSync(join(directory, "ppc64le"))).toBe(false);
    expect(existsSync(join(directory, "noarch", "cephadm"))).toBe(false);
    expect(rpmLocations(join(directory, "x86_64"))).toEqual([]);
    expect(rpmLocations(join(directory, "noarch"))).toEqual(["quipu-tools-1.2.3-4.q1.noarch.rpm"]);
    expect(filesUnder(directory).filter((path) => !path.includes("repodata/"))).toEqual(["noarch/quipu-tools-1.2.3-4.q1.noarch.rpm"]);
  });

  it("reads headers larger than its first read", async () => {
    const directory = freshRepo("big-header");
    const files = Array.from({ length: 12_000 }, (_, i) => ({ path: `/usr/share/quipu-big/${String(i).padStart(5, "0")}-a-rather-long-file-name.txt`, content: "" }));
    const bytes = buildSyntheticRpm({ name: "quipu-big", version: "1", release: "1", arch: "s390x", files });
    const result = await buildRepository({ directory, type: "rpm", distro: "centos", distroVersion: "9", inputs: [stored("quipu-big.rpm", bytes, "s390x")] });
    expect(result.problems).toEqual([]);
    expect(rpmLocations(join(directory, "s390x"))).toEqual(["quipu-big.rpm"]);
  });

  it("indexes SUSE repos once at the top, keeping the arch directories", async () => {
    const directory = freshRepo("suse");
    const inputs = [stored("quipu-daemon-0.9-1.x86_64.rpm", fixture("quipu-daemon-0.9-1.x86_64")), stored("quipu-tools-1.2.3-4.q1.noarch.rpm", fixture("quipu-tools"), "noarch")];
    const result = await buildRepository({ directory, type: "rpm", distro: "opensuse", distroVersion: "15.6", inputs });
    expect(result.packages).toBe(2);
    expect(rpmLocations(directory)).toEqual(["noarch/quipu-tools-1.2.3-4.q1.noarch.rpm", "x86_64/quipu-daemon-0.9-1.x86_64.rpm"]);
    expect(existsSync(join(directory, "x86_64", "repodata"))).toBe(false);
  });

  it("puts back what it moved when a build fails, where the new index was not published", async () => {
    const directory = freshRepo("rollback");
    const daemon = stored("quipu-daemon-0.9-1.x86_64.rpm", fixture("quipu-daemon-0.9-1.x86_64"));
    const a = stored("quipu-a-1.0-1.el9.x86_64.rpm", rpm("quipu-a", "x86_64", "first build"));
    const tools = stored("quipu-tools-1.2.3-4.q1.noarch.rpm", fixture("quipu-tools"), "noarch");
    const nodeps = stored("quipu-nodeps-1.0-1.noarch.rpm", fixture("quipu-nodeps-1.0"), "noarch");
    await buildRepository({ directory, type: "rpm", distro: "centos", distroVersion: "9", inputs: [daemon, a, tools, nodeps] });
    const x86Before = snapshot(directory, "x86_64");

    // Another indexer holds x86_64/ (a live lock): noarch/ is indexed first and published, x86_64/ fails.
    mkdirSync(join(directory, "x86_64", ".quipu"), { recursive: true });
    const lock = join(directory, "x86_64", ".quipu", "index.lock");
    writeFileSync(lock, JSON.stringify({ pid: process.pid, host: hostname(), started: new Date().toISOString() }));
    const aRebuilt = stored("quipu-a-1.0-1.el9.x86_64.rpm", rpm("quipu-a", "x86_64", "second build"));
    const failing = buildRepository({ directory, type: "rpm", distro: "centos", distroVersion: "9", inputs: [aRebuilt, tools] });
    await expect(failing).rejects.toSatisfy((error) => isQuipuError(error, "QUIPU_CHACRA_REPO_BUILD_FAILED"));
    await expect(failing).rejects.toThrow(/another index run holds/);

    // x86_64/ is exactly as its (still current) index describes it: the removed and the replaced package are back.
    expect(snapshot(directory, "x86_64")).toEqual(x86Before);
    expect(statSync(join(directory, "x86_64", "quipu-a-1.0-1.el9.x86_64.rpm")).ino).toBe(statSync(a.file).ino);
    // noarch/ got its new index, so the package it no longer lists is gone.
    expect(rpmLocations(join(directory, "noarch"))).toEqual(["quipu-tools-1.2.3-4.q1.noarch.rpm"]);
    expect(existsSync(join(directory, "noarch", "quipu-nodeps-1.0-1.noarch.rpm"))).toBe(false);
    expect(readdirSync(join(directory, ".quipu"))).not.toContain("trash");

    rmSync(lock);
    const retried = await buildRepository({ directory, type: "rpm", distro: "centos", distroVersion: "9", inputs: [aRebuilt, tools] });
    expect(retried.problems).toEqual([]);
    expect(rpmLocations(join(directory, "x86_64"))).toEqual(["quipu-a-1.0-1.el9.x86_64.rpm"]);
    expect(statSync(join(directory, "x86_64", "quipu-a-1.0-1.el9.x86_64.rpm")).ino).toBe(statSync(aRebuilt.file).ino);
  });

  it("stops on abort with nothing changed", async () => {
    const directory = freshRepo("abort");
    const tools = stored("quipu-tools-1.2.3-4.q1.noarch.rpm", fixture("quipu-tools"), "noarch");
    await buildRepository({ directory, type: "rpm", distro: "centos", distroVersion: "9", inputs: [tools] });
    const before = snapshot(directory);
    const controller = new AbortController();
    controller.abort(new Error("shutting down"));
    await expect(buildRepository({ directory, type: "rpm", distro: "centos", distroVersion: "9", inputs: [], signal: controller.signal })).rejects.toThrow("shutting down");
    expect(snapshot(directory)).toEqual(before);
  });
});

describe("deb repositories", { timeout: 120_000 }, () => {
  it("lays out the pool by source package, keeps combined codenames apart, and keeps a .dsc's files beside it", async () => {
    const directory = freshRepo("deb");
    const jammyBin = deb("Package: quipu-osd\nSource: quipu (1.0-1jammy)\nVersion: 1.0-1jammy\nArchitecture: amd64\n", "zstd");
    const jammyLib = deb("Package: libquipu1\nSource: quipu\nVersion: 1.0-1jammy\nArchitecture: amd64\n");
    const focalBin = deb("Package: quipu-osd\nSource: quipu\nVersion: 1.0-1focal\nArchitecture: amd64\n", "xz");
    const generic = deb("Package: quipu-deploy\nVersion: 2.0\nArchitecture: all\n");
    const source = buildSourceFixture();
    const inputs = [
      stored(jammyBin.fileName, { copyOf: jammyBin.path }, "x86_64", "jammy"),
      stored(jammyLib.fileName, { copyOf: jammyLib.path }, "x86_64", "jammy"),
      stored(focalBin.fileName, { copyOf: focalBin.path }, "x86_64", "focal"),
      stored(generic.fileName, { copyOf: generic.path }, "noarch", "generic"),
      ...source.files.map((file) => stored(file, { copyOf: join(source.dir, file) }, "source", "jammy")),
      stored("quipu_1.0-1jammy_amd64.changes", "Format: 1.8\n", "x86_64", "jammy"),
      stored("quipu-extra_1.0.tar.gz", "not indexed", "x86_64", "jammy"),
      stored("quipu-broken_1.0_amd64.deb", "!<arch>\ngarbage", "x86_64", "jammy"),
    ];
    const result = await buildRepository({ directory, type: "deb", distro: "ubuntu", distroVersion: "jammy", codenames: ["jammy", "focal"], inputs });

    expect(result.problems).toEqual([expect.objectContaining({ file: "pool/main/q/quipu-broken/quipu-broken_1.0_amd64.deb", code: "QUIPU_DEB_INVALID" })]);
    expect(result.archs).toEqual(["amd64"]);
    expect(filesUnder(directory).filter((path) => path.startsWith("pool/"))).toEqual([
      "pool/focal/main/q/quipu-deploy/quipu-deploy_2.0_all.deb",
      "pool/focal/main/q/quipu/quipu-osd_1.0-1focal_amd64.deb",
      "pool/main/q/quipu-broken/quipu-broken_1.0_amd64.deb",
      "pool/main/q/quipu-deploy/quipu-deploy_2.0_all.deb",
      "pool/main/q/quipu-extra/quipu-extra_1.0.tar.gz",
      "pool/main/q/quipu-src/quipu-src_1.0.dsc",
      "pool/main/q/quipu-src/quipu-src_1.0.tar.xz",
      // libquipu1 is filed under its source package, not pool/main/libq/.
      "pool/main/q/quipu/libquipu1_1.0-1jammy_amd64.deb",
      "pool/main/q/quipu/quipu-osd_1.0-1jammy_amd64.deb",
    ]);
    expect(debFilenames(directory, "jammy")).toEqual([
      "pool/main/q/quipu-deploy/quipu-deploy_2.0_all.deb",
      "pool/main/q/quipu/libquipu1_1.0-1jammy_amd64.deb",
      "pool/main/q/quipu/quipu-osd_1.0-1jammy_amd64.deb",
    ]);
    expect(debFilenames(directory, "focal")).toEqual(["pool/focal/main/q/quipu-deploy/quipu-deploy_2.0_all.deb", "pool/focal/main/q/quipu/quipu-osd_1.0-1focal_amd64.deb"]);
    const sources = gunzipSync(readFileSync(join(directory, "dists", "jammy", "main", "source", "Sources.gz"))).toString("utf8");
    expect(sources).toMatch(/^Directory: pool\/main\/q\/quipu-src$/m);
    expect(existsSync(join(directory, "dists", "focal", "main", "source"))).toBe(false);
    for (const file of ["Packages", "Packages.gz", "Packages.xz"]) expect(existsSync(join(directory, "dists", "jammy", "main", "binary-amd64", file))).toBe(true);
    expect(readFileSync(join(directory, "dists", "focal", "Release"), "utf8")).toMatch(/^Codename: focal$/m);

    // focal leaves the combined set, quipu-deploy goes away.
    const keep = inputs.filter((input) => input.distroVersion === "jammy" && !input.name.startsWith("quipu-deploy"));
    const second = await buildRepository({ directory, type: "deb", distro: "ubuntu", distroVersion: "jammy", inputs: keep });
    expect(second.problems.map((problem) => problem.file)).toEqual(["pool/main/q/quipu-broken/quipu-broken_1.0_amd64.deb"]);
    expect(existsSync(join(directory, "dists", "focal"))).toBe(false);
    expect(existsSync(join(directory, "pool", "focal"))).toBe(false);
    expect(existsSync(join(directory, ".quipu", "deb-focal-index-cache.idx"))).toBe(false);
    expect(debFilenames(directory, "jammy")).toEqual(["pool/main/q/quipu/libquipu1_1.0-1jammy_amd64.deb", "pool/main/q/quipu/quipu-osd_1.0-1jammy_amd64.deb"]);
  });

  it("does not let a package's Source field choose a directory outside the pool", async () => {
    const directory = freshRepo("deb-source-field");
    const bytes = buildSyntheticDeb({ name: "quipu-odd", version: "1.0", architecture: "amd64", extraFields: { Source: "../../../escaped" } });
    const name = debFileName({ name: "quipu-odd", version: "1.0", architecture: "amd64" });
    await buildRepository({ directory, type: "deb", distro: "ubuntu", distroVersion: "jammy", inputs: [stored(name, bytes, "x86_64", "jammy")] });
    expect(filesUnder(directory).filter((path) => !path.startsWith("dists/"))).toEqual([`pool/main/q/quipu-odd/${name}`]);
    expect(existsSync(join(directory, "..", "..", "..", "escaped"))).toBe(false);
  });

  it("publishes an empty index for a codename with nothing to list yet", async () => {
    const directory = freshRepo("deb-empty");
    const result = await buildRepository({ directory, type: "deb", distro: "debian", distroVersion: "bookworm", inputs: [stored("notes.txt", "x", "x86_64", "bookworm")] });
    expect(result).toMatchObject({ problems: [], packages: 0, archs: ["amd64"] });
    expect(debFilenames(directory, "bookworm")).toEqual([]);
  });

  it("reads a .deb's control from its first bytes, even behind a large data member", async () => {
    const directory = freshRepo("deb-large");
    const big = buildSyntheticDeb({
      name: "quipu-big-dbg",
      version: "1.0-1",
      architecture: "arm64",
      extraFields: { Source: "quipu" },
      compression: "none",
      files: [{ path: "/usr/lib/debug/blob", content: new Uint8Array(3 * 1024 * 1024).fill(7) }],
    });
    const name = debFileName({ name: "quipu-big-dbg", version: "1.0-1", architecture: "arm64" });
    const result = await buildRepository({ directory, type: "deb", distro: "ubuntu", distroVersion: "noble", inputs: [stored(name, big, "arm64", "noble")] });
    expect(result).toMatchObject({ problems: [], packages: 1, archs: ["arm64"] });
    expect(debFilenames(directory, "noble", "arm64")).toEqual([`pool/main/q/quipu/${name}`]);
  });
});

describe("raw repositories and inputs", { timeout: 60_000 }, () => {
  it("places raw files under their arch and prunes them", async () => {
    const directory = freshRepo("raw");
    const zip = stored("ceph.zip", "zip", "x86_64", "1809");
    const msi = stored("ceph.msi", "msi", "x86_64", "1809");
    const arm = stored("ceph.zip", "arm zip", "arm64", "1809");
    const result = await buildRepository({ directory, type: "raw", distro: "windows", distroVersion: "1809", inputs: [zip, msi, arm] });
    expect(result).toMatchObject({ problems: [], packages: 3, archs: ["arm64", "x86_64"] });
    expect(filesUnder(directory)).toEqual(["arm64/ceph.zip", "x86_64/ceph.msi", "x86_64/ceph.zip"]);
    await buildRepository({ directory, type: "raw", distro: "windows", distroVersion: "1809", inputs: [msi] });
    expect(filesUnder(directory)).toEqual(["x86_64/ceph.msi"]);
    expect(existsSync(join(directory, "arm64"))).toBe(false);
  });

  it("reports missing, hidden and conflicting binaries and builds the rest", async () => {
    const directory = freshRepo("inputs");
    const first = stored("quipu-a-1.0-1.el9.x86_64.rpm", rpm("quipu-a", "x86_64", "one"));
    const sameBytes = stored("quipu-a-1.0-1.el9.x86_64.rpm", rpm("quipu-a", "x86_64", "one"));
    const other = stored("quipu-a-1.0-1.el9.x86_64.rpm", rpm("quipu-a", "x86_64", "two"));
    const missing: RepoBuildInput = { file: join(root, "store", "nowhere", "gone.rpm"), name: "gone.rpm", arch: "x86_64", distroVersion: "9" };
    const hidden = stored(".hidden.rpm", rpm("quipu-h", "x86_64"));
    const result = await buildRepository({ directory, type: "rpm", distro: "centos", distroVersion: "9", inputs: [first, sameBytes, other, missing, hidden] });
    expect(result.problems.map(({ file, code }) => ({ file, code }))).toEqual([
      { file: "gone.rpm", code: "QUIPU_CHACRA_REPO_INPUT_SKIPPED" },
      { file: ".hidden.rpm", code: "QUIPU_CHACRA_REPO_INPUT_SKIPPED" },
      { file: "x86_64/quipu-a-1.0-1.el9.x86_64.rpm", code: "QUIPU_CHACRA_REPO_INPUT_SKIPPED" },
    ]);
    expect(result.problems[2]!.message).toContain(other.file);
    expect(statSync(join(directory, "x86_64", first.name)).ino).toBe(statSync(first.file).ino);
    expect(result.packages).toBe(1);
  });

  it("refuses bad options, listing every problem", async () => {
    const bad = {
      directory: "relative/dir",
      type: "deb",
      distro: "ubuntu",
      distroVersion: "jammy",
      codenames: ["jammy", "main", "a b"],
      inputs: [{ file: "/x", name: "a/b", arch: "", distroVersion: "jammy" }],
    } as unknown as BuildRepositoryOptions;
    await expect(buildRepository(bad)).rejects.toSatisfy((error) => {
      if (!isQuipuError(error, "QUIPU_VALIDATION_FAILED")) return false;
      const issues = (error.details as { issues: string[] }).issues.join("\n");
      return ["directory", "codenames.1", "codenames.2", "inputs.0.name", "inputs.0.arch"].every((path) => issues.includes(path));
    });
  });
});

const shm = "/dev/shm";
const otherDevice = existsSync(shm) && statSync(shm).dev !== statSync(tmpdir()).dev;

describe.skipIf(!otherDevice)("a binary store on another file system", { timeout: 60_000 }, () => {
  it("is copied (keeping the mtime) and not copied again when unchanged", async () => {
    const storeRoot = join(shm, `quipu-store-${process.pid}-${counter++}`);
    try {
      const directory = freshRepo("exdev");
      const tools = stored("quipu-tools-1.2.3-4.q1.noarch.rpm", fixture("quipu-tools"), "noarch", "9", storeRoot);
      await buildRepository({ directory, type: "rpm", distro: "centos", distroVersion: "9", inputs: [tools] });
      const placed = statSync(join(directory, "noarch", tools.name));
      expect(placed.ino).not.toBe(statSync(tools.file).ino);
      expect(Math.abs(placed.mtimeMs - statSync(tools.file).mtimeMs)).toBeLessThan(1);
      await buildRepository({ directory, type: "rpm", distro: "centos", distroVersion: "9", inputs: [tools] });
      expect(statSync(join(directory, "noarch", tools.name)).ino).toBe(placed.ino);
      expect(rpmLocations(join(directory, "noarch"))).toEqual([tools.name]);
    } finally {
      rmSync(storeRoot, { recursive: true, force: true });
    }
  });
});
