/**
 * Real package managers against repositories made by `buildRepository`, served over HTTP on
 * 127.0.0.1 at the path chacra serves them (`/r/{project}/{ref}/{sha1}/{distro}/{version}/flavors/{flavor}/`)
 * and configured with nothing but the text `renderRepoFile` gives for them: dnf with the `.repo`
 * file as its only repository configuration, apt-get with the sources line.
 */
import { execFile, spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildRepository, type RepoBuildInput } from "../src/repo-builder.js";
import { renderRepoFile } from "../src/repo-file.js";
import { buildDebFixture, buildSourceFixture } from "../../core/test/deb/deb-fixtures.js";
import { createAptSandbox, serveDirectory, tempDir, type CommandResult, type StaticServer } from "../../core/test/deb/repo-harness.js";
import { rpmFixtures } from "../../core/test/rpm/rpm-fixtures.js";

const hasDnf = spawnSync("dnf", ["--version"]).status === 0;
const hasApt = spawnSync("apt-get", ["--version"]).status === 0;
const SHA1 = "45b4cbe8de1ba3b4d3e2a1b0c9d8e7f6a5b4c3d2";

let root: string;
let www: string;
let server: StaticServer;
let counter = 0;

beforeAll(async () => {
  root = tempDir("repo-clients");
  www = join(root, "www");
  mkdirSync(www);
  server = await serveDirectory(www);
}, 60_000);

afterAll(async () => {
  await server?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

/** A copy of `source` in the binary store, as an upload would leave it. */
function stored(name: string, source: string | { text: string }, arch: string, distroVersion: string): RepoBuildInput {
  const dir = join(root, "store", String(counter++));
  mkdirSync(dir, { recursive: true });
  const file = join(dir, name);
  if (typeof source === "string") copyFileSync(source, file);
  else writeFileSync(file, source.text);
  return { file, name, arch, distroVersion };
}

function repoUri(distro: string, version: string): string {
  return `r/ceph/main/${SHA1}/${distro}/${version}/flavors/default/`;
}

/**
 * dnf with the rendered `.repo` file as its only configuration (recipe of `runDnf`: own dnf.conf,
 * installroot and cache; skip_if_unavailable off so a broken repository fails the command; no plugins).
 */
function dnfWithRepoFile(dir: string, repoFile: string, args: readonly string[]): Promise<CommandResult> {
  mkdirSync(join(dir, "repos.d"), { recursive: true });
  writeFileSync(join(dir, "repos.d", "ceph.repo"), repoFile);
  writeFileSync(join(dir, "dnf.conf"), "[main]\ngpgcheck=0\nskip_if_unavailable=False\ninstall_weak_deps=False\n");
  const argv = [
    "-y",
    "-c",
    join(dir, "dnf.conf"),
    `--installroot=${join(dir, "root")}`,
    "--releasever=9",
    // $basearch in the .repo file expands to this.
    "--forcearch=x86_64",
    `--setopt=reposdir=${join(dir, "repos.d")}`,
    `--setopt=cachedir=${join(dir, "cache")}`,
    // dnf-plugins-core's `local` plugin adds a repository of everything ever installed on the host.
    "--noplugins",
    ...args,
  ];
  return new Promise((resolve) => {
    execFile("dnf", argv, { encoding: "utf8", timeout: 120_000, env: { ...process.env, LC_ALL: "C.UTF-8" } }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

describe.skipIf(!hasDnf)("dnf and an rpm repository", { timeout: 180_000 }, () => {
  it("sees every package in the repository its .repo file names, installs one, and forgets a removed one", async () => {
    const fixtures = rpmFixtures();
    const directory = join(www, repoUri("centos", "9"));
    const nodeps = stored("quipu-nodeps-1.0-1.noarch.rpm", fixtures.get("quipu-nodeps-1.0").path, "noarch", "9");
    const inputs = [
      stored("quipu-daemon-0.9-1.x86_64.rpm", fixtures.get("quipu-daemon-0.9-1.x86_64").path, "x86_64", "9"),
      stored("quipu-daemon-0.9-1.src.rpm", fixtures.get("quipu-daemon-0.9-1.src").path, "source", "9"),
      stored("quipu-tools-1.2.3-4.q1.noarch.rpm", fixtures.get("quipu-tools").path, "noarch", "9"),
      nodeps,
      stored("cephadm", { text: "#!/usr/bin/python3\nprint('cephadm')\n" }, "x86_64", "9"),
      stored("quipu-broken-1.0-1.el9.x86_64.rpm", { text: "not an rpm at all" }, "x86_64", "9"),
    ];
    const built = await buildRepository({ directory, type: "rpm", distro: "centos", distroVersion: "9", inputs });
    expect(built.problems.map((problem) => problem.file)).toEqual(["x86_64/quipu-broken-1.0-1.el9.x86_64.rpm"]);

    const repoFile = renderRepoFile({ type: "rpm", project: "ceph", distro: "centos", distroVersion: "9", baseUrl: `${server.url}/${repoUri("centos", "9")}` });
    const dnfDir = join(root, "dnf");
    const query = () => dnfWithRepoFile(dnfDir, repoFile, ["repoquery", "--refresh", "--available", "--qf", "%{repoid} %{name}-%{version}-%{release}.%{arch} %{location}"]);
    const listed = await query();
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout.trim().split("\n").sort()).toEqual([
      "ceph quipu-daemon-0.9-1.x86_64 quipu-daemon-0.9-1.x86_64.rpm",
      "ceph-noarch quipu-nodeps-1.0-1.noarch quipu-nodeps-1.0-1.noarch.rpm",
      "ceph-noarch quipu-tools-1.2.3-4.q1.noarch quipu-tools-1.2.3-4.q1.noarch.rpm",
      "ceph-source quipu-daemon-0.9-1.src quipu-daemon-0.9-1.src.rpm",
    ]);
    // The empty aarch64 directory is indexed too, so the same .repo file works on aarch64 machines.
    const aarch64 = await fetch(`${server.url}/${repoUri("centos", "9")}aarch64/repodata/repomd.xml`);
    expect(aarch64.status).toBe(200);
    await aarch64.arrayBuffer();

    const install = await dnfWithRepoFile(dnfDir, repoFile, ["install", "quipu-nodeps"]);
    expect(install.code, install.stderr).toBe(0);
    const installed = spawnSync("rpm", ["--root", join(dnfDir, "root"), "-q", "quipu-nodeps"], { encoding: "utf8" });
    expect(installed.stdout.trim()).toBe("quipu-nodeps-1.0-1.noarch");

    const rebuilt = await buildRepository({ directory, type: "rpm", distro: "centos", distroVersion: "9", inputs: inputs.filter((input) => input !== nodeps) });
    expect(rebuilt.problems).toHaveLength(1);
    const after = await query();
    expect(after.code, after.stderr).toBe(0);
    expect(after.stdout).not.toContain("quipu-nodeps");
    expect(after.stdout).toContain("quipu-tools-1.2.3-4.q1.noarch");
  });
});

describe.skipIf(!hasApt)("apt-get and a deb repository with combined codenames", { timeout: 180_000 }, () => {
  function problems(result: CommandResult): string[] {
    return `${result.stdout}\n${result.stderr}`.split("\n").filter((line) => /^(W|E):/.test(line));
  }

  it("sees each codename's own packages, downloads one, reports a corrupt one, and forgets a removed one", async () => {
    const control = (fields: string) => `${fields}Maintainer: Q <q@example.invalid>\nDescription: quipu client test\n`;
    const jammyOsd = buildDebFixture({ compression: "zstd", control: control("Package: quipu-osd\nSource: quipu\nVersion: 1.0-1jammy\nArchitecture: amd64\n") });
    const jammyCommon = buildDebFixture({ compression: "xz", control: control("Package: quipu-common\nSource: quipu\nVersion: 1.0-1jammy\nArchitecture: all\n") });
    const focalOsd = buildDebFixture({ compression: "xz", control: control("Package: quipu-osd\nSource: quipu\nVersion: 1.0-1focal\nArchitecture: amd64\n") });
    const deploy = buildDebFixture({ compression: "gzip", control: control("Package: quipu-deploy\nVersion: 2.0\nArchitecture: all\n") });
    const source = buildSourceFixture();
    const common = stored(jammyCommon.fileName, jammyCommon.path, "x86_64", "jammy");
    const inputs = [
      stored(jammyOsd.fileName, jammyOsd.path, "x86_64", "jammy"),
      common,
      stored(focalOsd.fileName, focalOsd.path, "x86_64", "focal"),
      stored(deploy.fileName, deploy.path, "noarch", "generic"),
      ...source.files.map((file) => stored(file, join(source.dir, file), "source", "jammy")),
      stored("quipu-broken_1.0_amd64.deb", { text: "!<arch>\nnot really" }, "x86_64", "jammy"),
    ];
    const directory = join(www, repoUri("ubuntu", "jammy"));
    const build = (list: readonly RepoBuildInput[]) => buildRepository({ directory, type: "deb", distro: "ubuntu", distroVersion: "jammy", codenames: ["jammy", "focal"], inputs: list });
    const built = await build(inputs);
    expect(built.problems).toEqual([expect.objectContaining({ file: "pool/main/q/quipu-broken/quipu-broken_1.0_amd64.deb", code: "QUIPU_DEB_INVALID" })]);

    const baseUrl = `${server.url}/${repoUri("ubuntu", "jammy")}`;
    const line = (codename: string) => renderRepoFile({ type: "deb", project: "ceph", distro: "ubuntu", distroVersion: codename, baseUrl }).trimEnd();

    const jammy = createAptSandbox(join(root, "apt-jammy"));
    jammy.setSources([line("jammy"), line("jammy").replace(/^deb /, "deb-src ")]);
    const update = await jammy.run("apt-get", ["update"]);
    expect(update.code, update.stderr).toBe(0);
    expect(problems(update)).toEqual([]);
    const policy = await jammy.run("apt-cache", ["policy", "quipu-osd", "quipu-common", "quipu-deploy"]);
    expect(policy.stdout).toMatch(/quipu-osd:\n {2}Installed: \(none\)\n {2}Candidate: 1\.0-1jammy\n/);
    expect(policy.stdout).toMatch(/quipu-common:\n {2}Installed: \(none\)\n {2}Candidate: 1\.0-1jammy\n/);
    expect(policy.stdout).toMatch(/quipu-deploy:\n {2}Installed: \(none\)\n {2}Candidate: 2\.0\n/);
    // focal's build of the same package is not offered to jammy machines.
    const madison = await jammy.run("apt-cache", ["madison", "quipu-osd"]);
    expect(madison.stdout).not.toContain("focal");
    const showsrc = await jammy.run("apt-cache", ["showsrc", "quipu-src"]);
    expect(showsrc.stdout).toContain("Package: quipu-src\n");
    const into = join(root, "downloads");
    mkdirSync(into);
    const download = await jammy.run("apt-get", ["download", "quipu-osd"], { cwd: into });
    expect(download.code, download.stderr).toBe(0);
    expect(readdirSync(into)).toEqual([jammyOsd.fileName]);

    const focal = createAptSandbox(join(root, "apt-focal"));
    focal.setSources([line("focal")]);
    const focalUpdate = await focal.run("apt-get", ["update"]);
    expect(focalUpdate.code, focalUpdate.stderr).toBe(0);
    expect(problems(focalUpdate)).toEqual([]);
    const focalPolicy = await focal.run("apt-cache", ["policy", "quipu-osd", "quipu-deploy", "quipu-common"]);
    expect(focalPolicy.stdout).toMatch(/quipu-osd:\n {2}Installed: \(none\)\n {2}Candidate: 1\.0-1focal\n/);
    expect(focalPolicy.stdout).toMatch(/quipu-deploy:\n {2}Installed: \(none\)\n {2}Candidate: 2\.0\n/);
    expect(focalPolicy.stdout).not.toContain("quipu-common:");

    await build(inputs.filter((input) => input !== common));
    const again = await jammy.run("apt-get", ["update"]);
    expect(again.code, again.stderr).toBe(0);
    const gone = await jammy.run("apt-cache", ["policy", "quipu-common", "quipu-osd"]);
    expect(gone.stdout).not.toContain("quipu-common:");
    expect(gone.stdout).toMatch(/quipu-osd:\n {2}Installed: \(none\)\n {2}Candidate: 1\.0-1jammy\n/);
  });
});
