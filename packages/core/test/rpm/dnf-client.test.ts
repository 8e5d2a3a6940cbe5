/**
 * Real dnf against repositories written by buildRpmRepository, served over HTTP on 127.0.0.1 by a
 * static server in this process (`serveDirectory`), with a throwaway installroot and cache per scenario and
 * `skip_if_unavailable=False` (Debian's dnf.conf would otherwise hide a broken repository).
 * dnf runs asynchronously so the server keeps answering.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { appendFileSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildRpmRepository, createRpmRepositoryEntry, type BuildRpmRepositoryOptions } from "../../src/indexing/rpm/index.js";
import { serveDirectory, type CommandResult, type StaticServer } from "../deb/repo-harness.js";
import { cliCodecs } from "./cli-codecs.js";
import { runDnf } from "./dnf-harness.js";
import { rpmFixtures } from "./rpm-fixtures.js";

const layout: Record<string, string> = {
  "quipu-tools-1.2.3-4.q1.noarch.rpm": "quipu-tools-1.2.3-4.q1.noarch.rpm",
  "x86_64/quipu-daemon-0.9-1.x86_64.rpm": "quipu-daemon-0.9-1.x86_64.rpm",
  "SRPMS/quipu-daemon-0.9-1.src.rpm": "quipu-daemon-0.9-1.src.rpm",
  "noarch/quipu-nodeps-1.0-1.noarch.rpm": "quipu-nodeps-1.0-1.noarch.rpm",
  "noarch/quipu-nodeps-1.1-2.noarch.rpm": "quipu-nodeps-1.1-2.noarch.rpm",
};

let work: string;
let server: StaticServer;
/** `dnf download` comes from dnf-plugins-core, which this machine may lack; `install --downloadonly` is core dnf. */
const hasDownloadPlugin = spawnSync("dnf", ["download", "--help"], { encoding: "utf8" }).status === 0;

/** Writes a repository: packages, then the metadata files in order, repomd.xml last via rename. */
function writeRepository(dir: string, options: BuildRpmRepositoryOptions) {
  const fixtures = rpmFixtures();
  const entries = Object.entries(layout).map(([href, name]) => {
    const target = join(dir, href);
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(fixtures.get(name).path, target);
    return createRpmRepositoryEntry(readFileSync(target), { href, fileMtime: Math.floor(statSync(target).mtimeMs / 1000) });
  });
  for (const file of buildRpmRepository(entries, options)) {
    const target = join(dir, file.path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(`${target}.tmp`, file.bytes);
    renameSync(`${target}.tmp`, target);
  }
}

/** One dnf invocation against `repo` (a path under the server root) with its own cache and root. */
function dnf(scenario: string, repo: string, args: string[]): Promise<CommandResult> {
  return runDnf(join(work, "dnf", scenario), { url: `${server.url}/${repo}/` }, args);
}

const sha256 = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "quipu-dnf-"));
  const root = join(work, "www");
  writeRepository(join(root, "gz"), {});
  writeRepository(join(root, "zst"), { compression: "zstd", codecs: cliCodecs() });
  // Tampered metadata: a different (valid) primary.xml.gz under the name repomd.xml points to.
  cpSync(join(root, "gz"), join(root, "tampered"), { recursive: true });
  const repodata = join(root, "tampered", "repodata");
  const primaryName = readdirSync(repodata).find((f) => f.endsWith("-primary.xml.gz"))!;
  const primary = gunzipSync(readFileSync(join(repodata, primaryName))).toString("utf8");
  writeFileSync(join(repodata, primaryName), gzipSync(primary.replace("Installable into an empty root", "Installable into an empty ROOT")));
  // A package altered after indexing.
  cpSync(join(root, "gz"), join(root, "badpkg"), { recursive: true });
  appendFileSync(join(root, "badpkg", "noarch", "quipu-nodeps-1.0-1.noarch.rpm"), "x");
  server = await serveDirectory(root);
}, 120_000);

afterAll(async () => {
  await server?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

// Each dnf call takes about a second here.
describe("dnf against generated repodata", { timeout: 60_000 }, () => {
  it("accepts the metadata and sees every package with the right EVR and location", async () => {
    const cache = await dnf("gz", "gz", ["makecache"]);
    expect(cache.code, cache.stderr).toBe(0);
    const q = await dnf("gz", "gz", ["repoquery", "--available", "--qf", "%{name}-%{epoch}:%{version}-%{release}.%{arch} %{location}"]);
    expect(q.code, q.stderr).toBe(0);
    expect(q.stdout.trim().split("\n").sort()).toEqual([
      "quipu-daemon-0:0.9-1.src SRPMS/quipu-daemon-0.9-1.src.rpm",
      "quipu-daemon-0:0.9-1.x86_64 x86_64/quipu-daemon-0.9-1.x86_64.rpm",
      "quipu-nodeps-0:1.0-1.noarch noarch/quipu-nodeps-1.0-1.noarch.rpm",
      "quipu-nodeps-0:1.1-2.noarch noarch/quipu-nodeps-1.1-2.noarch.rpm",
      "quipu-tools-3:1.2.3-4.q1.noarch quipu-tools-1.2.3-4.q1.noarch.rpm",
    ]);
    expect(server.requests.some((p) => /^\/gz\/repodata\/[0-9a-f]{64}-filelists\.xml\.gz$/.test(p))).toBe(true);
  });

  it("resolves file provides from primary and filelists, lists files and changelogs", async () => {
    // one at a time: they share the scenario's cache and dnf locks it
    const admin = await dnf("gz", "gz", ["repoquery", "--whatprovides", "/opt/quipu/sbin/quipu-admin"]);
    const data = await dnf("gz", "gz", ["repoquery", "--whatprovides", "/usr/share/quipu-tools/data.txt"]);
    const files = await dnf("gz", "gz", ["repoquery", "-l", "quipu-nodeps-1.1-2"]);
    const changelog = await dnf("gz", "gz", ["repoquery", "--changelogs", "quipu-tools"]);
    const weak = await dnf("gz", "gz", ["repoquery", "--qf", "%{recommends}|%{supplements}|%{requires_pre}", "quipu-tools"]);
    expect(admin.stdout).toContain("quipu-tools-3:1.2.3-4.q1.noarch");
    expect(data.stdout).toContain("quipu-tools-3:1.2.3-4.q1.noarch");
    expect(files.stdout.trim().split("\n").filter((l) => l.startsWith("/"))).toEqual([
      "/etc/quipu-nodeps.conf",
      "/usr/bin/quipu-nodeps",
      "/usr/share/quipu-nodeps",
      "/usr/share/quipu-nodeps/README",
    ]);
    expect(changelog.stdout).toContain("Zoë Quipu <zoe@example.invalid> - 3:1.2.3-4.q1");
    expect(changelog.stdout).toContain('- Ünïcödé & <markup> "quotes" ✓');
    expect(weak.stdout).toContain("quipu-extra >= 1.2");
    expect(weak.stdout).toContain("(quipu-core and quipu-lang-fr)");
    expect(weak.stdout).toContain("/usr/sbin/useradd");
  });

  it("downloads packages, checking size and pkgid", async () => {
    const dl = join(work, "dl");
    const r = await dnf("gz", "gz", ["install", "--downloadonly", `--destdir=${dl}`, "quipu-nodeps-1.0-1"]);
    expect(r.code, r.stderr).toBe(0);
    expect(sha256(join(dl, "quipu-nodeps-1.0-1.noarch.rpm"))).toBe(sha256(rpmFixtures().get("quipu-nodeps-1.0").path));
  });

  it.skipIf(!hasDownloadPlugin)("dnf download fetches binary and source packages", async () => {
    const dl = join(work, "dl-plugin");
    const r = await dnf("gz", "gz", ["download", `--destdir=${dl}`, "quipu-daemon.x86_64", "quipu-tools"]);
    expect(r.code, r.stderr).toBe(0);
    const s = await dnf("gz", "gz", ["download", "--source", `--destdir=${dl}`, "quipu-daemon"]);
    expect(s.code, s.stderr).toBe(0);
    expect(readdirSync(dl).sort()).toEqual(["quipu-daemon-0.9-1.src.rpm", "quipu-daemon-0.9-1.x86_64.rpm", "quipu-tools-1.2.3-4.q1.noarch.rpm"]);
  });

  it("installs the newest dependency-free package into the installroot", async () => {
    const r = await dnf("gz", "gz", ["install", "quipu-nodeps"]);
    expect(r.code, r.stderr).toBe(0);
    const q = spawnSync("rpm", ["--root", join(work, "dnf", "gz", "root"), "-q", "quipu-nodeps"], { encoding: "utf8" });
    expect(q.stdout.trim()).toBe("quipu-nodeps-1.1-2.noarch");
    expect(existsSync(join(work, "dnf", "gz", "root", "usr", "bin", "quipu-nodeps"))).toBe(true);
  });

  it("reads zstd-compressed repodata", async () => {
    const r = await dnf("zst", "zst", ["repoquery", "--available", "--qf", "%{name}-%{evr}.%{arch}"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim().split("\n")).toHaveLength(5);
    expect(server.requests.some((p) => /^\/zst\/repodata\/[0-9a-f]{64}-primary\.xml\.zst$/.test(p))).toBe(true);
  });

  it("rejects a primary.xml.gz that does not match repomd.xml", async () => {
    const r = await dnf("tampered", "tampered", ["makecache"]);
    expect(r.code).not.toBe(0);
    expect(`${r.stdout}${r.stderr}`).toMatch(/checksum doesn't match/);
  });

  it("rejects a package altered after indexing", async () => {
    const r = await dnf("badpkg", "badpkg", ["install", "--downloadonly", `--destdir=${join(work, "dl-bad")}`, "quipu-nodeps-1.0-1"]);
    expect(r.code).not.toBe(0);
    expect(`${r.stdout}${r.stderr}`).toMatch(/quipu-nodeps-1\.0-1\.noarch\.rpm: Downloading successful, but checksum doesn't match/);
  });
});
