import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildAptRepository, type AptRepository } from "../../src/indexing/deb/apt-repository.js";
import { parseControlParagraph } from "../../src/indexing/deb/control-fields.js";
import type { AptPackageEntry } from "../../src/indexing/deb/package-entry.js";
import type { AptSourceEntry } from "../../src/indexing/deb/sources-index.js";
import { createAptSandbox, makeDir, serveDirectory, stagePool, tempDir, writeFiles, type AptSandbox, type CommandResult, type StaticServer } from "./repo-harness.js";
import { createTestCodecs } from "./test-codecs.js";

const codecs = createTestCodecs();

/**
 * apt's complaints: any W:/E:/N: line, or an index it skipped or ignored. The repository is not
 * signed yet (`[trusted=yes]`), so the two ignored signature fetches are expected.
 */
function complaints(result: CommandResult): string[] {
  return `${result.stdout}\n${result.stderr}`
    .split("\n")
    .filter((line) => /^(W|E|N):|Ign:|Skipping|ignored/.test(line) && !/^Ign:\d+ \S+ \S+ (InRelease|Release\.gpg)$/.test(line.trim()));
}

function identity(entry: AptPackageEntry): [string, string, string] {
  return [entry.control.get("Package") ?? "", entry.control.get("Version") ?? "", entry.control.get("Architecture") ?? ""];
}

describe("real apt-get against a generated repository (127.0.0.1, isolated APT_CONFIG)", { timeout: 30_000 }, () => {
  let root: string;
  let web: string;
  let server: StaticServer;
  let apt: AptSandbox;
  let packages: AptPackageEntry[];
  let sources: AptSourceEntry[];
  let repo: AptRepository;

  beforeAll(async () => {
    root = tempDir("apt-get");
    web = join(root, "www");
    ({ packages, sources } = stagePool(web, codecs));
    repo = buildAptRepository({
      packages,
      sources,
      codecs,
      codename: "bookworm",
      suite: "stable",
      origin: "quipu",
      label: "quipu test",
      description: "quipu apt-get test",
      date: new Date(Date.now() - 3_600_000),
      validUntil: new Date(Date.now() + 7 * 86_400_000),
      compressions: ["gzip", "xz"],
    });
    writeFiles(web, repo.files);
    server = await serveDirectory(web);
    apt = createAptSandbox(root, ["amd64", "arm64"]);
    apt.setSources([`deb [trusted=yes] ${server.url} bookworm main`, `deb-src [trusted=yes] ${server.url} bookworm main`]);
  }, 60_000);

  afterAll(async () => {
    await server?.close();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it("apt-get update succeeds without warnings and fetches the indexes by hash", async () => {
    const result = await apt.run("apt-get", ["update"]);
    expect(result.code, result.stderr).toBe(0);
    expect(complaints(result)).toEqual([]);
    const byHash = server.requests.filter((path) => path.includes("/by-hash/SHA256/"));
    expect(byHash.map((path) => path.replace(/[0-9a-f]{64}$/, "<sha256>")).sort()).toEqual([
      "/dists/bookworm/main/binary-amd64/by-hash/SHA256/<sha256>",
      "/dists/bookworm/main/binary-arm64/by-hash/SHA256/<sha256>",
      "/dists/bookworm/main/source/by-hash/SHA256/<sha256>",
    ]);
  });

  it("apt-cache sees every package and version, with the fields of our stanzas", async () => {
    const policy = await apt.run("apt-cache", ["policy", "quipu-lib", "quipu-data", "quipu-app", "quipu-tool:arm64"]);
    expect(policy.code, policy.stderr).toBe(0);
    expect(policy.stdout).toMatch(/quipu-lib:\n {2}Installed: \(none\)\n {2}Candidate: 1:2\.1-1\n/);
    for (const [pkg, version] of packages.map(identity)) expect(policy.stdout).toContain(` ${version} 500\n`);
    expect(policy.stdout).toMatch(/quipu-tool:arm64:\n {2}Installed: \(none\)\n {2}Candidate: 1\.0\n/);

    for (const entry of packages) {
      const [pkg, version, arch] = identity(entry);
      const show = await apt.run("apt-cache", ["show", `${pkg}:${arch === "all" ? "amd64" : arch}=${version}`]);
      expect(show.code, show.stderr).toBe(0);
      const shown = parseControlParagraph(show.stdout.replace(/\n+$/, "\n"));
      for (const name of ["Package", "Version", "Architecture", "Filename", "Size", "SHA256", "MD5sum", "Depends", "Pre-Depends", "Multi-Arch", "Maintainer", "Description", "X-Custom-Field"]) {
        const ours = entry.control.get(name) ?? { Filename: entry.filename, Size: String(entry.size), SHA256: entry.hashes.sha256, MD5sum: entry.hashes.md5 }[name];
        expect(shown.get(name), `${pkg} ${name}`).toBe(ours);
      }
    }
  });

  it("apt-get download fetches and verifies every package; install -s resolves dependencies", async () => {
    const into = makeDir(root, "downloads");
    const wanted = packages.map((entry) => {
      const [pkg, version, arch] = identity(entry);
      return `${pkg}:${arch === "all" ? "amd64" : arch}=${version}`;
    });
    const download = await apt.run("apt-get", ["download", ...wanted], { cwd: into });
    expect(download.code, download.stderr).toBe(0);
    expect(complaints(download)).toEqual([]);
    expect(readdirSync(into).filter((f) => f.endsWith(".deb"))).toHaveLength(packages.length);
    for (const entry of packages) {
      const [pkg, version, arch] = identity(entry);
      const saved = join(into, `${pkg}_${version.replace(":", "%3a")}_${arch}.deb`);
      expect(readFileSync(saved).equals(readFileSync(join(web, entry.filename))), saved).toBe(true);
    }

    const simulate = await apt.run("apt-get", ["install", "-s", "quipu-app"]);
    expect(simulate.code, simulate.stderr).toBe(0);
    expect(simulate.stdout).toMatch(/^Inst quipu-data \(0\.5-1 quipu test:stable \[all\]\)/m);
    expect(simulate.stdout).toMatch(/^Inst quipu-lib \(1:2\.1-1 quipu test:stable \[amd64\]\)/m);
    expect(simulate.stdout).toMatch(/^Inst quipu-app \(3\.0~rc1-1 quipu test:stable \[amd64\]\)/m);
  });

  it("apt-cache showsrc and apt-get source --download-only use the Sources index", async () => {
    const showsrc = await apt.run("apt-cache", ["showsrc", "quipu-src"]);
    expect(showsrc.code, showsrc.stderr).toBe(0);
    expect(showsrc.stdout).toMatch(/^Package: quipu-src$/m);
    expect(showsrc.stdout).toMatch(/^Directory: pool\/main\/q\/quipu-src$/m);
    const into = makeDir(root, "source");
    const source = await apt.run("apt-get", ["source", "--download-only", "quipu-src"], { cwd: into });
    expect(source.code, source.stderr).toBe(0);
    expect(readdirSync(into).sort()).toEqual(["quipu-src_1.0.dsc", "quipu-src_1.0.tar.xz"]);
  });

  it("rejects a tampered pool file and a tampered Packages index (Hash Sum mismatch)", async () => {
    const lib = packages.find((entry) => identity(entry)[1] === "1:2.0-1") as AptPackageEntry;
    const path = join(web, lib.filename);
    const original = readFileSync(path);
    const flipped = Buffer.from(original);
    flipped[flipped.length - 10] = (flipped[flipped.length - 10] ?? 0) ^ 0xff;
    writeFileSync(path, flipped);
    const into = makeDir(root, "tampered");
    const download = await apt.run("apt-get", ["download", "quipu-lib=1:2.0-1"], { cwd: into });
    writeFileSync(path, original);
    expect(download.code).not.toBe(0);
    expect(download.stderr).toMatch(/Hash Sum mismatch/);

    // Flip one byte of every published variant of binary-amd64/Packages (by-hash copies too).
    const dir = join(web, "dists/bookworm/main/binary-amd64");
    const targets = [
      ...readdirSync(dir).filter((f) => f.startsWith("Packages")).map((f) => join(dir, f)),
      ...["MD5Sum", "SHA256"].flatMap((h) => (existsSync(join(dir, "by-hash", h)) ? readdirSync(join(dir, "by-hash", h)).map((f) => join(dir, "by-hash", h, f)) : [])),
    ];
    for (const target of targets) {
      const bytes = readFileSync(target);
      bytes[Math.floor(bytes.length / 2)] = (bytes[Math.floor(bytes.length / 2)] ?? 0) ^ 0x01;
      writeFileSync(target, bytes);
    }
    apt.clearLists();
    const update = await apt.run("apt-get", ["update"]);
    expect(update.code).not.toBe(0);
    expect(update.stderr).toMatch(/Hash Sum mismatch/);
    // Restore the untampered files for the next test.
    writeFiles(web, repo.files);
    apt.clearLists();
  });

  it("a second update after a republish (one package removed, newer Date) sees the change", async () => {
    expect((await apt.run("apt-get", ["update"])).code).toBe(0);
    const next = buildAptRepository({
      packages: packages.filter((entry) => identity(entry)[0] !== "quipu-tool"),
      sources,
      codecs,
      codename: "bookworm",
      suite: "stable",
      origin: "quipu",
      label: "quipu test",
      description: "quipu apt-get test",
      architectures: ["amd64", "arm64"],
      date: new Date(Date.now() - 60_000),
      compressions: ["gzip", "xz"],
    });
    writeFiles(web, next.files);
    const update = await apt.run("apt-get", ["update"]);
    expect(update.code, update.stderr).toBe(0);
    expect(complaints(update)).toEqual([]);
    const policy = await apt.run("apt-cache", ["policy", "quipu-tool:arm64", "quipu-lib"]);
    expect(policy.stdout).not.toMatch(/quipu-tool/);
    expect(policy.stdout).toMatch(/Candidate: 1:2\.1-1/);
  });
});

describe("real apt-get against a flat repository", { timeout: 30_000 }, () => {
  let root: string;
  let server: StaticServer;

  beforeAll(async () => {
    root = tempDir("apt-flat");
    const flat = join(root, "www", "flat");
    const { packages } = stagePool(flat, codecs);
    const repo = buildAptRepository({ packages, codecs, layout: "flat", origin: "quipu-flat", label: "quipu-flat", date: new Date(Date.now() - 60_000), compressions: ["gzip"] });
    writeFiles(flat, repo.files);
    server = await serveDirectory(join(root, "www"));
  }, 60_000);

  afterAll(async () => {
    await server?.close();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it("updates without warnings, sees the packages, downloads one and resolves an install", async () => {
    const apt = createAptSandbox(root, ["amd64", "arm64"]);
    apt.setSources([`deb [trusted=yes] ${server.url}/flat ./`]);
    const update = await apt.run("apt-get", ["update"]);
    expect(update.code, update.stderr).toBe(0);
    expect(complaints(update)).toEqual([]);
    expect(server.requests).toContain("/flat/./Release");
    expect(server.requests.some((path) => /^\/flat\/\.\/by-hash\/SHA256\/[0-9a-f]{64}$/.test(path))).toBe(true);
    const policy = await apt.run("apt-cache", ["policy", "quipu-lib", "quipu-tool:arm64"]);
    expect(policy.stdout).toMatch(/quipu-lib:\n {2}Installed: \(none\)\n {2}Candidate: 1:2\.1-1\n/);
    expect(policy.stdout).toContain(" 1:2.0-1 500\n");
    expect(policy.stdout).toMatch(/quipu-tool:arm64:\n {2}Installed: \(none\)\n {2}Candidate: 1\.0\n/);
    const into = makeDir(root, "downloads");
    const download = await apt.run("apt-get", ["download", "quipu-data"], { cwd: into });
    expect(download.code, download.stderr).toBe(0);
    const simulate = await apt.run("apt-get", ["install", "-s", "quipu-app"]);
    expect(simulate.code, simulate.stderr).toBe(0);
    expect(simulate.stdout).toMatch(/^Inst quipu-app /m);
  });
});

describe("real apt-get against a repository of arch:all packages only", { timeout: 30_000 }, () => {
  it("derives `Architectures: all`, and apt on amd64 fetches binary-all without warnings", async () => {
    const root = tempDir("apt-all");
    const web = join(root, "www");
    const { packages } = stagePool(web, codecs);
    const repo = buildAptRepository({ packages: packages.filter((p) => p.control.get("Architecture") === "all"), codecs, codename: "bookworm", date: new Date(Date.now() - 60_000) });
    expect(repo.architectures).toEqual(["all"]);
    writeFiles(web, repo.files);
    const server = await serveDirectory(web);
    try {
      const apt = createAptSandbox(root);
      apt.setSources([`deb [trusted=yes] ${server.url} bookworm main`]);
      const update = await apt.run("apt-get", ["update"]);
      expect(update.code, update.stderr).toBe(0);
      expect(complaints(update)).toEqual([]);
      expect((await apt.run("apt-cache", ["policy", "quipu-data"])).stdout).toMatch(/Candidate: 0\.5-1\n/);
    } finally {
      await server.close();
      rmSync(root, { recursive: true, force: true });
    }
  });
});
